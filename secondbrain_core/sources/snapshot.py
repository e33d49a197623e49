"""The raw snapshot: every page of a source as JSON, plus a manifest of the live ones.

Pages land under `<source-slug>/pages/<encoded page id>.json` (`page_file_name`), in S3 when
`s3_snapshot_uri` is set and under `$SECONDBRAIN_HOME/raw/` otherwise. The manifest is written
last, so a crashed run leaves the previous manifest (and the pages it names) valid; a page whose
content hash the manifest already records is not written again, so re-runs cost nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import TracebackType
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page
from secondbrain_core.sources.snapshot_store import SnapshotStore, manifest_key, open_store, page_key, source_slug

Record = TypeVar("Record", bound=BaseModel)


class ManifestEntry(BaseModel):
    """Enough to list a page without reading it."""

    id: str
    title: str
    content_hash: str
    last_edited_time: datetime


class Manifest(BaseModel):
    source: str
    written_at: datetime
    pages: list[ManifestEntry]


def read_manifest(store: SnapshotStore, key: str) -> Manifest | None:
    """The manifest at `key`, None when there is none; one that does not parse is named."""
    data = store.get(key)
    return parse_snapshot_json(Manifest, data, store, key) if data is not None else None


def parse_snapshot_json(model: type[Record], data: bytes, store: SnapshotStore, key: str) -> Record:
    """A record read from the snapshot; damaged or foreign JSON is the user's to fix, so named."""
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "the document"
        raise SecondBrainError(f"snapshot file {store.location}/{key} is not valid: {where}: {problem['msg']}") from exc


class SnapshotWriter:
    """Writes one source's pages as the sync fetches them, then the manifest of live pages."""

    def __init__(self, settings: Settings, source_name: str) -> None:
        self.source_name = source_name
        self.slug = source_slug(source_name)
        self.store = open_store(settings)
        self._stored: dict[str, str] = {}
        self.manifest_hashes: dict[str, str] | None = None
        self.written = 0

    def __enter__(self) -> SnapshotWriter:
        previous = read_manifest(self.store, manifest_key(self.slug))
        self._stored = {e.id: e.content_hash for e in previous.pages} if previous else {}
        self.manifest_hashes = dict(self._stored) if previous else None
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Nothing to undo: pages already written are valid; the manifest only moves on success."""

    def write(self, page: Page) -> None:
        """Store the page's JSON unless this exact content is already stored under its key."""
        if self._stored.get(page.id) == page.content_hash:
            return
        self.store.put(page_key(self.slug, page.id), page.model_dump_json().encode())
        self._stored[page.id] = page.content_hash
        self.written += 1

    def write_manifest(self, pages: list[Page]) -> None:
        """Make the snapshot hold exactly `pages`: missing ones written, the manifest replaced,
        then the JSON of pages no longer live removed (after, so a crash never strands the manifest)."""
        for page in pages:
            self.write(page)
        manifest = Manifest(
            source=self.source_name,
            written_at=datetime.now(UTC),
            pages=[
                ManifestEntry(id=p.id, title=p.title, content_hash=p.content_hash, last_edited_time=p.last_edited_time)
                for p in sorted(pages, key=lambda p: p.id)
            ],
        )
        self.store.put(manifest_key(self.slug), json.dumps(manifest.model_dump(mode="json"), indent=1).encode())
        live = {p.id for p in pages}
        for gone in sorted(set(self._stored) - live):
            self.store.delete(page_key(self.slug, gone))
            del self._stored[gone]
