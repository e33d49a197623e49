"""The source sensor's cheap poll: one Notion search request per tick while nothing changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from fake_notion import FakeNotion, paragraph
from test_dagster_ingest import requested, tick

from secondbrain_core.settings import Settings
from secondbrain_dagster.ingest.sensors import PROBES, source_change_sensor

OLD = "2024-01-01T10:00:00.000Z"  # settled: older than Notion's one-minute edit-time resolution


def test_poll_interval_is_the_setting() -> None:
    assert source_change_sensor.minimum_interval_seconds == Settings().source_poll_interval_s == 60


def test_an_unchanged_workspace_costs_one_search_per_tick(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeNotion() as notion:
        home = notion.add_page("Home", blocks=[paragraph("hello")])
        other = notion.add_page("Other", parent=home, blocks=[paragraph("other")])
        for page in (home, other):
            notion.patch(page, last_edited_time=OLD)
        monkeypatch.setenv("NOTION_TOKEN", notion.token)
        monkeypatch.setenv("SECONDBRAIN_NOTION_BASE_URL", notion.base_url)
        monkeypatch.setenv("SECONDBRAIN_SOURCES", "notion")
        instance = dg.DagsterInstance.ephemeral()

        first = tick(instance, None)
        assert requested(first) == ["notion"]
        assert json.loads(first.cursor)[PROBES]["notion"]["latest"].startswith("2024-01-01T10:00")
        notion.clear_log()
        quiet = tick(instance, first.cursor)
        assert requested(quiet) == []
        searches = notion.requests_to("/v1/search")
        assert len(searches) == 1 and searches[0].body["sort"]["timestamp"] == "last_edited_time"
        assert not notion.requests_to("/v1/data_sources"), "no full listing while the newest edit stands"

        notion.edit_page(other, blocks=[paragraph("edited")])
        changed = tick(instance, quiet.cursor)
        assert requested(changed) == ["notion"]


def test_the_full_listing_still_runs_to_find_removed_pages(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeNotion() as notion:
        home = notion.add_page("Home", blocks=[paragraph("hello")])
        gone = notion.add_page("Gone", parent=home, blocks=[paragraph("bye")])
        notion.patch(home, last_edited_time="2024-01-02T10:00:00.000Z")
        notion.patch(gone, last_edited_time=OLD)
        monkeypatch.setenv("NOTION_TOKEN", notion.token)
        monkeypatch.setenv("SECONDBRAIN_NOTION_BASE_URL", notion.base_url)
        monkeypatch.setenv("SECONDBRAIN_SOURCES", "notion")
        monkeypatch.setenv("SECONDBRAIN_SOURCE_FULL_LISTING_S", "0")  # list in full every tick
        instance = dg.DagsterInstance.ephemeral()

        first = tick(instance, None)
        notion.trash_page(gone)  # the newest edit (Home) does not move
        notion.patch(gone, last_edited_time=OLD)
        assert requested(tick(instance, first.cursor)) == ["notion"]


def test_an_edit_is_indexed_without_loading_torch(tmp_path) -> None:
    """Re-indexing after one edit embeds a few chunks on the numpy encoder (the same vectors,
    tests/test_embedders.py): loading torch for them was most of an edit's way to search."""
    script = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from note_pages import note_page
from secondbrain_core.rag.pipeline import build_chunks, sync_index
from secondbrain_core.settings import Settings
settings = Settings(home={str(tmp_path / "home")!r})
pages = [note_page("a", "s", "A", "# A\\n\\nGrind the beans finely."), note_page("b", "s", "B", "# B\\n\\nWater it.")]
report = sync_index(build_chunks(pages, settings), settings)
print(report.embedded, "torch" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["2", "False"]
