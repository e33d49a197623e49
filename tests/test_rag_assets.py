"""`chunks` and `vector_index` in Dagster, on raw pages alone: a tiny Notion export is ingested
by `raw_notion_pages`, chunked per source partition, and indexed; then a page edit flows through."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg

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


def _export(folder: Path) -> str:
    folder.mkdir(parents=True)
    for index, (title, body) in enumerate(PAGES.items()):
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


def test_materialize_chunks_then_index_then_an_edit(settings: Settings, tmp_path: Path) -> None:
    spec = _export(tmp_path / "export")
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
