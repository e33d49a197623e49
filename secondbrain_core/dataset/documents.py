"""The documents the summarization dataset is built from, and the summaries they already carry.

`read_documents` is the one place that knows where they come from: today the live pages of the
document store; once the ETL's `finetune_documents` model lands, that table (same fields).
"""

from __future__ import annotations

from dataclasses import dataclass

from secondbrain_core.settings import Settings
from secondbrain_core.sources.notion_blocks import render_properties
from secondbrain_core.sources.page import Page

# Properties in which a person has already written a summary of the page (a Notion column).
SUMMARY_PROPERTIES = ("Summary", "TL;DR", "Description", "Abstract")
MIN_CHARS = 200  # shorter pages (stubs, titles only) have nothing to summarize


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    text: str
    source: str  # "notes" for the user's own documents, else the seed corpus' name
    summary: str | None = None  # a human-written one-line summary, when the document has one


def from_page(page: Page) -> Document | None:
    """A stored page as a document: its body without the property list (which may hold the summary)."""
    if "columns" in page.properties:  # a database: its text is a table of other pages
        return None
    shown = render_properties(page.properties)
    body = page.markdown.removeprefix(shown).strip() if shown else page.markdown.strip()
    if len(body) < MIN_CHARS:
        return None
    summary = next((str(page.properties[p]).strip() for p in SUMMARY_PROPERTIES if page.properties.get(p)), None)
    return Document(page.id, page.title, body, "notes", summary or None)


def read_documents(settings: Settings) -> list[Document]:
    """The user's documents, in id order (the live pages of the document store)."""
    from secondbrain_core.stores.mongo import open_database
    from secondbrain_core.stores.page_store import PageStore

    pages = PageStore(open_database(settings)).live_pages()
    return sorted((d for p in pages if (d := from_page(p))), key=lambda d: d.doc_id)
