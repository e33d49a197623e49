"""Crawled pages in MongoDB: one document per canonical URL, upserted, never duplicated.

The collection `crawled_pages` is read by later steps (quality scores, the SQL models), so its
shape is a contract: `{_id: canonical url, url, final_url, status, reason, http_status, title,
markdown, content_hash, etag, last_modified, fetched_at, linked_from: [{source, page_id}],
sources}` (plus `body_hash`, the fetched body's hash). `linked_from`/`sources` say which notes
link a URL; a URL no note links any more keeps its document (its last crawl) but drops out of
`sources`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field
from pymongo import ASCENDING, UpdateOne
from pymongo.database import Database

from secondbrain_core.records import parse_record

CRAWLED_PAGES = "crawled_pages"
Status = Literal["ok", "blocked", "error"]


class LinkRef(BaseModel):
    """A note that links a URL."""

    source: str
    page_id: str


class CrawledPage(BaseModel):
    """One crawled URL: its last fetch's outcome and, when it worked, its Markdown."""

    url: str  # canonical
    final_url: str = ""
    status: Status
    reason: str | None = None
    http_status: int | None = None
    title: str = ""
    markdown: str = ""
    content_hash: str = ""
    body_hash: str = ""  # sha256 of the fetched body: an identical body is not converted again
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime
    linked_from: list[LinkRef] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


def sha256_hex(text: str) -> str:
    """`content_hash` (of the Markdown) and `body_hash` (of the fetched text) of a crawled page."""
    return hashlib.sha256(text.encode()).hexdigest()


class CrawlStore:
    """The document store's view of crawled pages."""

    def __init__(self, db: Database) -> None:
        self.collection = db[CRAWLED_PAGES]
        self.collection.create_index([("sources", ASCENDING), ("status", ASCENDING)])

    def upsert(self, page: CrawledPage) -> None:
        """Replace the URL's document with `page` (keyed by its canonical URL)."""
        doc = page.model_dump(mode="python")
        self.collection.replace_one({"_id": page.url}, {"_id": page.url, **doc}, upsert=True)

    def get(self, url: str) -> CrawledPage | None:
        doc = self.collection.find_one({"_id": url})
        return _to_page(doc) if doc else None

    def get_many(self, urls: Iterable[str]) -> dict[str, CrawledPage]:
        """url -> stored page, for the URLs that have one."""
        return {d["_id"]: _to_page(d) for d in self.collection.find({"_id": {"$in": list(urls)}})}

    def pages(self, source: str | None = None) -> list[CrawledPage]:
        """Every crawled page a note of `source` links (all sources when None), whatever its status."""
        query = {"sources": source} if source else {}
        return [_to_page(d) for d in self.collection.find(query).sort("_id", ASCENDING)]

    def ok_pages(self, source: str | None = None) -> list[CrawledPage]:
        """The pages whose last crawl produced Markdown, linked by a note of `source` (all when None)."""
        query: dict = {"status": "ok"}
        if source:
            query["sources"] = source
        return [_to_page(d) for d in self.collection.find(query).sort("_id", ASCENDING)]

    def set_links(self, source: str, linked: dict[str, list[LinkRef]]) -> None:
        """Record that `source`'s notes now link exactly the URLs in `linked` (url -> the notes):
        the other URLs lose this source's references; nothing is fetched here. One read, and a
        write only for the documents whose references changed."""
        query = {"$or": [{"sources": source}, {"_id": {"$in": list(linked)}}]}
        ops = []
        for doc in self.collection.find(query, {"linked_from": 1}):
            before = doc.get("linked_from", [])
            refs = [r for r in before if r.get("source") != source]
            refs += [r.model_dump() for r in linked.get(doc["_id"], [])]
            if refs != before:
                update = {"linked_from": refs, "sources": sorted({r["source"] for r in refs})}
                ops.append(UpdateOne({"_id": doc["_id"]}, {"$set": update}))
        if ops:
            self.collection.bulk_write(ops, ordered=False)


def _to_page(doc: dict) -> CrawledPage:
    fields = {k: v for k, v in doc.items() if k in CrawledPage.model_fields}
    if isinstance(fields.get("fetched_at"), datetime) and fields["fetched_at"].tzinfo is None:
        fields["fetched_at"] = fields["fetched_at"].replace(tzinfo=UTC)
    return parse_record(CrawledPage, fields, f"crawled page {doc.get('_id')!r} in the document store")
