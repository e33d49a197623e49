"""`secondbrain demo`: the whole graph into a persistent instance, then one question."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import httpx
import pytest
from note_pages import note_page
from test_dagster_ingest import write_export

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.pipeline import chunk_source
from secondbrain_core.settings import REPO_ROOT, SAMPLE_SOURCE, Settings
from secondbrain_core.sources.reference_site import DEFAULT_PORT
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore
from secondbrain_dagster.demo import (
    SAMPLE_QUESTION,
    RunSummary,
    demo_question,
    failed_assets,
    next_steps,
    plan_stages,
    serve_sample_reference,
)
from secondbrain_dagster.ingest.partitions import SOURCES


def test_stages_follow_dependencies_and_partitioning() -> None:
    """Partitioned and unpartitioned assets never share a run; parents always run first."""

    @dg.asset(partitions_def=SOURCES)
    def pages() -> None: ...

    @dg.asset(partitions_def=SOURCES, deps=[pages])
    def chunks() -> None: ...

    @dg.asset(deps=[chunks])
    def index() -> None: ...

    @dg.asset(partitions_def=SOURCES, deps=[index])
    def answers() -> None: ...

    @dg.asset(deps=[pages])
    def stats() -> None: ...

    defs = dg.Definitions(assets=[answers, stats, index, chunks, pages])
    # unselected assets count as already there, so what remains can share one run
    assert [[k.to_user_string() for k in s.assets] for s in plan_stages(defs, ["answers", "pages"])] == [
        ["pages", "answers"]
    ]
    with pytest.raises(SecondBrainError, match="nope"):
        plan_stages(defs, ["nope"])
    stages = plan_stages(defs)
    assert [(s.partitions_def is not None, [k.to_user_string() for k in s.assets]) for s in stages] == [
        (True, ["pages", "chunks"]),
        (False, ["stats", "index"]),
        (True, ["answers"]),
    ]


def test_demo_materializes_into_the_persistent_instance(settings: Settings, tmp_path: Path, monkeypatch) -> None:
    spec = write_export(tmp_path / "export", {"Vacuum": "autovacuum settings", "Indexes": "btree and gin"})
    monkeypatch.setenv("SECONDBRAIN_SOURCES", spec)

    completed = subprocess.run(
        # only the ingest asset: the whole graph (models, evaluations) is too slow for this test
        [sys.executable, "-m", "secondbrain_core.app.cli", "demo", "--json", "--select", "raw_notion_pages"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    summary = json.loads(completed.stdout)
    assert summary["success"] and summary["sources"] == [spec]
    assert Path(summary["dagster_home"]) == settings.dagster_home.resolve()
    (ingest_run,) = [r for r in summary["runs"] if "raw_notion_pages" in r["assets"]]
    assert ingest_run["partition"] == spec
    (pages,) = [m for m in ingest_run["materializations"] if m["asset"] == "raw_notion_pages"]
    assert (pages["metadata"]["pages"], pages["metadata"]["new"]) == (2, 2)
    assert {c["check"] for c in ingest_run["checks"] if c["passed"]} >= {"no_empty_pages", "page_ids_unique"}
    assert summary["skipped"] == []
    assert "no search index" in summary["question"]["error"], "without vector_index the question degrades"

    instance = dg.DagsterInstance.from_config(str(settings.dagster_home))
    records = instance.fetch_materializations(dg.AssetKey("raw_notion_pages"), limit=10).records
    assert [r.partition_key for r in records] == [spec]
    assert instance.get_dynamic_partitions(SOURCES.name) == [spec]
    assert instance.get_run_by_id(ingest_run["run_id"]).is_success


def test_sample_reference_is_served_only_while_the_demo_runs(settings: Settings, monkeypatch) -> None:
    """The sample notes link to localhost:8765/docs/sql-*.html: the demo serves those pages."""
    monkeypatch.setenv("SECONDBRAIN_SOURCES", "sample")
    with contextlib.ExitStack() as stack:
        url = serve_sample_reference(Settings(), stack)
        assert url == f"http://localhost:{DEFAULT_PORT}/docs/"
        page = httpx.get(url + "sql-vacuum.html")
        assert page.status_code == 200 and "VACUUM" in page.text
        # a second demo (or a manual server) holding the port is reported, not fatal
        with contextlib.ExitStack() as other:
            assert serve_sample_reference(Settings(), other).startswith("not served: ")
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "sql-vacuum.html")

    monkeypatch.setenv("SECONDBRAIN_SOURCES", "notion")
    with contextlib.ExitStack() as stack:
        assert serve_sample_reference(Settings(), stack) is None
    assert SAMPLE_SOURCE not in Settings().source_list


def test_next_steps_name_only_commands_that_exist() -> None:
    steps = "\n".join(next_steps("/tmp/dagster"))
    assert "DAGSTER_HOME=/tmp/dagster dagster dev -w workspace.yaml" in steps
    assert "secondbrain search" in steps and "secondbrain serve" in steps
    chat_installed = importlib.util.find_spec("secondbrain_core.app.chat") is not None
    assert ("secondbrain chat" in steps) == chat_installed


def test_the_demo_asks_a_persons_notes_about_their_own_note(settings: Settings) -> None:
    # on a person's own notes the PostgreSQL sample question only ever showed a decline
    assert demo_question(settings.model_copy(update={"sources": SAMPLE_SOURCE})) == SAMPLE_QUESTION
    mine = settings.model_copy(update={"sources": "notion"})
    assert demo_question(mine) == SAMPLE_QUESTION, "nothing indexed yet: the sample question"
    long_note = "\n\n".join(f"Day {n}: the sourdough starter rose {n} cm overnight." * 12 for n in range(20))
    pages = [note_page("p1", "notion", "Sourdough log", long_note), note_page("p2", "notion", "Wifi", "hunter2")]
    PageStore(open_database(mine)).upsert(pages)
    chunk_source("notion", mine)
    question = demo_question(mine)
    assert question == "What do my notes say about Sourdough log?"
    assert f"secondbrain search {question!r}" in "\n".join(next_steps("/tmp/dagster", question))


def test_a_refused_promotion_stops_only_what_it_feeds() -> None:
    """A failed blocking check (training's promotion gate) and an asset the failed run never made
    stop their own branch; a failed warning check stops nothing."""
    keys = [dg.AssetKey(name) for name in ("rag_documents", "tuned_model", "summarization_eval")]
    run = RunSummary(
        run_id="r",
        partition=None,
        success=False,
        assets=["rag_documents", "tuned_model", "summarization_eval"],
        materializations=[{"asset": "rag_documents"}, {"asset": "tuned_model"}, {"asset": "summarization_eval"}],
        checks=[
            {"asset": "summarization_eval", "check": "champion_promotion", "passed": False, "severity": "ERROR"},
            {"asset": "rag_documents", "check": "share", "passed": False, "severity": "WARN"},
        ],
    )
    assert failed_assets([run], keys) == {dg.AssetKey("summarization_eval")}
    unmade = RunSummary("s", None, False, ["rag_documents", "tuned_model"], [{"asset": "rag_documents"}], [])
    assert failed_assets([unmade], keys[:2]) == {dg.AssetKey("tuned_model")}
