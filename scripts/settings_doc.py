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


# What a setting means when its Field carries no description (a description in Settings wins).
MEANINGS = {
    "home": "all local state: database, raw snapshots, index, datasets, models, MLflow db, Dagster instance",
    "mongodb_uri": "document store; unset: a local MongoDB wire server under $SECONDBRAIN_HOME/mongo",
    "mongodb_database": "database name in that server",
    "s3_endpoint_url": "S3-compatible endpoint for s3:// sources and snapshots (MinIO, ...)",
    "dagster_home_override": "the Dagster instance folder; unset: $SECONDBRAIN_HOME/dagster",
    "mlflow_tracking_uri_override": "experiments, registry, traces; unset: sqlite:///$SECONDBRAIN_HOME/mlflow.db",
    "sources": "comma list: notion, notion-export:PATH (folder or zip), s3://bucket/prefix, sample",
    "notion_token": "Notion internal integration token (the notion source)",
    "notion_base_url": "Notion API base URL (a proxy or a test server)",
    "notion_max_retries": "retries of a Notion request on 429/5xx (Retry-After honoured)",
    "crawl_connect_timeout_s": "seconds to connect to a crawled host",
    "crawl_read_timeout_s": "seconds between bytes of a crawled response",
    "crawl_max_redirects": "redirect hops a crawl follows (each one guarded)",
    "crawl_user_agent": "User-Agent of the crawler (robots.txt is read for it)",
    "openai_api_key": "OpenAI(-compatible) key: LLM judge, contextual chunks, teacher, tool agent",
    "openai_base_url": "any OpenAI-compatible server (vLLM, llama.cpp, Ollama, ...)",
    "openai_model": "model name sent to that server",
    "voyage_api_key": "Voyage key: voyage:MODEL embeddings and rerank",
    "voyage_base_url": "Voyage API base URL",
    "embedder": "minilm | bge-small | voyage:MODEL | openai:MODEL",
    "opik_url_override": "Opik server: traces and evals exported there too",
    "opik_api_key": "Opik key",
    "chunk_tokens": "largest chunk, in the embedder's tokens",
    "rrf_k": "RRF constant (hybrid fusion rrf)",
    "rerank": "rerank the hybrid top 50 with Voyage",
    "api_key": "bearer key the endpoint requires; required beyond loopback",
    "endpoint_host": "interface `secondbrain serve` listens on",
    "endpoint_port": "port `secondbrain serve` listens on",
    "llm_timeout_s": "seconds a model call may take",
    "llm_max_retries": "retries of a model call on 429/5xx",
    "hf_token": "Hugging Face token (push datasets to the Hub)",
    "comet_api_key": "Comet key: training runs logged there too",
    "train_batch_size": "fine-tuning batch size",
    "train_learning_rate": "fine-tuning learning rate",
    "train_lora_r": "LoRA rank",
    "train_lora_alpha": "LoRA alpha",
}


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
        (variable_name(name), default_text(field), " ".join((field.description or MEANINGS.get(name, "")).split()))
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
