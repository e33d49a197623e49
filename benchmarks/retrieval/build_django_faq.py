"""Build the public BEIR-style set "django-faq" from Debian's python-django-doc (offline).

A second public set, built after the fusion was chosen on python-faq's tune half and never
used to choose anything: all of its questions are test queries (`qrels.tsv`). Same shape as
python-faq: each FAQ answer is one note titled with its chapter ("FAQ: Databases and
models"), never with its question; the question is the query, its own answer grade 2.

    apt-get install -y python-django-doc
    python benchmarks/retrieval/build_django_faq.py --out /tmp/django-faq
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from build_python_faq import FaqEntry, faq_cli

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


def collect(source: Path) -> list[FaqEntry]:
    """Every answered question of the FAQ pages under `source` (the index page lists them only)."""
    return [entry for page in sorted(source.glob("*.html")) if page.stem != "index" for entry in parse_chapter(page)]


def main() -> None:
    faq_cli(__doc__.splitlines()[0], DEFAULT_SOURCE, "python-django-doc", collect)


if __name__ == "__main__":
    main()
