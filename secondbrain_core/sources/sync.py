"""Incremental sync of one source into the page store.

A page whose `last_edited_time` is unchanged is not fetched at all; a fetched page whose
content hash is unchanged is not rewritten; a page gone from the listing is marked deleted.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from secondbrain_core.sources.page import Page, Source
from secondbrain_core.stores.page_store import PageStore


class SyncReport(BaseModel):
    """What one sync did, in the shape `secondbrain ingest --json` prints."""

    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    fetched: int = 0


def sync_source(source: Source, store: PageStore, on_page: Callable[[Page], None] | None = None) -> SyncReport:
    """Bring the store in line with `source`; safe to re-run after a crash (upserts only)."""
    stubs = source.list_pages()
    known = store.versions(source.name)
    report = SyncReport(pages=len(stubs))
    changed: list[Page] = []
    touched = {}
    for stub in stubs:
        previous = known.get(stub.id)
        if previous and not previous[2] and previous[0] == stub.last_edited_time:
            report.unchanged += 1
            continue
        page = source.fetch_page(stub)
        report.fetched += 1
        if on_page:
            on_page(page)
        if previous is None or previous[2]:
            report.new += 1
            changed.append(page)
        elif previous[1] == page.content_hash:
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
    gone = [pid for pid, (_, _, deleted) in known.items() if not deleted and pid not in listed]
    report.deleted = store.mark_deleted(source.name, gone)
    return report
