"""The settings, documented from `Settings` itself: the README's table and `docker/.env.example`.

`python scripts/settings_doc.py` rewrites both between their markers; `tests/test_settings_doc.py`
fails when either is out of date with `Settings`, so a new setting is documented when it lands.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from secondbrain_core.settings import REPO_ROOT, SAMPLE_SOURCE, Settings, variable_name  # noqa: E402

README = ROOT / "README.md"
ENV_EXAMPLE = ROOT / "docker" / ".env.example"
BEGIN, END = "<!-- settings:begin (scripts/settings_doc.py) -->", "<!-- settings:end -->"
ENV_BEGIN, ENV_END = "# --- settings:begin (scripts/settings_doc.py) ---", "# --- settings:end ---"


def default_text(field: FieldInfo) -> str:
    """The default as a person reads it: `sample` for the shipped KB, no machine-specific paths."""
    value = field.default
    if value is PydanticUndefined or value is None:
        return ""
    if value == SAMPLE_SOURCE:
        return "sample"
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return text.replace(str(REPO_ROOT), "<repo>")


def rows() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for every setting, in `Settings` order."""
    return [
        (variable_name(name), default_text(field), " ".join((field.description or "").split()))
        for name, field in Settings.model_fields.items()
    ]


def markdown_table() -> str:
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for variable, default, meaning in rows():
        shown = f"`{default}`" if default else "unset"
        lines.append(f"| `{variable}` | {shown} | {meaning.replace('|', '/')} |")
    return "\n".join(lines)


def env_lines() -> str:
    lines = []
    for variable, default, meaning in rows():
        if meaning:
            lines.append(f"# {meaning}")
        lines.append(f"# {variable}={default}")
    return "\n".join(lines)


def replace_between(text: str, begin: str, end: str, body: str) -> str:
    """`text` with what lies between the marker lines replaced by `body`."""
    head, found, rest = text.partition(begin)
    if not found or end not in rest:
        raise SystemExit(f"markers {begin!r} … {end!r} not found")
    return f"{head}{begin}\n{body}\n{end}{rest.split(end, 1)[1]}"


def expected_readme() -> str:
    return replace_between(README.read_text(), BEGIN, END, markdown_table())


def expected_env_example() -> str:
    return replace_between(ENV_EXAMPLE.read_text(), ENV_BEGIN, ENV_END, env_lines())


if __name__ == "__main__":
    for path, text in ((README, expected_readme()), (ENV_EXAMPLE, expected_env_example())):
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
