"""Declarative automation: an ingest flows on to the index by itself (crawl → quality scores → SQL
models → chunks → index), unless a blocking check failed."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from test_dagster_ingest import materialize, write_export

from secondbrain_core.rag.chunk_store import ChunkStore
from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore
from secondbrain_dagster.definitions import defs
from secondbrain_dagster.ingest.partitions import SOURCES, partition_key

ALPHA = "Alpha tests run on every push. The suite takes four minutes and fails when a page of the docs has no title."
BETA = "Beta builds go out on Fridays to the testers who asked for them, with the changelog of the week attached."
LINKS = "\n".join(f"[Chapter {i}](https://docs.example.test/ch{i})" for i in range(8))  # a link list: filtered out
CRAWLED = dg.AssetKey("crawled_pages")
SCORES = dg.AssetKey("quality_scores")
RAG = dg.AssetKey("rag_documents")
FINETUNE = dg.AssetKey("finetune_documents")
CHUNKS = dg.AssetKey("chunks")
INDEX = dg.AssetKey("vector_index")


def test_an_ingest_flows_through_crawl_scores_sql_to_chunks_and_a_failed_check_stops_it(
    settings: Settings, tmp_path: Path
) -> None:
    spec = write_export(tmp_path / "export", {"Alpha": ALPHA, "Beta": BETA, "Links": LINKS})
    key = partition_key(spec)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SOURCES.name, [key])

    job = defs.resolve_implicit_global_asset_job_def()

    def step(cursor: str | None):
        """One sensor tick, then the runs it asked for, as the daemon would launch them."""
        result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
        for asset in (CRAWLED, SCORES, RAG, FINETUNE, CHUNKS):
            if result.get_num_requested(asset):
                partition = key if job.asset_layer.asset_graph.get(asset).partitions_def else None
                run = job.execute_in_process(instance=instance, partition_key=partition, asset_selection=[asset])
                assert run.success, asset
        return result

    idle = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    assert idle.total_requested == 0, "nothing is ingested yet: nothing downstream can run"

    assert materialize(instance, spec).success
    crawl = step(idle.cursor)
    assert crawl.get_requested_partitions(CRAWLED) == {key}
    assert crawl.get_num_requested(SCORES) == crawl.get_num_requested(CHUNKS) == 0, "each waits for its parent"
    scores = step(crawl.cursor)
    assert scores.get_requested_partitions(SCORES) == {key} and scores.get_num_requested(RAG) == 0
    sql = step(scores.cursor)
    assert sql.get_num_requested(RAG) == 1 and sql.get_num_requested(CHUNKS) == 0
    to_chunks = step(sql.cursor)
    assert to_chunks.get_requested_partitions(CHUNKS) == {key}
    assert to_chunks.get_num_requested(INDEX) == 0, "vector_index waits for chunks"
    assert {c.title for c in ChunkStore(open_database(settings)).chunks()} == {"Alpha", "Beta"}

    # the same source re-ingested with an empty page: its blocking check fails, nothing after it moves
    store = PageStore(open_database(settings))
    alpha = next(p for p in store.live_pages(spec) if p.title == "Alpha")
    store.upsert([alpha.model_copy(update={"markdown": " ", "properties": {}})])
    assert not materialize(instance, spec, raise_on_error=False).success
    after_failure = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=to_chunks.cursor)
    assert [after_failure.get_num_requested(a) for a in (CRAWLED, SCORES, RAG, CHUNKS)] == [0, 0, 0, 0]
    assert after_failure.get_num_requested(INDEX) == 1, "only the index of the chunks made before the failure"


def test_the_automation_sensor_is_on_by_default() -> None:
    (sensor,) = [s for s in defs.sensors if s.name == "pipeline_automation_sensor"]
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    graph = defs.resolve_asset_graph()
    automated = {key.to_user_string() for key in graph.get_all_asset_keys() if graph.get(key).automation_condition}
    assert automated >= {"chunks", "vector_index", "retrieval_eval"}
