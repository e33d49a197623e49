"""Build the public BEIR-style set "manpages-names" from Debian's manpages and manpages-dev (offline).

A keyword set over short notes, the kind the FAQ and module sets lack: a topic typed in one to
three words ("sine function", "port I/O", "execute program") and the few-sentence notes that
answer it, among some 2,500 notes of which many are near-duplicates (sin/sinh/asin/csin,
the pthread_attr_* family, pages shipped twice under two names). Each page of the Linux
man-pages project becomes one note: the opening sentences of its DESCRIPTION, titled with the
names its NAME line lists ("sin, sinf, sinl"). The NAME line's own description ("sine
function") is left out of the note and, when it is one to three words long, becomes a query,
judged grade 2 for every page that gives that same description. Rule written before any score
on this set was seen. Queries are split tune/test by a hash of their id (`qrels-tune.tsv`,
`qrels-test.tsv`).

    apt-get install -y manpages manpages-dev
    python benchmarks/retrieval/build_manpages_names.py --out /tmp/manpages-names
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

from build_python_faq import notes_and_queries, query_id, set_cli, write_judged, write_note

DEFAULT_SOURCE = Path("/usr/share/man")
MAX_QUERY_WORDS = 3
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
    """A page's names (its note's title), its NAME description (a query) and its opening sentences (the note)."""

    doc_id: str
    names: str
    description: str
    note: str


def read_page(path: Path) -> ManPage | None:
    """The page at `path` (`sin.3.gz`), or None if it is an alias (`.so`), not the man-pages project's, or empty."""
    source = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
    if not PROJECT.search(source):
        return None
    parts = sections(source)
    names, dash, description = " ".join(parts.get("NAME", "").split()).partition(" - ")
    body = parts.get("DESCRIPTION") or parts.get("OVERVIEW") or ""
    sentences = SENTENCE_END.split(" ".join(body.split()))
    note = " ".join(sentences[:NOTE_SENTENCES]).strip()
    if not dash or not note:
        return None
    return ManPage(path.name.removesuffix(".gz"), names.strip(), description.strip(), note)


def build(source: Path, out: Path) -> tuple[int, int]:
    """Write the set for the pages under `source` (man1..man8); (notes, queries) written."""
    pages = [
        page for path in sorted(source.glob("man[1-8]/*.gz")) if not path.is_symlink() and (page := read_page(path))
    ]
    queries: dict[str, str] = {}
    judgments: list[tuple[str, str, int]] = []
    for page in pages:
        write_note(out, page.doc_id, page.names, page.note)
        key = query_id(page.description)
        if key and len(page.description.split()) <= MAX_QUERY_WORDS:
            queries.setdefault(key, page.description)
            judgments.append((key, page.doc_id, 2))
    ordered = dict(sorted(queries.items()))
    write_judged(out, ordered, sorted(judgments))
    return len(pages), len(ordered)


def main() -> None:
    source_help, packages = "a man page tree (man1/ ... man8/)", "manpages manpages-dev"
    set_cli(__doc__.splitlines()[0], DEFAULT_SOURCE, source_help, packages, notes_and_queries(build))


if __name__ == "__main__":
    main()
