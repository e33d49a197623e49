"""Checks on `raw_notion_pages`, evaluated per source partition.

Dagster 1.13 runs an `@asset_check` in the same run as its asset; declared with the asset's
`partitions_def`, each evaluation is recorded against that partition (without it the check
result has no partition and the UI shows one result for all sources). `partitions_def` on a
check is still marked preview, hence the narrow warning filter below. A run of the checks
alone, without the asset, is refused for a partitioned selection in 1.13 ("no
PartitionsDefinition shared by all the provided assets"), so they always run with the asset;
being blocking, a failure fails that run and keeps downstream assets off the bad partition.
"""

import warnings
from collections import Counter

import dagster as dg

from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page
from secondbrain_core.sources.registry import open_source
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PAGES, PageStore
from secondbrain_dagster.ingest.assets import LISTED_PAGES, raw_notion_pages
from secondbrain_dagster.ingest.partitions import SOURCES, source_spec
from secondbrain_dagster.resources import SecondBrainSettings

warnings.filterwarnings("ignore", message=".*Specifying a partitions_def on an AssetCheckSpec.*")


def _source_name(context: dg.AssetCheckExecutionContext, settings: Settings) -> str:
    return open_source(source_spec(context.partition_key), settings).name


def _live_pages(context: dg.AssetCheckExecutionContext, settings: Settings) -> list[Page]:
    return PageStore(open_database(settings)).live_pages(_source_name(context, settings))


@dg.asset_check(asset=raw_notion_pages, partitions_def=SOURCES, blocking=True)
def no_empty_pages(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """A live page with neither Markdown nor properties carries nothing to retrieve: a parser bug."""
    live = _live_pages(context, sb.get())
    empty = [p for p in live if not p.markdown.strip() and not p.properties]
    return dg.AssetCheckResult(
        passed=not empty,
        metadata={
            "live_pages": len(live),
            "empty_pages": len(empty),
            "examples": dg.MetadataValue.json([{"id": p.id, "title": p.title} for p in empty[:5]]),
        },
    )


@dg.asset_check(asset=raw_notion_pages, partitions_def=SOURCES, blocking=True)
def page_ids_unique(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """One document per (source, page id): a duplicate would be retrieved, and counted, twice."""
    settings = sb.get()
    source = _source_name(context, settings)
    ids = [d["id"] for d in open_database(settings)[PAGES].find({"source": source}, {"_id": 0, "id": 1})]
    duplicates = sorted(pid for pid, n in Counter(ids).items() if n > 1)
    return dg.AssetCheckResult(
        passed=not duplicates,
        metadata={"documents": len(ids), "distinct_ids": len(set(ids)), "duplicates": len(duplicates)},
    )


@dg.asset_check(asset=raw_notion_pages, partitions_def=SOURCES, blocking=True)
def live_count_matches_listing(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """The store holds exactly the pages the source listed when the partition last materialized,
    less those it skipped as malformed (each named in a warning; one stored before stays).

    The listing count comes from that materialization's metadata rather than a new listing,
    so an edit made in Notion since then cannot fail the check.
    """
    record = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=raw_notion_pages.key, asset_partitions=[context.partition_key]), limit=1
    ).records
    if not record:
        return dg.AssetCheckResult(passed=False, description="partition not materialized yet")
    metadata = record[0].asset_materialization.metadata
    listed = metadata[LISTED_PAGES].value
    skipped = metadata["skipped"].value if "skipped" in metadata else 0
    live = len(_live_pages(context, sb.get()))
    return dg.AssetCheckResult(
        passed=listed - skipped <= live <= listed,
        metadata={"listed_pages": listed, "skipped_pages": skipped, "live_pages": live},
    )


INGEST_CHECKS = [no_empty_pages, page_ids_unique, live_count_matches_listing]
