"""Incremental sync of one source into the page store.

A page whose `last_edited_time` is unchanged is not fetched at all; a fetched page whose
content hash is unchanged is not rewritten; a page gone from the listing is marked deleted.
A page the source cannot read (`UnreadablePage`) is skipped with a warning and keeps its stored
version; a listing that stopped early marks nothing deleted.

Edit times only as fine as the source reports them (Notion: the minute) cannot tell an edit
made later in the minute the page was last read from no edit, so such a page is read once
more, until it has been read a whole resolution after its edit time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from secondbrain_core.sources.page import Page, PageStub, Source, UnreadablePage
from secondbrain_core.stores.page_store import PageStore, StoredVersion

log = logging.getLogger(__name__)


class SyncReport(BaseModel):
    """What one sync did, in the shape `secondbrain ingest --json` prints."""

    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    fetched: int = 0
    skipped: int = 0  # listed but malformed: left as stored before, each named in a warning
    # page id -> content hash of every live page after the sync (not printed): saves the caller
    # a second read of the store to compare against the raw snapshot's manifest
    live_hashes: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)


def sync_source(
    source: Source,
    store: PageStore,
    on_page: Callable[[Page], None] | None = None,
    stubs: list[PageStub] | None = None,
) -> SyncReport:
    """Bring the store in line with `source`; safe to re-run after a crash (upserts only).

    `stubs` is the source's listing when the caller already took it.
    """
    stubs = source.list_pages() if stubs is None else stubs
    known = store.versions(source.name)
    report = SyncReport(pages=len(stubs))
    changed: list[Page] = []
    touched = {}
    fetched_hashes: dict[str, str] = {}
    for stub in stubs:
        previous = known.get(stub.id)
        if previous and not previous.deleted and _settled(previous, stub.last_edited_time, source.edit_time_resolution):
            report.unchanged += 1
            continue
        try:
            page = source.fetch_page(stub)
        except UnreadablePage as exc:
            log.warning("skipping page %s of %s: %s", stub.id, source.name, exc)
            report.skipped += 1
            continue
        fetched_hashes[page.id] = page.content_hash
        report.fetched += 1
        if on_page:
            on_page(page)
        if previous is None or previous.deleted:
            report.new += 1
            changed.append(page)
        elif previous.content_hash == page.content_hash:
            report.unchanged += 1
            touched[page.id] = page.last_edited_time
        else:
            report.updated += 1
            changed.append(page)
        if len(changed) >= 200:
            store.upsert(changed)
            changed.clear()
    store.upsert(changed)
    store.touch(source.name, touched)
    listed = {s.id for s in stubs}
    if source.listing_complete:
        gone = [pid for pid, version in known.items() if not version.deleted and pid not in listed]
        report.deleted = store.mark_deleted(source.name, gone)
    else:
        log.warning("%s: the listing stopped early, so no page is taken for deleted this time", source.name)
        listed |= set(known)  # their stored hashes still stand
    report.live_hashes = {pid: v.content_hash for pid, v in known.items() if pid in listed and not v.deleted}
    report.live_hashes.update(fetched_hashes)
    return report


def _settled(stored: StoredVersion, listed_edit: datetime, resolution: timedelta) -> bool:
    """The listing shows the stored edit time, and the page was read after that time could still change."""
    if stored.last_edited_time != listed_edit:
        return False
    return stored.checked_at is None or stored.checked_at >= listed_edit + resolution
