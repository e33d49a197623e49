"""Build the public BEIR-style set "python-index" from Debian's python3-doc (offline).

Long pages with many headings, queried by the short topic phrases their authors indexed them
under: the set none of the FAQ sets covers. Each page of the language reference, the tutorial,
the HOWTOs, "Using Python", "Extending and Embedding" and the C API becomes one note, its RST
headings turned into Markdown headings (`##`, `###` ... by order of first use, as RST ranks them)
so the heading path a chunk carries is the page's own. Every entry of the pages' `.. index::`
directives gives a keyword query of one to three words: a pair or triple its parts joined
("pair: dangling; else" -> "dangling else"), an old-style typed entry its name and type
("statement: if" -> "if statement", "builtin: range" -> "range built-in function"), a `see`
entry its first part. It is judged grade 2 for every page that indexes it; an entry that more
than three pages index is too generic to judge and is dropped. The directives themselves are
removed from the notes. Rule written before any score on this set was seen. Queries are split
tune/test by a hash of their id (`qrels-tune.tsv`, `qrels-test.tsv`).

    apt-get install -y python3-doc
    python benchmarks/retrieval/build_python_index.py --out /tmp/python-index
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from build_python_faq import notes_and_queries, plain, query_id, set_cli, write_judged, write_note

DEFAULT_SOURCE = Path("/usr/share/doc/python3-doc/html/_sources")
CHAPTERS = ("reference", "tutorial", "howto", "using", "extending", "c-api")
MAX_QUERY_WORDS = 3
MAX_PAGES_PER_TERM = 3
RULE = re.compile(r"""^([=\-~^*"+#'`:.])\1{2,}\s*$""")
INDEX = re.compile(r"^(?P<indent>\s*)\.\. index::\s*(?P<args>.*)$")
TARGET = re.compile(r"^\s*\.\. _[^:]+:\s*$")
TYPES = {
    "module": "module",
    "keyword": "keyword",
    "operator": "operator",
    "object": "object",
    "exception": "exception",
    "statement": "statement",
    "builtin": "built-in function",
}


def index_terms(entry: str) -> list[str]:
    """The query phrases one `.. index::` entry gives ("pair: dangling; else" -> ["dangling else"])."""
    kind, colon, value = entry.lstrip("! ").partition(":")
    if not colon or kind.strip() not in {*TYPES, "single", "pair", "triple", "see", "seealso"}:
        return [plain(term).strip() for term in entry.split(",") if term.strip()]
    kind = kind.strip()
    parts = [plain(part).strip().lstrip("!").strip() for part in value.split(";")]
    parts = [part for part in parts if part]
    if not parts:
        return []
    if kind in TYPES:
        return [f"{parts[0]} {TYPES[kind]}"]
    if kind in {"see", "seealso"}:
        return [parts[0]]
    return [" ".join(parts)]


@dataclass(frozen=True)
class Page:
    """A reference page as a Markdown note, with the phrases its index directives gave."""

    doc_id: str
    title: str
    body: str
    terms: tuple[str, ...]


def read_page(doc_id: str, text: str) -> Page:
    """Markdown headings for RST ones, index directives taken out (their entries kept as terms), labels dropped."""
    lines = text.splitlines()
    styles: list[tuple[str, bool]] = []  # (underline character, has overline), in order of first use
    title, out, terms = doc_id, [], []
    i = 0
    while i < len(lines):
        line = lines[i]
        directive = INDEX.match(line)
        if directive:
            entries = [directive["args"]]
            i += 1
            while (
                i < len(lines)
                and lines[i].strip()
                and len(lines[i]) - len(lines[i].lstrip()) > len(directive["indent"])
            ):
                entries.append(lines[i].strip())
                i += 1
            terms += [term for entry in entries if entry for term in index_terms(entry)]
            continue
        overline = bool(RULE.match(line)) and i + 2 < len(lines) and lines[i + 2].rstrip() == line.rstrip()
        text_at = i + 1 if overline else i
        under = lines[text_at + 1] if text_at + 1 < len(lines) else ""
        heading = lines[text_at].strip()
        if heading and not RULE.match(lines[text_at]) and RULE.match(under) and len(under.rstrip()) >= len(heading):
            style = (under.strip()[0], overline)
            if style not in styles:
                styles.append(style)
            level = styles.index(style) + 1
            if level == 1 and title == doc_id:
                title = plain(heading)
            else:
                out.append(f"{'#' * max(level, 2)} {plain(heading)}")
            i = text_at + 2
            continue
        if not TARGET.match(line):
            out.append(plain(line))
        i += 1
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
    return Page(doc_id, title, body, tuple(terms))


def build(source: Path, out: Path) -> tuple[int, int]:
    """Write the set for the chapters under `source`; (notes, queries) written."""
    pages_of: dict[str, set[str]] = defaultdict(set)
    text_of: dict[str, str] = {}
    notes = 0
    for chapter in CHAPTERS:
        for path in sorted((source / chapter).glob("*.rst.txt")):
            page = read_page(f"{chapter}-{path.name.removesuffix('.rst.txt')}", path.read_text(encoding="utf-8"))
            if not page.body:
                continue
            write_note(out, page.doc_id, page.title, page.body)
            notes += 1
            for term in page.terms:
                key = query_id(term)
                if key and len(term.split()) <= MAX_QUERY_WORDS:
                    pages_of[key].add(page.doc_id)
                    text_of.setdefault(key, term)
    kept = sorted(key for key, pages in pages_of.items() if len(pages) <= MAX_PAGES_PER_TERM)
    write_judged(
        out, {key: text_of[key] for key in kept}, [(key, doc, 2) for key in kept for doc in sorted(pages_of[key])]
    )
    return notes, len(kept)


def main() -> None:
    source_help, packages = "the RST sources of python3-doc", "python3-doc"
    set_cli(__doc__.splitlines()[0], DEFAULT_SOURCE, source_help, packages, notes_and_queries(build))


if __name__ == "__main__":
    main()
