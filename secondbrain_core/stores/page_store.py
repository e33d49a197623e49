"""Pages in MongoDB: upserts keyed by (source, page id), soft deletes, nothing duplicated."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from pymongo import ASCENDING, UpdateOne
from pymongo.database import Database

from secondbrain_core.records import parse_record
from secondbrain_core.sources.page import Page

PAGES = "pages"


class StoredVersion(NamedTuple):
    """What the sync needs to know of a stored page, without its body."""

    last_edited_time: datetime
    content_hash: str
    deleted: bool
    checked_at: datetime | None  # when the source was last read for it (None: stored before this was kept)


class PageStore:
    """The document store's view of pages; the same code runs on the local server and Atlas."""

    def __init__(self, db: Database) -> None:
        self.collection = db[PAGES]
        self.collection.create_index([("source", ASCENDING), ("id", ASCENDING)], unique=True)
        self.collection.create_index([("source", ASCENDING), ("deleted", ASCENDING)])

    def versions(self, source: str) -> dict[str, StoredVersion]:
        """page id -> its stored version for one source, without bodies."""
        fields = ("id", "last_edited_time", "content_hash", "deleted", "checked_at")
        cursor = self.collection.find({"source": source}, {"_id": 0, **dict.fromkeys(fields, 1)})
        return {
            d["id"]: StoredVersion(
                _utc(d["last_edited_time"]),
                d["content_hash"],
                bool(d.get("deleted")),
                _utc(d["checked_at"]) if d.get("checked_at") else None,
            )
            for d in cursor
        }

    def upsert(self, pages: Iterable[Page]) -> int:
        now = _now()
        ops = [
            UpdateOne(
                {"source": p.source, "id": p.id},
                {"$set": {**p.model_dump(mode="python"), "deleted": False, "synced_at": now, "checked_at": now}},
                upsert=True,
            )
            for p in pages
        ]
        if not ops:
            return 0
        self.collection.bulk_write(ops, ordered=False)
        return len(ops)

    def mark_deleted(self, source: str, page_ids: Iterable[str]) -> int:
        ids = list(page_ids)
        if not ids:
            return 0
        result = self.collection.update_many(
            {"source": source, "id": {"$in": ids}}, {"$set": {"deleted": True, "deleted_at": _now()}}
        )
        return result.modified_count

    def touch(self, source: str, stamps: dict[str, datetime]) -> None:
        """Record that a fetched page's content was identical: its edit time and when it was read."""
        now = _now()
        ops = [
            UpdateOne({"source": source, "id": pid}, {"$set": {"last_edited_time": ts, "checked_at": now}})
            for pid, ts in stamps.items()
        ]
        if ops:
            self.collection.bulk_write(ops, ordered=False)

    def get(self, page_id: str, source: str | None = None, live: bool = False) -> Page | None:
        """The page with this id, a live copy before a deleted one; with `live`, never a deleted one."""
        query: dict = {"id": page_id}
        if source:
            query["source"] = source
        if live:  # a page whose `deleted` is missing (damaged) is still found, to be named as damaged
            query["deleted"] = {"$ne": True}
        doc = self.collection.find_one(query, {"_id": 0}, sort=[("deleted", ASCENDING)])
        return _to_page(doc) if doc else None

    def live_pages(self, source: str | None = None) -> list[Page]:
        query: dict = {"deleted": False}
        if source:
            query["source"] = source
        return [_to_page(d) for d in self.collection.find(query, {"_id": 0}).sort("id", ASCENDING)]

    def deleted_ids(self, source: str) -> list[str]:
        return [d["id"] for d in self.collection.find({"source": source, "deleted": True}, {"id": 1})]


def _to_page(doc: dict) -> Page:
    """A stored page; a damaged document is an error naming the page, not a pydantic dump."""
    fields = {k: v for k, v in doc.items() if k in Page.model_fields}
    if isinstance(fields.get("last_edited_time"), datetime):
        fields["last_edited_time"] = _utc(fields["last_edited_time"])
    return parse_record(Page, fields, f"page {doc.get('id')!r} of source {doc.get('source')!r} in the document store")


def _utc(value: datetime) -> datetime:
    """BSON dates come back naive; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)
