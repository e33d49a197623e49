"""Debian's man pages (Linux man-pages project) as plain text: the public seed of one-line summaries.

A man page's NAME line ("sin, sinf, sinl - sine function") is a human-written one-line summary
of its DESCRIPTION, written by the page's authors and redistributable with it. The same parsing
serves the retrieval set `benchmarks/retrieval/build_manpages_names.py`.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SOURCE = Path("/usr/share/man")
NOTE_SENTENCES = 3
PROJECT = re.compile(r'^\.TH .*"Linux man-pages', re.M)
ARGUMENT = re.compile(r'"((?:[^"]|"")*)"|(\S+)')
NAMED = {"em": "—", "en": "–", "aq": "'", "dq": '"', "lq": "“", "rq": "”", "rs": "\\", "bu": "•"}
SINGLE = {"-": "-", "e": "\\", "\\": "\\", "`": "`", " ": " ", "~": " "}
ESCAPE = re.compile(r"\\(?:[f*](?:\(..|\[[^]]*\]|.)|\((..)|\[([^]]*)\]|(.))")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
BREAKS = {".PP", ".P", ".LP", ".TP", ".IP", ".sp", ".br", ".SS", ".TQ"}


def unescape(match: re.Match[str]) -> str:
    """A troff escape's text: a named glyph, an escaped character, or nothing (font changes, strings, spacing)."""
    name = match[1] or match[2]
    return NAMED.get(name, "") if name else SINGLE.get(match[3] or "", "")


def roff_line(line: str) -> str | None:
    """One troff source line as plain text, "" for a paragraph break, None for markup that shows nothing."""
    if line.startswith(('.\\"', "'\\\"")):
        return None
    if line.startswith("."):
        macro, _, rest = line.partition(" ")
        if macro in BREAKS:
            return ""
        args = [quoted.replace('""', '"') if quoted else bare for quoted, bare in ARGUMENT.findall(rest)]
        if macro in {".B", ".I", ".SM", ".SB"}:
            line = " ".join(args)
        elif macro in {".BR", ".RB", ".IR", ".RI", ".BI", ".IB"}:
            line = "".join(args)  # alternating fonts are set without spaces between them
        else:
            return None
    return ESCAPE.sub(unescape, line)


def sections(source: str) -> dict[str, str]:
    """Each `.SH` section of a page as plain text, paragraphs separated by blank lines."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in source.splitlines():
        if line.startswith(".SH"):
            name = " ".join(a or b for a, b in ARGUMENT.findall(line[3:])).upper()
            current = found.setdefault(name, [])
            continue
        text = roff_line(line)
        if current is not None and text is not None:
            current.append(text)
    return {name: re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() for name, lines in found.items()}


@dataclass(frozen=True)
class ManPage:
    """A page's names, its NAME description (the human one-line summary), its opening sentences
    and its whole DESCRIPTION (paragraphs kept)."""

    doc_id: str
    names: str
    description: str
    note: str
    body: str


def read_page(path: Path) -> ManPage | None:
    """The page at `path` (`sin.3.gz`), or None if it is an alias (`.so`), not the man-pages project's, or empty."""
    source = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
    if not PROJECT.search(source):
        return None
    parts = sections(source)
    return page_of(path, parts.get("NAME", ""), parts.get("DESCRIPTION") or parts.get("OVERVIEW") or "")


def page_of(path: Path, name_section: str, body: str) -> ManPage | None:
    """The page at `path` from its NAME section's text ("sin, sinf - sine function") and its
    description, or None without a "names - description" line or a description."""
    names, dash, description = " ".join(name_section.split()).partition(" - ")
    note = " ".join(SENTENCE_END.split(" ".join(body.split()))[:NOTE_SENTENCES]).strip()
    if not dash or not note:
        return None
    return ManPage(path.name.removesuffix(".gz"), names.strip(), description.strip(), note, body)


def read_pages(source: Path = DEFAULT_SOURCE) -> list[ManPage]:
    """Every man-pages project page under `source` (man1..man8), in path order; symlinked aliases skipped."""
    return [
        page for path in sorted(source.glob("man[1-8]/*.gz")) if not path.is_symlink() and (page := read_page(path))
    ]
