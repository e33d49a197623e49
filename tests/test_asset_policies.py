"""Every asset of the merged graph declares what running it for months needs (issue 14, item 3):
group, kinds, owners, description, freshness policy; a retry policy when it calls the network;
a backfill policy when it is partitioned. And a backfill of every source is accepted."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.definitions.events import AssetKeyPartitionKey
from dagster._core.execution.backfill import PartitionBackfill

from secondbrain_dagster.definitions import defs
from secondbrain_dagster.ingest.partitions import SOURCES

# kinds that mean the asset talks to a service over the network
NETWORK_KINDS = {"notion", "s3", "crawl4ai", "openai", "voyage", "atlas", "huggingface"}
GRAPH = defs.resolve_asset_graph()
KEYS = sorted(GRAPH.materializable_asset_keys, key=lambda k: k.to_user_string())


@pytest.mark.parametrize("key", KEYS, ids=lambda k: k.to_user_string())
def test_asset_declares_its_operating_policies(key: dg.AssetKey) -> None:
    assets_def = defs.resolve_assets_def(key)
    spec = next(s for s in assets_def.specs if s.key == key)
    name = key.to_user_string()
    assert spec.group_name and spec.group_name != "default", f"{name}: no group"
    assert spec.kinds, f"{name}: no kinds"
    assert spec.owners, f"{name}: no owners (secondbrain_dagster/policies.py)"
    assert spec.description, f"{name}: no description"
    assert spec.freshness_policy is not None, f"{name}: no freshness policy"
    if spec.kinds & NETWORK_KINDS:
        assert assets_def.op.retry_policy is not None, (
            f"{name}: calls the network ({spec.kinds}) without a retry policy"
        )
    if assets_def.partitions_def is not None:
        assert assets_def.backfill_policy is not None, f"{name}: partitioned without a backfill policy"


def test_a_backfill_of_every_source_is_accepted_by_the_instance() -> None:
    """What the UI's "Materialize all partitions" submits: one backfill over every source partition."""
    instance = dg.DagsterInstance.ephemeral()
    sources = ["notion", "notion-export:/notes/a", "s3://bucket/prefix"]
    instance.add_dynamic_partitions(SOURCES.name, sources)
    per_source = [k for k in KEYS if GRAPH.get(k).partitions_def == SOURCES]
    backfill = PartitionBackfill.from_asset_partitions(
        backfill_id="all-sources",
        asset_graph=GRAPH,
        partition_names=None,
        asset_selection=per_source,
        backfill_timestamp=0.0,
        tags={},
        dynamic_partitions_store=instance,
        all_partitions=True,
        title=None,
        description=None,
        run_config=None,
    )
    instance.add_backfill(backfill)
    (stored,) = instance.get_backfills()
    assert stored.backfill_id == "all-sources"
    targets = set(stored.asset_backfill_data.target_subset.iterate_asset_partitions())
    assert targets == {AssetKeyPartitionKey(k, p) for k in per_source for p in sources}
    declared = [defs.resolve_assets_def(k).backfill_policy for k in per_source]
    assert declared and all(policy.max_partitions_per_run == 1 for policy in declared), "one run per source"


def test_partition_mappings_between_per_source_and_whole_graph_assets() -> None:
    """Per source to per source: the same source. Per source to a whole-graph asset (the SQL
    models, the index) and back: every source, so one source's update reaches the index and the
    index's rebuild reaches every source's chunks."""
    edges = [(key, parent) for key in KEYS for parent in GRAPH.get(key).parent_keys if parent in KEYS]
    for key, parent in edges:
        child_def, parent_def = GRAPH.get(key).partitions_def, GRAPH.get(parent).partitions_def
        mapping = GRAPH.get_partition_mapping(key, parent)
        name = f"{parent.to_user_string()} -> {key.to_user_string()}"
        if child_def == SOURCES and parent_def == SOURCES:
            assert isinstance(mapping, dg.IdentityPartitionMapping), name
        elif (child_def is None) != (parent_def is None):
            assert isinstance(mapping, dg.AllPartitionMapping), name
    assert any(GRAPH.get(k).partitions_def is None for k, p in edges if GRAPH.get(p).partitions_def == SOURCES)
