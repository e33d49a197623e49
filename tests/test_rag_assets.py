"""`chunks` and `vector_index` in Dagster, on raw pages alone: a tiny Notion export is ingested
by `raw_notion_pages`, chunked per source partition, and indexed; then a page edit flows through."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import pytest

from asset_checks.rag import CHUNK_CHECKS, INDEX_CHECKS
from secondbrain_core.rag.chunk_store import ChunkStore
from secondbrain_core.rag.search import Retriever
from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database
from secondbrain_dagster.definitions import defs
from secondbrain_dagster.ingest.assets import raw_notion_pages
from secondbrain_dagster.ingest.partitions import SOURCES, partition_key
from secondbrain_dagster.rag.assets import chunks, vector_index
from secondbrain_dagster.resources import SecondBrainSettings

RESOURCES = {"sb": SecondBrainSettings()}
PAGES = {
    "Espresso": "Grind the beans finely and pull the shot for 25 seconds.",
    "Orchids": "Water the orchid weekly and keep it in bright indirect sunlight.",
    "Bicycle": "Clean the chain with degreaser, then apply chain lubricant.",
}


def _export(folder: Path, first_id: int = 0) -> str:
    folder.mkdir(parents=True)
    for index, (title, body) in enumerate(PAGES.items(), first_id):
        (folder / f"{title} {index:032x}.md").write_text(f"# {title}\n\n{body}\n")
    return f"notion-export:{folder}"


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    events = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == asset]
    return {k: v.value for k, v in events[-1].materialization.metadata.items()}


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


def test_assets_are_in_the_definitions() -> None:
    graph = defs.resolve_asset_graph()
    assert {dg.AssetKey("chunks"), dg.AssetKey("vector_index")} <= set(graph.get_all_asset_keys())
    assert graph.get(dg.AssetKey("chunks")).parent_keys == {
        dg.AssetKey("raw_notion_pages"),
        dg.AssetKey("rag_documents"),
    }
    assert chunks.partitions_def == SOURCES and vector_index.partitions_def is None


def test_materialize_chunks_then_index_then_an_edit(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _export(tmp_path / "export")
    monkeypatch.setenv("SECONDBRAIN_SOURCES", spec)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SOURCES.name, [partition_key(spec)])

    def run_chunks() -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [raw_notion_pages, chunks, *CHUNK_CHECKS],
            instance=instance,
            partition_key=partition_key(spec),
            resources=RESOURCES,
        )

    def run_index() -> dg.ExecuteInProcessResult:
        return dg.materialize([vector_index, *INDEX_CHECKS], instance=instance, resources=RESOURCES)

    first_chunks = run_chunks()
    meta = _metadata(first_chunks, "chunks")
    stored = ChunkStore(open_database(settings)).chunks()
    assert meta["pages"] == len(PAGES) and meta["chunks"] == meta["written"] == len(stored) >= len(PAGES)
    assert meta["max_chunk_tokens"] <= settings.chunk_tokens and meta["context_mode"] == "structural"
    assert _checks(first_chunks) == {"chunks_within_token_bound": True}

    first_index = run_index()
    meta = _metadata(first_index, "vector_index")
    assert meta["embedded"] == meta["added"] == meta["chunks"] == len(stored)
    assert (meta["embedder"], meta["dimension"], meta["removed"]) == ("minilm", 384, 0)
    assert _checks(first_index) == {"index_matches_chunks": True, "manifest_embedder_is_configured": True}
    assert Retriever(settings).search("orchid sunlight", k=1)[0].title == "Orchids"

    edited = next((tmp_path / "export").glob("Bicycle *.md"))
    edited.write_text("# Bicycle\n\nOil the chain every two hundred kilometres.\n")
    later = time.time() + 60
    os.utime(edited, (later, later))
    assert _metadata(run_chunks(), "chunks")["deleted"] == 1
    meta = _metadata(run_index(), "vector_index")
    assert (meta["embedded"], meta["removed"], meta["kept"]) == (1, 1, len(stored) - 1)
    assert "two hundred" in Retriever(settings).search("how often to oil the chain", k=1)[0].text


def test_a_source_taken_out_of_the_settings_leaves_the_index_not_the_store(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `make demo`, `SECONDBRAIN_SOURCES=<your notes>` must not keep answering from the sample."""
    instance = dg.DagsterInstance.ephemeral()
    old, mine = _export(tmp_path / "old", first_id=100), _export(tmp_path / "mine")
    instance.add_dynamic_partitions(SOURCES.name, [partition_key(old), partition_key(mine)])
    for spec in (old, mine):
        monkeypatch.setenv("SECONDBRAIN_SOURCES", f"{old},{mine}")
        run = dg.materialize(
            [raw_notion_pages, chunks], instance=instance, partition_key=partition_key(spec), resources=RESOURCES
        )
        assert run.success
    both = _metadata(
        dg.materialize([vector_index, *INDEX_CHECKS], instance=instance, resources=RESOURCES), "vector_index"
    )
    monkeypatch.setenv("SECONDBRAIN_SOURCES", mine)
    index = dg.materialize([vector_index, *INDEX_CHECKS], instance=instance, resources=RESOURCES)
    meta = _metadata(index, "vector_index")
    assert meta["removed"] == both["chunks"] // 2 and meta["chunks"] == both["chunks"] // 2 and meta["embedded"] == 0
    assert _checks(index) == {"index_matches_chunks": True, "manifest_embedder_is_configured": True}
    mine_ids = {f"{i:032x}" for i in range(len(PAGES))}
    assert {hit.page_id.replace("-", "") for hit in Retriever(Settings()).search("orchid sunlight", k=5)} <= mine_ids
    assert {c.source for c in ChunkStore(open_database(settings)).chunks()} == {old, mine}  # nothing deleted
