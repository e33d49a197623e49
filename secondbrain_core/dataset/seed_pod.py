"""Public seed pairs from Perl's core modules: the POD's NAME line summarizes its DESCRIPTION.

Debian's `perl-modules-*` and `libperl*` install the core library with its documentation
(`File::Basename - Parse file paths into directory, filename and suffix.`), written by the
modules' authors and redistributable under Perl's licence. Only the core library is read, not
`/usr/lib/*/perl5` or `/usr/share/perl5`, where Debian's `lib*-perl` packages live (the Debian
public set is built from those packages' descriptions).
"""

from __future__ import annotations

import re
from pathlib import Path

from secondbrain_core.dataset.documents import Document

SOURCE = "seed-pod"
DEFAULT_ROOTS = (Path("/usr/share/perl"), Path("/usr/lib/x86_64-linux-gnu/perl"), Path("/usr/lib/perl"))
PROSE_CHARS = 1500
# C<< $a->{x} >> (2-4 brackets, spaces inside) before C<text>, applied until nothing changes (nested codes)
CODES = [re.compile(rf"([A-Z]){'<' * n}\s+(.*?)\s+{'>' * n}", re.S) for n in (4, 3, 2)]
CODES.append(re.compile(r"([A-Z])<([^<>]*)>"))
ESCAPES = {"lt": "<", "gt": ">", "verbar": "|", "sol": "/", "quot": '"', "amp": "&"}


def _code(match: re.Match[str]) -> str:
    """A POD formatting code's visible text: L<text|target> shows text, E<lt> a glyph, X<> and Z<> nothing."""
    letter, body = match[1], match[2]
    if letter in "XZ":
        return ""
    if letter == "E":
        return ESCAPES.get(body, "")
    if letter == "L":
        return body.split("|")[0] if "|" in body else body.split("/")[0].strip('"')
    return body


def pod_text(text: str) -> str:
    """Plain text of POD prose (formatting codes resolved, innermost first)."""
    previous = None
    while previous != text:
        previous = text
        for code in CODES:
            text = code.sub(_code, text)
    return " ".join(text.split())


def pod_sections(source: str) -> dict[str, list[str]]:
    """Each `=head1` section's prose paragraphs: commands, verbatim (code) blocks and `=begin` blocks skipped."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    skipping = False
    for paragraph in re.split(r"\n\s*\n", source):
        if paragraph.startswith("=head1"):
            current = found.setdefault(paragraph[6:].strip().upper(), [])
        elif paragraph.startswith(("=begin", "=for")):
            skipping = paragraph.startswith("=begin")
        elif paragraph.startswith("=end"):
            skipping = False
        elif paragraph.startswith("=cut"):
            current = None
        elif paragraph.startswith("=item") and current is not None and not skipping:
            current.append(paragraph[5:].strip())
        elif current is not None and not skipping and not paragraph.startswith(("=", " ", "\t")):
            current.append(paragraph)
    return found


def read_module(path: Path) -> Document | None:
    """The module at `path` as a document, or None without a `Name - summary` NAME line or a DESCRIPTION."""
    parts = pod_sections(path.read_text(encoding="utf-8", errors="replace"))
    name, dash, summary = pod_text(" ".join(parts.get("NAME", []))).partition(" - ")
    prose: list[str] = []
    for paragraph in parts.get("DESCRIPTION", []):
        prose.append(pod_text(paragraph))
        if sum(len(p) for p in prose) >= PROSE_CHARS:
            break
    if not dash or not prose or " " in name.strip():
        return None
    name = name.strip()
    return Document(f"pod:{name}", name, "\n\n".join(prose), SOURCE, summary.strip())


def pod_documents(roots: tuple[Path, ...] = DEFAULT_ROOTS) -> list[Document]:
    """Every core module and `.pod` page under `roots` with a NAME line, one per name (first path wins)."""
    documents: dict[str, Document] = {}
    for root in roots:
        paths = sorted(p for p in root.rglob("*") if p.suffix in {".pm", ".pod"}) if root.is_dir() else []
        for path in paths:
            if (doc := read_module(path)) and doc.doc_id not in documents:
                documents[doc.doc_id] = doc
    return list(documents.values())
