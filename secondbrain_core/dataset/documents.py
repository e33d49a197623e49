"""The documents the summarization dataset is built from, and the summaries they already carry.

`read_documents` is the one place that knows where they come from: the ETL's SQL model
`finetune_documents` (pages that passed the stricter quality cut) once it has run, else the live
pages of the document store. A database row's properties lead its Markdown as a list
(`- **Summary:** rebuild indexes`); that list is taken off the text, and a summary a person
wrote there becomes the document's human one-line summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page

# Properties in which a person has already written a summary of the page (a Notion column).
SUMMARY_PROPERTIES = ("summary", "tl;dr", "description", "abstract")
MIN_CHARS = 200  # shorter pages (stubs, titles only) have nothing to summarize
PROPERTY_LINE = re.compile(r"^- \*\*(?P<name>[^*]+):\*\* (?P<value>.*)$")
NOTES = "notes"


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    text: str
    source: str  # "notes" for the user's own documents, else the seed corpus' name
    summary: str | None = None  # a human-written one-line summary, when the document has one


def from_markdown(doc_id: str, title: str, markdown: str) -> Document | None:
    """A note as a document: the body after its property list; None for a table or a stub."""
    lines = markdown.strip().splitlines()
    properties = {}
    while lines and (match := PROPERTY_LINE.match(lines[0])):
        properties[match["name"].strip().lower()] = match["value"].strip()
        lines.pop(0)
    body = "\n".join(lines).strip()
    if len(body) < MIN_CHARS or body.startswith("|"):  # a database renders as a table of other pages
        return None
    summary = next((properties[p] for p in SUMMARY_PROPERTIES if properties.get(p)), None)
    return Document(doc_id, title, body, NOTES, summary)


def from_page(page: Page) -> Document | None:
    return from_markdown(page.id, page.title, page.markdown)


def read_documents(settings: Settings) -> list[Document]:
    """The user's documents in id order: `finetune_documents` when it has run, else the stored live pages."""
    from secondbrain_core.warehouse.results import read_model

    rows = read_model(settings, "finetune_documents")
    if rows is None:
        from secondbrain_core.stores.mongo import open_database
        from secondbrain_core.stores.page_store import PageStore

        rows = [
            {"doc_id": p.id, "title": p.title, "markdown": p.markdown}
            for p in PageStore(open_database(settings)).live_pages()
        ]
    documents = (from_markdown(str(r["doc_id"]), r["title"], r["markdown"]) for r in rows)
    return sorted((d for d in documents if d), key=lambda d: d.doc_id)
