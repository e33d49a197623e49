"""Declarative automation: an ingest flows on to the index by itself, unless its checks failed."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from test_dagster_ingest import materialize, write_export

from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore
from secondbrain_dagster.definitions import defs
from secondbrain_dagster.ingest.partitions import SOURCES, partition_key

CHUNKS = dg.AssetKey("chunks")
INDEX = dg.AssetKey("vector_index")


def test_ingest_requests_its_chunks_and_a_failed_check_stops_the_flow(settings: Settings, tmp_path: Path) -> None:
    spec = write_export(tmp_path / "export", {"Alpha": "alpha notes", "Beta": "beta notes"})
    key = partition_key(spec)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SOURCES.name, [key])

    idle = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    assert idle.total_requested == 0, "nothing is ingested yet: nothing downstream can run"

    assert materialize(instance, spec).success
    after_ingest = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=idle.cursor)
    assert after_ingest.get_requested_partitions(CHUNKS) == {key}
    assert after_ingest.get_num_requested(INDEX) == 0, "vector_index waits for chunks"

    # the same source re-ingested with an empty page: its blocking check fails, chunks must wait
    store = PageStore(open_database(settings))
    alpha = next(p for p in store.live_pages(spec) if p.title == "Alpha")
    store.upsert([alpha.model_copy(update={"markdown": " ", "properties": {}})])
    assert not materialize(instance, spec, raise_on_error=False).success
    after_failure = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=after_ingest.cursor)
    assert after_failure.get_num_requested(CHUNKS) == 0


def test_the_automation_sensor_is_on_by_default() -> None:
    (sensor,) = [s for s in defs.sensors if s.name == "pipeline_automation_sensor"]
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    graph = defs.resolve_asset_graph()
    automated = {key.to_user_string() for key in graph.get_all_asset_keys() if graph.get(key).automation_condition}
    assert automated >= {"chunks", "vector_index", "retrieval_eval"}
