"""Public seed pairs from installed Python distributions: the `Summary` one-liner of the long `Description`.

Every machine that runs the project has its virtual environment, and each distribution in it
carries its authors' one-line summary ("A very fast and expressive template engine.") and its
README. Unlike man pages' NAME lines (verb phrases: "list directory contents") these are mostly
noun phrases, the form of Debian synopses and many human one-liners. The README is Markdown or
reStructuredText: badges, HTML, headings, code and tables are dropped, the prose kept.
"""

from __future__ import annotations

import importlib.metadata
import re

from secondbrain_core.dataset.documents import Document

SOURCE = "seed-pypi"
PROSE_CHARS = 1500
FENCE = re.compile(r"^\s*(```|~~~)")
RST_UNDERLINE = re.compile(r"^\s*([=\-~^\"'`#*+.:_])\1{2,}\s*$")
INLINE = [
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images and badges
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"`([^`<]+?)\s*<[^>]+>`_+"), r"\1"),  # RST `text <url>`_
    (re.compile(r"</?[a-zA-Z][^>]*>"), ""),  # HTML tags
    (re.compile(r":[a-z:]+:`([^`]+)`"), r"\1"),  # RST roles
    (re.compile(r"\|[^|\s][^|]*\|_?"), ""),  # RST substitutions (badges)
    (re.compile(r"`+([^`]+)`+_?"), r"\1"),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"https?://\S+"), ""),
]


def _clean(line: str) -> str:
    for pattern, replacement in INLINE:
        line = pattern.sub(replacement, line)
    return line


def _is_prose(paragraph: list[str]) -> bool:
    """A paragraph a summary could come from: not a heading, directive, table, code block or link list."""
    first = paragraph[0]
    if first.startswith(("#", ".. ", "|", "+-", "    ", "\t", ">>>", "$ ")) or first.rstrip().endswith(":"):
        return False
    text = _clean(" ".join(paragraph))
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 6


def readme_prose(description: str, limit: int = PROSE_CHARS) -> str:
    """The README's prose paragraphs (list items kept), cleaned of markup, up to about `limit` characters."""
    paragraphs: list[list[str]] = [[]]
    fenced = False
    for line in description.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        if RST_UNDERLINE.match(line):  # an RST heading's underline: drop the title above it too
            if paragraphs[-1]:
                paragraphs[-1].pop()
            paragraphs.append([])
            continue
        if line.strip():
            paragraphs[-1].append(line.rstrip())
        elif paragraphs[-1]:
            paragraphs.append([])
    kept: list[str] = []
    for paragraph in paragraphs:
        if paragraph and _is_prose(paragraph):
            kept.append(" ".join(_clean(line).strip() for line in paragraph).strip())
            if sum(len(p) for p in kept) >= limit:
                break
    return "\n\n".join(kept)


def pypi_documents(paths: list[str] | None = None) -> list[Document]:
    """One document per distribution installed on `paths` (default `sys.path`; first found wins), with
    its Summary and README prose. Filtering (placeholders, copies, leaks, too short) is `seed.py`'s.
    """
    documents: dict[str, Document] = {}
    for dist in importlib.metadata.distributions(**({"path": paths} if paths is not None else {})):
        meta = dist.metadata
        name = (meta.get("Name") or "").strip()
        key = re.sub(r"[-_.]+", "-", name.lower())
        if not name or key in documents:
            continue
        description = meta.get_payload() or meta.get("Description") or ""  # type: ignore[attr-defined]
        summary = " ".join((meta.get("Summary") or "").split())
        documents[key] = Document(f"pypi:{key}", name, readme_prose(str(description)), SOURCE, summary)
    return list(documents.values())
