"""The generic incremental sync against the real wire server, with an in-memory source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page, PageStub
from secondbrain_core.sources.sync import sync_source
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class MemorySource:
    """A source whose pages the test edits; counts fetches to prove unchanged pages are skipped."""

    name = "memory"
    listing_complete = True

    def __init__(self, count: int, resolution: timedelta = timedelta(0)) -> None:
        self.edit_time_resolution = resolution
        self.pages = {f"p{i}": (f"Page {i}", f"body {i}", T0) for i in range(count)}
        self.fetches: list[str] = []

    def list_pages(self) -> list[PageStub]:
        return [PageStub(id=pid, last_edited_time=ts, title=t) for pid, (t, _, ts) in self.pages.items()]

    def fetch_page(self, stub: PageStub) -> Page:
        self.fetches.append(stub.id)
        title, body, ts = self.pages[stub.id]
        return Page(id=stub.id, source=self.name, title=title, markdown=body, last_edited_time=ts)


def test_sync_is_incremental(settings: Settings) -> None:
    store = PageStore(open_database(settings))
    source = MemorySource(5)

    first = sync_source(source, store)
    assert (first.new, first.updated, first.unchanged, first.deleted) == (5, 0, 0, 0)

    source.fetches.clear()
    second = sync_source(source, store)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 5)
    assert source.fetches == []

    title, _, ts = source.pages["p1"]
    source.pages["p1"] = (title, "edited body", ts + timedelta(minutes=5))
    source.pages["p2"] = (source.pages["p2"][0], source.pages["p2"][1], ts + timedelta(minutes=5))  # touch only
    del source.pages["p3"]
    third = sync_source(source, store)
    assert (third.new, third.updated, third.unchanged, third.deleted) == (0, 1, 3, 1)
    assert sorted(source.fetches) == ["p1", "p2"]
    assert store.get("p1").markdown == "edited body"
    assert store.deleted_ids("memory") == ["p3"]
    assert [p.id for p in store.live_pages("memory")] == ["p0", "p1", "p2", "p4"]

    source.fetches.clear()
    fourth = sync_source(source, store)
    assert fourth.unchanged == 4 and source.fetches == [], "a touched page is not fetched again"


def test_deleted_page_that_returns_counts_as_new(settings: Settings) -> None:
    store = PageStore(open_database(settings))
    source = MemorySource(2)
    sync_source(source, store)
    saved = source.pages.pop("p0")
    assert sync_source(source, store).deleted == 1
    source.pages["p0"] = saved
    report = sync_source(source, store)
    assert report.new == 1
    assert store.get("p0") is not None and [p.id for p in store.live_pages()] == ["p0", "p1"]
    assert store.collection.count_documents({}) == 2, "no duplicate documents after re-adding"


def test_edit_in_the_minute_of_the_last_read_is_not_missed(settings: Settings) -> None:
    """Notion-like minute edit times: an edit later in the minute a page was read shows no new time."""
    store = PageStore(open_database(settings))
    source = MemorySource(2, resolution=timedelta(minutes=1))
    this_minute = datetime.now(UTC).replace(second=0, microsecond=0)
    long_ago = this_minute - timedelta(minutes=10)
    source.pages = {"fresh": ("Fresh", "draft", this_minute), "old": ("Old", "settled", long_ago)}
    assert sync_source(source, store).new == 2

    # edited again within the same minute: the listing still says `this_minute`
    source.pages["fresh"] = ("Fresh", "final text", this_minute)
    source.fetches.clear()
    again = sync_source(source, store)
    assert source.fetches == ["fresh"], "only the page read inside its edit minute is read again"
    assert (again.updated, again.unchanged) == (1, 1)
    assert store.get("fresh").markdown == "final text"

    # with exact edit times (exports, snapshots) an equal time is trusted as it always was
    exact = MemorySource(1)
    exact.name = "exact"
    exact.pages = {"now": ("Now", "body", this_minute)}
    sync_source(exact, store)
    exact.fetches.clear()
    assert sync_source(exact, store).unchanged == 1 and exact.fetches == []
