"""One record for what gets scored, filtered and indexed: a live note or an ok crawled page.

Quality scores, the SQL models and the chunker see notes and crawled pages alike, so both
become a `Document`. A crawled page has no Notion id; its `doc_id` is derived from its
canonical URL (`crawl:` + 16 hex of its sha1), stable across re-crawls, and its URL is the
citation a search hit shows.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel
from pymongo.database import Database

from secondbrain_core.crawl.store import CrawledPage, CrawlStore
from secondbrain_core.sources.page import Page
from secondbrain_core.stores.page_store import PageStore

Kind = Literal["note", "crawled"]
CRAWL_PREFIX = "crawl:"


class Document(BaseModel):
    doc_id: str
    kind: Kind
    source: str
    title: str
    url: str
    markdown: str
    content_hash: str


def crawl_doc_id(url: str) -> str:
    """The stable page id of a crawled URL."""
    return CRAWL_PREFIX + hashlib.sha1(url.encode()).hexdigest()[:16]


def from_note(page: Page) -> Document:
    return Document(
        doc_id=page.id,
        kind="note",
        source=page.source,
        title=page.title,
        url=page.url,
        markdown=page.markdown,
        content_hash=page.content_hash,
    )


def from_crawled(page: CrawledPage, source: str) -> Document:
    """A crawled page as seen from one source that links it (one document per linking source)."""
    return Document(
        doc_id=crawl_doc_id(page.url),
        kind="crawled",
        source=source,
        title=page.title or page.url,
        url=page.final_url or page.url,
        markdown=page.markdown,
        content_hash=page.content_hash,
    )


def source_documents(db: Database, source: str) -> list[Document]:
    """The live notes of `source` and the ok pages its notes link, notes first."""
    notes = [from_note(p) for p in PageStore(db).live_pages(source)]
    crawled = [from_crawled(p, source) for p in CrawlStore(db).ok_pages(source)]
    return notes + crawled


def crawled_as_page(page: CrawledPage, source: str) -> Page:
    """A crawled page as the chunker's input: its fetch URL is the citation, its fetch time the
    edit time, `kind: crawled` a property (so a hit can be told from a note)."""
    doc = from_crawled(page, source)
    return Page(
        id=doc.doc_id,
        source=source,
        title=doc.title,
        url=doc.url,
        markdown=doc.markdown,
        properties={"kind": "crawled"},
        last_edited_time=page.fetched_at,
    )


def find_document(db: Database, doc_id: str) -> Page | None:
    """A live note by its page id, or an ok crawled page by its `crawl:` id, as a `Page`; a note
    deleted at its source is neither shown (`secondbrain show`) nor read (the agent's tools)."""
    doc_id = doc_id.strip()
    if not doc_id.startswith(CRAWL_PREFIX):
        return PageStore(db).get(doc_id, live=True)
    for page in CrawlStore(db).ok_pages():
        if crawl_doc_id(page.url) == doc_id:
            return crawled_as_page(page, page.sources[0] if page.sources else "")
    return None
