"""`raw_notion_pages`: every configured source synced into the document store, per partition.

(No `from __future__ import annotations` in Dagster modules: Dagster inspects the `context`
annotation at definition time and rejects it as a string.)
"""

from datetime import timedelta

import dagster as dg

from secondbrain_core.ingest import ingest_source
from secondbrain_core.redact import redact
from secondbrain_core.sources.page import Page
from secondbrain_core.sources.registry import open_source
from secondbrain_core.sources.snapshot_store import manifest_key, open_store, source_slug
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore
from secondbrain_dagster.ingest.partitions import SOURCES, source_spec
from secondbrain_dagster.policies import DATA_OWNERS, NETWORK_RETRY, PER_SOURCE_BACKFILL
from secondbrain_dagster.resources import SecondBrainSettings

PREVIEW_ROWS = 5
LISTED_PAGES = "pages"  # metadata key: how many pages the source listing held (the count check reads it)


@dg.asset(
    partitions_def=SOURCES,
    group_name="ingest",
    kinds={"notion", "mongodb"},
    owners=DATA_OWNERS,
    retry_policy=NETWORK_RETRY,
    backfill_policy=PER_SOURCE_BACKFILL,
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(days=2), warn_window=timedelta(days=1)),
)
def raw_notion_pages(context: dg.AssetExecutionContext, sb: SecondBrainSettings) -> dg.MaterializeResult:
    """Pages of one source (Notion API, Notion export, S3 snapshot) as Markdown in MongoDB.

    Incremental: pages whose `last_edited_time` did not move are not fetched, unchanged content
    is not rewritten, pages gone from the source are marked deleted. Re-running a partition
    never duplicates a page.
    """
    settings = sb.get()
    spec = source_spec(context.partition_key)
    report = ingest_source(spec, settings)
    name = open_source(spec, settings).name
    live = PageStore(open_database(settings)).live_pages(name)
    counts = report.model_dump(include={LISTED_PAGES, "new", "updated", "unchanged", "deleted", "fetched", "skipped"})
    return dg.MaterializeResult(
        metadata={
            **{key: dg.MetadataValue.int(value) for key, value in counts.items()},
            "live_pages": dg.MetadataValue.int(len(live)),
            "source": dg.MetadataValue.text(redact(spec, settings)),
            "snapshot": dg.MetadataValue.path(
                redact(f"{open_store(settings).location}/{manifest_key(source_slug(name))}", settings)
            ),
            "preview": dg.MetadataValue.md(preview_table(live)),
        }
    )


def preview_table(pages: list[Page]) -> str:
    """The most recently edited pages as a Markdown table, for a glance in the UI."""
    recent = sorted(pages, key=lambda p: p.last_edited_time, reverse=True)[:PREVIEW_ROWS]
    rows = [f"| {_cell(p.title)} | {p.last_edited_time:%Y-%m-%d %H:%M} | {len(p.markdown)} |" for p in recent]
    return "\n".join(["| title | last edited (UTC) | chars |", "|---|---|---|", *rows])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "(untitled)"
