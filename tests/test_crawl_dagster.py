"""`crawled_pages` in Dagster: materialized per source on small real data, its checks, the demo.

The demo serves the sample's SQL reference on localhost:8765 and allow-lists exactly that
host and port for its own runs; the environment's allow list stays as it was.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from crawl_site import CrawlSite, SecretServer
from test_dagster_ingest import write_export

from asset_checks.crawl import CRAWL_CHECKS
from secondbrain_core.crawl.guard import Blocked, Guard
from secondbrain_core.settings import REPO_ROOT, Settings
from secondbrain_dagster.crawl.assets import crawled_pages
from secondbrain_dagster.definitions import defs
from secondbrain_dagster.demo import demo_run_config
from secondbrain_dagster.ingest.assets import raw_notion_pages
from secondbrain_dagster.ingest.partitions import SOURCES, partition_key
from secondbrain_dagster.resources import SecondBrainSettings


@pytest.fixture
def site() -> Iterator[CrawlSite]:
    with SecretServer() as secret, CrawlSite(secret.port) as served:
        yield served


def _metadata(result: dg.ExecuteInProcessResult) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == crawled_pages.key]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_crawled_pages_is_declared_fully() -> None:
    graph = defs.resolve_asset_graph()
    node = graph.get(crawled_pages.key)
    assert node.parent_keys == {raw_notion_pages.key} and node.partitions_def == SOURCES
    spec = next(s for s in defs.resolve_all_asset_specs() if s.key == crawled_pages.key)
    assert spec.group_name == "etl" and {"crawl4ai", "mongodb"} <= set(spec.kinds)
    assert spec.freshness_policy is not None and spec.description and spec.automation_condition is not None
    assert crawled_pages.op.retry_policy is not None and crawled_pages.op.retry_policy.max_retries >= 1
    assert crawled_pages.op.pool == "crawler"
    checks = {k.name: k for k in graph.asset_check_keys if k.asset_key == crawled_pages.key}
    assert set(checks) == {"failed_share_below_threshold", "ok_pages_have_markdown", "urls_canonical_and_unique"}


def test_materialize_crawled_pages_on_a_small_export(settings: Settings, site: CrawlSite, tmp_path: Path) -> None:
    b = site.base
    spec = write_export(
        tmp_path / "export",
        {
            "Vacuum": f"Read [the basics]({b}/a.html) and [details]({b}/b.html); also {b}/notes.md",
            "Broken": f"A [dead link]({b}/missing.html), [a trap]({b}/to-metadata) and [a binary]({b}/file.bin)",
        },
    )
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SOURCES.name, [partition_key(spec)])
    resources = {"sb": SecondBrainSettings(crawl_allow_extra=f"127.0.0.1:{site.port}")}

    def run() -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [raw_notion_pages, crawled_pages, *CRAWL_CHECKS],
            instance=instance,
            partition_key=partition_key(spec),
            resources=resources,
        )

    first = run()
    assert first.success  # three of six URLs failed: recorded, the partition still materialized
    meta = _metadata(first)
    assert (meta["urls"], meta["ok"], meta["blocked"], meta["error"], meta["fetched"]) == (6, 3, 1, 2, 6)
    assert meta["failed_share"] == pytest.approx(0.5) and "/to-metadata" in meta["preview"]
    checks = {e.check_name: e for e in first.get_asset_check_evaluations()}
    assert checks["ok_pages_have_markdown"].passed and checks["urls_canonical_and_unique"].passed
    warn = checks["failed_share_below_threshold"]
    assert not warn.passed and warn.severity == dg.AssetCheckSeverity.WARN  # a warning, not a blocker
    assert warn.metadata["failed"].value == 3

    again = _metadata(run())
    assert (again["fetched"], again["notes_with_changed_links"], again["urls"]) == (0, 0, 6)


def test_demo_allow_lists_its_own_reference_site_only() -> None:
    config = demo_run_config("http://localhost:8765/docs/")
    assert config["resources"] == {"sb": {"config": {"crawl_allow_extra": "localhost:8765"}}}
    assert "resources" not in demo_run_config("not served: port busy") and "resources" not in demo_run_config(None)
    settings = SecondBrainSettings(crawl_allow_extra="localhost:8765").get()
    guard = Guard.from_entries(settings.crawl_allow_list)
    assert guard.check("http://localhost:8765/docs/sql-vacuum.html").port == 8765
    for other in ("http://localhost:8766/", "http://127.0.0.1:8765/", "http://169.254.169.254/"):
        with pytest.raises(Blocked):
            guard.check(other)
    assert "localhost:8765" not in SecondBrainSettings().get().crawl_allow_list  # not global


def test_demo_crawls_the_sample_reference(settings: Settings, monkeypatch) -> None:
    monkeypatch.setenv("SECONDBRAIN_SOURCES", "sample")
    monkeypatch.setenv("SECONDBRAIN_CRAWL_HOST_DELAY_S", "0")
    with contextlib.suppress(KeyError):
        monkeypatch.delenv("SECONDBRAIN_CRAWL_ALLOW")
    completed = subprocess.run(
        [sys.executable, "-m", "secondbrain_dagster.demo", "--json", "--select", "raw_notion_pages,crawled_pages"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = json.loads(completed.stdout)
    assert summary["reference_site"] == "http://localhost:8765/docs/", summary["reference_site"]
    (crawl_run,) = [r for r in summary["runs"] if "crawled_pages" in r["assets"]]
    assert crawl_run["success"]
    (meta,) = [m["metadata"] for m in crawl_run["materializations"] if m["asset"] == "crawled_pages"]
    assert meta["ok"] >= 40  # every reference page the notes link (external sites are offline here)
    assert {c["check"] for c in crawl_run["checks"] if c["passed"]} >= {"ok_pages_have_markdown"}
    (share,) = [c for c in crawl_run["checks"] if c["check"] == "failed_share_below_threshold"]
    assert share["severity"] == "WARN"  # offline, the notes' external links fail: a warning, the run goes on
