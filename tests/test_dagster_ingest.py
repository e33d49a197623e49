"""The ingest domain in Dagster: the partitioned asset, its checks, the sensor, the schedule."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import fake_notion
import pytest
from fake_notion import FakeNotion, paragraph

from asset_checks.ingest import INGEST_CHECKS
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import PageStub
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore
from secondbrain_dagster.ingest.assets import raw_notion_pages
from secondbrain_dagster.ingest.partitions import SOURCES, partition_key, source_spec
from secondbrain_dagster.ingest.schedules import daily_ingest_schedule
from secondbrain_dagster.ingest.sensors import UNSETTLED, listing_fingerprint, source_change_sensor
from secondbrain_dagster.resources import SecondBrainSettings

RESOURCES = {"sb": SecondBrainSettings()}


def write_export(folder: Path, pages: dict[str, str]) -> str:
    """A Notion "Markdown & CSV" export folder: one `Title <32 hex id>.md` per page; returns its spec."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, (title, body) in enumerate(pages.items()):
        (folder / f"{title} {index:032x}.md").write_text(f"# {title}\n\n{body}\n")
    return f"notion-export:{folder}"


def edit_export_page(folder: Path, title: str, body: str) -> None:
    """Rewrite one page and move its file time forward, as re-exporting an edited page does."""
    path = next(folder.glob(f"{title} *.md"))
    path.write_text(f"# {title}\n\n{body}\n")
    later = time.time() + 60
    os.utime(path, (later, later))


def materialize(instance: dg.DagsterInstance, spec: str, **kwargs) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_notion_pages, *INGEST_CHECKS],
        instance=instance,
        partition_key=partition_key(spec),
        resources=RESOURCES,
        **kwargs,
    )


def checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def counts(result: dg.ExecuteInProcessResult) -> dict[str, int]:
    (event,) = result.get_asset_materialization_events()
    meta = event.materialization.metadata
    return {k: meta[k].value for k in ("pages", "new", "updated", "unchanged", "deleted")}


@pytest.mark.parametrize(
    "spec",
    ["notion", "s3://bucket/prefix/v1", "notion-export:/abs/my notes.zip", "notion-export:/a/b...c%2E/x\ty"],
)
def test_partition_keys_are_valid_and_reversible(spec: str) -> None:
    key = partition_key(spec)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SOURCES.name, [key])  # Dagster validates keys here
    assert instance.get_dynamic_partitions(SOURCES.name) == [key]
    assert source_spec(key) == spec
    assert "..." not in key and "\t" not in key
    if "..." not in spec and "%" not in spec and "\t" not in spec:
        assert key == spec, "ordinary specs stay readable as they are"


def test_materialize_partition_checks_then_unchanged(settings: Settings, tmp_path: Path) -> None:
    spec = write_export(tmp_path / "export", {"Alpha": "alpha notes", "Beta": "beta notes", "Gamma": "gamma"})
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SOURCES.name, [partition_key(spec)])

    first = materialize(instance, spec)
    assert first.success
    assert counts(first) == {"pages": 3, "new": 3, "updated": 0, "unchanged": 0, "deleted": 0}
    (event,) = first.get_asset_materialization_events()
    assert event.partition == spec
    preview = event.materialization.metadata["preview"].value
    assert all(title in preview for title in ("Alpha", "Beta", "Gamma"))
    evaluations = checks(first)
    assert set(evaluations) == {"no_empty_pages", "page_ids_unique", "live_count_matches_listing"}
    assert all(e.passed for e in evaluations.values())
    assert evaluations["live_count_matches_listing"].metadata["live_pages"].value == 3
    assert evaluations["page_ids_unique"].metadata["documents"].value == 3

    second = materialize(instance, spec)
    assert counts(second) == {"pages": 3, "new": 0, "updated": 0, "unchanged": 3, "deleted": 0}
    assert all(e.passed for e in checks(second).values())
    assert len(PageStore(open_database(settings)).live_pages(spec)) == 3


def test_empty_page_fails_its_check_with_the_numbers(settings: Settings, tmp_path: Path) -> None:
    """A stored page emptied behind the sync's back (same edit time, so never re-fetched) is caught."""
    spec = write_export(tmp_path / "export", {"Alpha": "alpha notes", "Beta": "beta notes"})
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SOURCES.name, [partition_key(spec)])
    assert materialize(instance, spec).success
    store = PageStore(open_database(settings))
    alpha = next(p for p in store.live_pages(spec) if p.title == "Alpha")
    store.upsert([alpha.model_copy(update={"markdown": "  ", "properties": {}})])

    rerun = materialize(instance, spec, raise_on_error=False)
    assert not rerun.success, "the check is blocking: downstream assets must not read an empty page"
    evaluations = checks(rerun)
    empty = evaluations["no_empty_pages"]
    assert not empty.passed
    assert empty.metadata["empty_pages"].value == 1
    assert empty.metadata["examples"].value == [{"id": alpha.id, "title": "Alpha"}]
    assert evaluations["live_count_matches_listing"].passed and evaluations["page_ids_unique"].passed


def tick(instance: dg.DagsterInstance, cursor: str | None) -> dg.SensorResult:
    """One sensor evaluation; partitions it asks for are added, as the daemon would."""
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=RESOURCES)
    result = source_change_sensor(context)
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def requested(result: dg.SensorResult) -> list[str]:
    return sorted(r.partition_key for r in result.run_requests or [])


def test_sensor_runs_only_changed_sources(settings: Settings, tmp_path: Path, monkeypatch) -> None:
    a = write_export(tmp_path / "a", {"Alpha": "a1", "Beta": "b1"})
    b = write_export(tmp_path / "b", {"Gamma": "g1"})
    monkeypatch.setenv("SECONDBRAIN_SOURCES", f"{a},{b}")
    instance = dg.DagsterInstance.ephemeral()

    first = tick(instance, None)
    assert requested(first) == sorted([a, b])
    assert sorted(instance.get_dynamic_partitions(SOURCES.name)) == sorted([a, b])

    quiet = tick(instance, first.cursor)
    assert requested(quiet) == [] and not quiet.dynamic_partitions_requests

    edit_export_page(tmp_path / "b", "Gamma", "g2")
    changed = tick(instance, quiet.cursor)
    assert requested(changed) == [b]

    c = write_export(tmp_path / "c", {"Delta": "d1"})
    monkeypatch.setenv("SECONDBRAIN_SOURCES", f"{a},{b},{c}")
    added = tick(instance, changed.cursor)
    assert requested(added) == [c]
    assert c in instance.get_dynamic_partitions(SOURCES.name)


def test_sensor_skips_a_source_it_cannot_list(settings: Settings, tmp_path: Path, monkeypatch) -> None:
    """`notion` without a token is reported and retried later; the other source still runs."""
    export = write_export(tmp_path / "a", {"Alpha": "a1"})
    monkeypatch.setenv("SECONDBRAIN_SOURCES", f"notion,{export}")
    instance = dg.DagsterInstance.ephemeral()
    first = tick(instance, None)
    assert requested(first) == [export]
    assert "notion" not in json.loads(first.cursor)


def test_sensor_with_notion_api_source(settings: Settings, tmp_path: Path, monkeypatch) -> None:
    export = write_export(tmp_path / "a", {"Alpha": "a1"})
    with FakeNotion() as notion:
        home = notion.add_page("Home", blocks=[paragraph("hello")])
        notion.add_page("Child", parent=home, blocks=[paragraph("child")])
        monkeypatch.setenv("NOTION_TOKEN", notion.token)
        monkeypatch.setenv("SECONDBRAIN_NOTION_BASE_URL", notion.base_url)
        monkeypatch.setenv("SECONDBRAIN_SOURCES", f"notion,{export}")
        instance = dg.DagsterInstance.ephemeral()

        first = tick(instance, None)
        assert requested(first) == sorted(["notion", export])
        quiet = tick(instance, first.cursor)
        assert requested(quiet) == []
        notion.edit_page(home, blocks=[paragraph("edited")])
        changed = tick(instance, quiet.cursor)
        assert requested(changed) == ["notion"]


def test_sensor_survives_notion_failing_past_its_retries(settings: Settings, tmp_path: Path, monkeypatch) -> None:
    """Notion answering 503 after every retry is logged and retried next tick, keeping its cursor."""
    export = write_export(tmp_path / "a", {"Alpha": "a1"})
    with FakeNotion() as notion:
        notion.add_page("Home", blocks=[paragraph("hello")])
        monkeypatch.setenv("NOTION_TOKEN", notion.token)
        monkeypatch.setenv("SECONDBRAIN_NOTION_BASE_URL", notion.base_url)
        monkeypatch.setenv("SECONDBRAIN_NOTION_MAX_RETRIES", "1")
        monkeypatch.setenv("SECONDBRAIN_SOURCES", f"notion,{export}")
        instance = dg.DagsterInstance.ephemeral()
        first = tick(instance, None)
        assert requested(first) == sorted(["notion", export])

        notion.fail_next("/v1/search", count=10, status=503)
        edit_export_page(tmp_path / "a", "Alpha", "a2")
        outage = tick(instance, first.cursor)
        assert requested(outage) == [export]
        assert json.loads(outage.cursor)["notion"] == json.loads(first.cursor)["notion"]


def test_fingerprint_is_unsettled_while_an_edit_time_could_still_hide_an_edit() -> None:
    edited = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
    stubs = [PageStub(id="a", last_edited_time=edited, title="A")]
    minute = timedelta(minutes=1)
    fresh = listing_fingerprint(stubs, minute, now=edited + timedelta(seconds=30))
    later = listing_fingerprint(stubs, minute, now=edited + timedelta(minutes=5))
    assert fresh == later + UNSETTLED
    assert listing_fingerprint(stubs, timedelta(0), now=edited) == later, "exact edit times are never unsettled"


def test_sensor_reads_a_freshly_edited_notion_source_once_more(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edit times in the current minute: the same listing on the next tick still triggers one run."""
    monkeypatch.setattr(fake_notion, "_EPOCH", datetime.now(UTC).replace(second=0, microsecond=0))
    with FakeNotion() as notion:
        notion.add_page("Home", blocks=[paragraph("hello")])
        monkeypatch.setenv("NOTION_TOKEN", notion.token)
        monkeypatch.setenv("SECONDBRAIN_NOTION_BASE_URL", notion.base_url)
        monkeypatch.setenv("SECONDBRAIN_SOURCES", "notion")
        instance = dg.DagsterInstance.ephemeral()
        first = tick(instance, None)
        assert json.loads(first.cursor)["notion"].endswith(UNSETTLED)
        second = tick(instance, first.cursor)
        assert requested(second) == ["notion"]
        assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_daily_schedule_requests_every_partition(settings: Settings) -> None:
    keys = ["notion", "s3://bucket/prefix"]
    with dg.instance_for_test() as instance:  # a schedule context needs an instance with a ref
        instance.add_dynamic_partitions(SOURCES.name, keys)
        when = datetime(2026, 1, 2, 3, tzinfo=UTC)
        requests = daily_ingest_schedule(dg.build_schedule_context(instance=instance, scheduled_execution_time=when))
    assert sorted(r.partition_key for r in requests) == sorted(keys)
    assert {r.run_key for r in requests} == {f"{k}@2026-01-02" for k in keys}
