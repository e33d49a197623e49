"""Build a non-English BEIR-style set from Debian's translated man pages (offline): "manpages-de" and more.

The other sets are English, and so is the default embedder (MiniLM-L6): a person whose notes and
queries are German (a set written blind for the assistant, personal7, is) gets a dense ranker that
reads their words as sub-word noise while BM25 still matches them exactly. This set measures that
regime. Built like `build_manpages_names.py`, from the pages the manpages-de (or -fr, -es) package
installs, every page whatever its project (coreutils, dpkg, systemd as well as the Linux
man-pages): each becomes a note of the first sentences of its translated DESCRIPTION, titled with
the names its NAME line lists; the NAME line's translated description ("Verzeichnisinhalte
auflisten") is left out of the note and, when it has at most `--max-words` words, becomes a query
judged grade 2 for every page that gives that same description. Rule written before any score on
these sets was seen (2026-12-06 23:40 UTC): German with 3 words (308 queries); French, which has
29 descriptions of at most 3 words, with 6 (217 queries). Split tune/test by a hash of the query id.

    apt-get install -y manpages-de manpages-fr
    python benchmarks/retrieval/build_manpages_translated.py --source /usr/share/man/de --out /tmp/ir/manpages_de
    python benchmarks/retrieval/build_manpages_translated.py --source /usr/share/man/fr --max-words 6 \
        --out /tmp/ir/manpages_fr
"""

from __future__ import annotations

import argparse
import gzip
import unicodedata
from pathlib import Path

from build_manpages_names import write_pages_set
from build_python_faq import query_id

from secondbrain_core.dataset.manpages import ManPage, page_of, sections

# the NAME and DESCRIPTION sections as the translations head them
NAME_SECTIONS = ("NAME", "BEZEICHNUNG", "NOM", "NOMBRE")
DESCRIPTION_SECTIONS = ("DESCRIPTION", "BESCHREIBUNG", "DESCRIPCIÓN")


def first_section(parts: dict[str, str], names: tuple[str, ...]) -> str:
    """The first of `names` the page has, as text ("" when none)."""
    return next((parts[name] for name in names if name in parts), "")


def read_translated_page(path: Path) -> ManPage | None:
    """The translated page at `path`, or None without a "names - description" line or a description."""
    parts = sections(gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace"))
    return page_of(path, first_section(parts, NAME_SECTIONS), first_section(parts, DESCRIPTION_SECTIONS))


def ascii_query_id(text: str) -> str:
    """`query_id` of the text with its accents dropped ("Dateimodusbits ändern" -> "dateimodusbits-andern")."""
    return query_id(unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode())


def build(source: Path, out: Path, max_words: int) -> tuple[int, int]:
    """Write the set for the pages under `source` (man1..man8); (notes, queries) written."""
    paths = [path for path in sorted(source.glob("man[1-8]/*.gz")) if not path.is_symlink()]
    pages = [page for path in paths if (page := read_translated_page(path))]
    return write_pages_set(pages, out, max_words, ascii_query_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("/usr/share/man/de"), help="a translated man tree")
    parser.add_argument("--out", type=Path, required=True, help="where to write corpus/, queries.jsonl, qrels*.tsv")
    parser.add_argument("--max-words", type=int, default=3, help="longest description taken as a query")
    args = parser.parse_args()
    if not args.source.is_dir():
        raise SystemExit(f"{args.source} not found: apt-get install -y manpages-de manpages-fr")
    notes, queries = build(args.source, args.out, args.max_words)
    print(f"{notes} notes, {queries} queries -> {args.out}")


if __name__ == "__main__":
    main()
