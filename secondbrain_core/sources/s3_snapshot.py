"""A raw snapshot in S3 (written by `SnapshotWriter`) read back as a `Source`.

`s3://bucket/prefix` may hold several sources' snapshots (one `<slug>/manifest.json` each);
all are read. Listing reads only the manifests; `fetch_page` reads one page's JSON. A page id
found in more than one snapshot is qualified with its slug (`slug/id`) so ids stay unique.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page, PageStub
from secondbrain_core.sources.snapshot import Manifest, parse_snapshot_json, read_manifest
from secondbrain_core.sources.snapshot_store import MANIFEST, S3Store, is_key_segment, page_key


class S3SnapshotSource:
    """The `s3://bucket/prefix` source."""

    edit_time_resolution = timedelta(0)  # snapshots carry the edit times they were written with
    listing_complete = True  # every manifest is read, or the listing fails

    def __init__(self, uri: str, settings: Settings) -> None:
        self.name = uri
        self.store = S3Store(uri, settings)
        self._origin: dict[str, tuple[str, str]] = {}  # our id -> (slug, id in that snapshot)
        self._qualified: dict[str, set[str]] = {}  # slug -> its ids that needed qualifying

    def list_pages(self) -> list[PageStub]:
        manifests = self._manifests()
        if not manifests:
            raise SecondBrainError(f"no snapshot manifests ({MANIFEST}) under {self.name}")
        counts = Counter(entry.id for manifest in manifests.values() for entry in manifest.pages)
        self._qualified = {
            slug: {e.id for e in manifest.pages if counts[e.id] > 1} for slug, manifest in manifests.items()
        }
        self._origin = {}
        stubs = []
        for slug, manifest in manifests.items():
            for entry in manifest.pages:
                our_id = self._our_id(slug, entry.id)
                self._origin[our_id] = (slug, entry.id)
                stubs.append(PageStub(id=our_id, last_edited_time=entry.last_edited_time, title=entry.title))
        return stubs

    def fetch_page(self, stub: PageStub) -> Page:
        if not self._origin:
            self.list_pages()
        slug, original = self._origin[stub.id]
        data = self.store.get(page_key(slug, original))
        if data is None:
            raise SecondBrainError(
                f"snapshot {self.name} lists page {original} but {page_key(slug, original)} is missing"
            )
        page = parse_snapshot_json(Page, data, self.store, page_key(slug, original))
        return page.model_copy(
            update={
                "id": stub.id,
                "source": self.name,
                "parent": self._our_id(slug, page.parent) if page.parent else None,
                "links": [self._our_id(slug, link) for link in page.links],
            }
        )

    def _manifests(self) -> dict[str, Manifest]:
        """slug -> manifest, skipping a snapshot of this very source (a prefix may hold it) and
        keys that are no `<slug>/manifest.json` (deeper, or a slug like `..`)."""
        found = {}
        for key in self.store.list(f"/{MANIFEST}"):
            slug = key.removesuffix(f"/{MANIFEST}")
            if not is_key_segment(slug):
                continue
            manifest = read_manifest(self.store, key)
            if manifest is not None and manifest.source != self.name:
                found[slug] = manifest
        return found

    def _our_id(self, slug: str, page_id: str) -> str:
        return f"{slug}/{page_id}" if page_id in self._qualified.get(slug, ()) else page_id
