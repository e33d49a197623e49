"""Build the public BEIR-style set "django-faq" from Debian's python-django-doc (offline).

A second public set, built after the fusion was chosen on python-faq's tune half and never
used to choose anything: all of its questions are test queries (`qrels.tsv`). Same shape as
python-faq: each FAQ answer is one note titled with its chapter ("FAQ: Databases and
models"), never with its question; the question is the query, its own answer grade 2.

    apt-get install -y python-django-doc
    python benchmarks/retrieval/build_django_faq.py --out /tmp/django-faq
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bs4 import BeautifulSoup
from build_python_faq import FaqEntry, write_faq_set

DEFAULT_SOURCE = Path("/usr/share/doc/python-django-doc/html/faq")


def parse_chapter(path: Path) -> list[FaqEntry]:
    """Every `<h2>` that asks a question, with the text under it, from one FAQ page."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for link in soup.select("a.headerlink"):
        link.decompose()
    title = soup.select_one("div.section h1")  # the page's own h1, not the site header's
    chapter = title.get_text(" ", strip=True) if title else path.stem
    entries = []
    for number, heading in enumerate(soup.find_all("h2"), start=1):
        question = heading.get_text(" ", strip=True)
        section = heading.parent
        heading.decompose()
        answer = "\n\n".join(
            block.get_text(" ", strip=True) for block in section.find_all(["p", "pre", "li"], recursive=True)
        )
        if question.endswith("?") and answer:
            entries.append(FaqEntry(f"{path.stem}-{number:03d}", chapter, question, answer))
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder of the FAQ .html pages")
    parser.add_argument("--out", type=Path, required=True, help="where to write corpus/, queries.jsonl, qrels*.tsv")
    args = parser.parse_args()
    if not args.source.is_dir():
        raise SystemExit(f"{args.source} not found: apt-get install -y python-django-doc")
    entries = [e for page in sorted(args.source.glob("*.html")) if page.stem != "index" for e in parse_chapter(page)]
    print(f"{write_faq_set(entries, args.out)} questions written to {args.out}")


if __name__ == "__main__":
    main()
