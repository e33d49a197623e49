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

from collections.abc import Callable
from pathlib import Path

from build_python_faq import notes_and_queries, query_id, set_cli, write_judged, write_note

from secondbrain_core.dataset.manpages import DEFAULT_SOURCE, ManPage, read_pages

MAX_QUERY_WORDS = 3


def build(source: Path, out: Path) -> tuple[int, int]:
    """Write the set for the pages under `source` (man1..man8); (notes, queries) written."""
    return write_pages_set(read_pages(source), out, MAX_QUERY_WORDS)


def write_pages_set(
    pages: list[ManPage], out: Path, max_words: int, key_of: Callable[[str], str] = query_id
) -> tuple[int, int]:
    """Each page a note; each NAME description of at most `max_words` words a query (its id
    `key_of` the description), judged 2 on every page giving it; (notes, queries) written."""
    queries: dict[str, str] = {}
    judgments: list[tuple[str, str, int]] = []
    for page in pages:
        write_note(out, page.doc_id, page.names, page.note)
        key = key_of(page.description)
        if key and len(page.description.split()) <= max_words:
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
