"""A Notion export in HTML, turned into the files of its "Markdown & CSV" twin.

Notion offers both formats under Export; a user who picked HTML gets `Title <id>.html` per page
(title in `<h1 class="page-title">`, a database row's properties in `<table class="properties">`,
the text in `<div class="page-body">`) and, per database, one `.html` whose
`<table class="collection-content">` lists the rows. Writing each page as the `.md` Notion would
have written (`# Title`, `Key: value` lines, the body as Markdown, links to `.md`) and each
database as its `.csv` lets the one export parser read both. An `.html` file without Notion's
`<article class="page">` is an attachment, not a page, and is left alone.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter

if TYPE_CHECKING:  # export_files reads the files and calls `from_html`
    from secondbrain_core.sources.export_files import ExportFile

HTML_SUFFIXES = (".html", ".htm")


class _Converter(MarkdownConverter):
    """markdownify with fenced code, `-` bullets, and links between exported pages to `.md`."""

    def __init__(self) -> None:
        super().__init__(
            heading_style="ATX",
            bullets="-",
            escape_underscores=False,
            escape_asterisks=False,
            code_language_callback=_code_language,
        )

    def convert_a(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        href = el.get("href")
        if isinstance(href, str) and _is_page_link(href):
            el["href"] = href.rsplit(".", 1)[0] + ".md"
        return super().convert_a(el, text, parent_tags)


def _code_language(pre: Tag) -> str:
    """`python` from Notion's `<pre class="code"><code class="language-Python">`."""
    code = pre.find("code")
    classes = code.get("class") or [] if isinstance(code, Tag) else []
    return next((c.removeprefix("language-").lower() for c in classes if c.startswith("language-")), "")


def _is_page_link(href: str) -> bool:
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and parts.path.lower().endswith(HTML_SUFFIXES)


def from_html(files: list[ExportFile]) -> list[ExportFile]:
    """`files` with every Notion HTML page replaced by its `.md` (a database by its `.csv`)."""
    converted = []
    for file in files:
        page = _page(file) if file.suffix in HTML_SUFFIXES else None
        converted.append(page or file)
    return converted


def _page(file: ExportFile) -> ExportFile | None:
    soup = BeautifulSoup(file.text, "lxml")
    article = soup.find("article", class_="page")
    if not isinstance(article, Tag):
        return None
    heading = article.find(class_="page-title")
    title = _text(heading) if isinstance(heading, Tag) else (soup.title.get_text(strip=True) if soup.title else "")
    table = article.find("table", class_="collection-content")
    if isinstance(table, Tag):
        return replace(file, path=file.path.with_suffix(".csv"), text=_csv(table))
    lines = [f"# {title}", ""]
    properties = article.find("table", class_="properties")
    if isinstance(properties, Tag):
        lines += [f"{_text(row.th)}: {_text(row.td)}" for row in properties.find_all("tr") if row.th and row.td]
        lines.append("")
    body = article.find(class_="page-body")
    if isinstance(body, Tag):
        _equations_as_tex(body)
        for contents in body.select("nav.table_of_contents"):
            contents.decompose()  # the page's headings again, each a passage of one word
        for box in body.select("div.checkbox"):  # a to-do's state, drawn by CSS
            box.replace_with("[x] " if "checkbox-on" in (box.get("class") or []) else "[ ] ")
        for image_link in [a for a in body.find_all("a") if a.find("img")]:
            image_link.unwrap()  # Notion links each image to its own file: the image alone says it
        lines.append(_Converter().convert_soup(body).strip())
    return replace(file, path=file.path.with_suffix(".md"), text="\n".join(lines).strip() + "\n")


def _csv(table: Tag) -> str:
    """The database's rows as Notion's CSV: a header row, then one row per entry."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = table.find("thead")
    if isinstance(header, Tag):
        writer.writerow([_text(cell) for cell in header.find_all("th")])
    body = table.find("tbody") or table
    for row in body.find_all("tr"):
        if row.find_parent("thead") is None:
            writer.writerow([_text(cell) for cell in row.find_all("td")])
    return out.getvalue()


def _text(cell: Tag) -> str:
    """A cell's or title's text: property icons dropped, multi-select values joined by `, `."""
    for icon in cell.select(".icon, svg"):
        icon.decompose()
    values = cell.select(".selected-value")
    if values:
        return ", ".join(v.get_text(" ", strip=True) for v in values)
    return " ".join(cell.get_text(" ", strip=True).split())


def _equations_as_tex(body: Tag) -> None:
    """KaTeX renders each equation twice (MathML and spans); keep its TeX source instead."""
    for katex in body.select(".katex"):
        tex = katex.find("annotation", attrs={"encoding": "application/x-tex"})
        source = tex.get_text().strip() if tex else katex.get_text(" ", strip=True)
        block = katex.find_parent(class_="equation") is not None
        katex.replace_with(f"\n$$\n{source}\n$$\n" if block else f"${source}$")
