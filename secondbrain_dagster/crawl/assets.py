"""`crawled_pages`: the web pages a source's notes link, fetched through the URL guard, as Markdown.

Partitioned per source like `raw_notion_pages`. A URL that fails (refused by the guard or
robots.txt, 404, timeout, too big, not a document) is stored with its status and reason and
never fails the partition; the share of failed URLs is a warning check. The retry policy is for
what does fail a run: the document store being unreachable.
"""

from datetime import timedelta

import dagster as dg

from secondbrain_core.crawl.pipeline import crawl_source
from secondbrain_core.crawl.store import CrawledPage
from secondbrain_core.sources.registry import open_source
from secondbrain_core.stores.mongo import open_database
from secondbrain_dagster.automation import AFTER_UPSTREAM
from secondbrain_dagster.ingest.partitions import SOURCES, source_spec
from secondbrain_dagster.policies import DATA_OWNERS, NETWORK_RETRY, PER_SOURCE_BACKFILL
from secondbrain_dagster.pools import CRAWLER
from secondbrain_dagster.resources import SecondBrainSettings
from secondbrain_dagster.scale import CRAWL_POD

PREVIEW_ROWS = 8


@dg.asset(
    partitions_def=SOURCES,
    deps=[dg.AssetKey("raw_notion_pages")],
    group_name="etl",
    automation_condition=AFTER_UPSTREAM,
    kinds={"crawl4ai", "mongodb"},
    owners=DATA_OWNERS,
    retry_policy=NETWORK_RETRY,
    backfill_policy=PER_SOURCE_BACKFILL,
    pool=CRAWLER,  # one crawl at a time on a machine, whoever launched it
    op_tags=CRAWL_POD,
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(days=3), warn_window=timedelta(days=2)),
)
def crawled_pages(context: dg.AssetExecutionContext, sb: SecondBrainSettings) -> dg.MaterializeResult:
    """Every http(s) link of one source's notes (body links, bookmarks, embeds, URL properties),
    canonicalized, fetched through the URL guard and cleaned to Markdown by crawl4ai, in MongoDB
    (`crawled_pages`, one document per URL).

    Incremental: notes whose links did not change add nothing to fetch; a re-fetch is
    conditional (ETag / Last-Modified) and an identical body keeps its stored document.
    """
    settings = sb.get()
    source = open_source(source_spec(context.partition_key), settings).name
    report = crawl_source(source, settings, open_database(settings))
    return dg.MaterializeResult(
        metadata={
            "notes": report.notes,
            "notes_with_changed_links": report.notes_changed,
            "urls": len(report.pages),
            "fetched": report.fetched,
            "unchanged": report.unchanged,
            "ok": report.count("ok"),
            "blocked": report.count("blocked"),
            "error": report.count("error"),
            "failed_share": dg.MetadataValue.float(round(report.failed_share, 4)),
            "preview": dg.MetadataValue.md(preview_table(report.pages)),
        }
    )


def preview_table(pages: list[CrawledPage]) -> str:
    """Failures first (they need a look), then pages by URL."""
    shown = sorted(pages, key=lambda p: (p.status == "ok", p.url))[:PREVIEW_ROWS]
    rows = [f"| {p.url} | {p.status} | {_cell(p.title or p.reason or '')} | {len(p.markdown)} |" for p in shown]
    return "\n".join(["| url | status | title / reason | chars |", "|---|---|---|---|", *rows])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:120]
