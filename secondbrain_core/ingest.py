"""Ingest configured sources into the document store and the raw snapshot."""

from __future__ import annotations

from secondbrain_core.settings import Settings
from secondbrain_core.sources.registry import configured_sources, open_source
from secondbrain_core.sources.snapshot import SnapshotWriter
from secondbrain_core.sources.sync import SyncReport, sync_source
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore


def ingest_source(spec: str, settings: Settings) -> SyncReport:
    """Sync one source incrementally; changed pages also land in the raw snapshot.

    The manifest is rewritten only when it no longer matches the store (the ids and hashes the
    sync already read),
    so a no-change re-sync reads no page bodies, and a run that crashed before the manifest
    step is repaired by the next one.
    """
    source = open_source(spec, settings)
    # Listed before the store opens: a refused token or a damaged export fails here, before a
    # local database server is started or anything is written under the home.
    stubs = source.list_pages()
    store = PageStore(open_database(settings))
    with SnapshotWriter(settings, source.name) as snapshot:
        report = sync_source(source, store, on_page=snapshot.write, stubs=stubs)
        if report.fetched or snapshot.manifest_hashes != report.live_hashes:
            snapshot.write_manifest(store.live_pages(source.name))
    return report


def ingest_all(settings: Settings, only: str | None = None) -> dict[str, SyncReport]:
    """Every configured source (or `only` this one), all specs checked before the first is read."""
    return {spec: ingest_source(spec, settings) for spec in configured_sources(settings, only)}
