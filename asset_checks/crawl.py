"""Checks on `crawled_pages`, evaluated per source partition.

Failed URLs are expected now and then (a site down, a page moved), so their share is a
warning, not a blocker; a stored document that breaks the collection's contract (an `ok` page
without Markdown or with a stale hash, a URL stored under a non-canonical key) blocks, since
the quality scores and SQL models read these documents as they are.
"""

import warnings

import dagster as dg

from secondbrain_core.crawl.links import canonical_url
from secondbrain_core.crawl.store import CRAWLED_PAGES, CrawledPage, CrawlStore, sha256_hex
from secondbrain_core.settings import Settings
from secondbrain_core.sources.registry import open_source
from secondbrain_core.stores.mongo import open_database
from secondbrain_dagster.crawl.assets import crawled_pages
from secondbrain_dagster.ingest.partitions import SOURCES, source_spec
from secondbrain_dagster.resources import SecondBrainSettings

warnings.filterwarnings("ignore", message=".*Specifying a partitions_def on an AssetCheckSpec.*")


def _source(context: dg.AssetCheckExecutionContext, settings: Settings) -> str:
    return open_source(source_spec(context.partition_key), settings).name


def _pages(context: dg.AssetCheckExecutionContext, settings: Settings) -> list[CrawledPage]:
    return CrawlStore(open_database(settings)).pages(_source(context, settings))


@dg.asset_check(asset=crawled_pages, partitions_def=SOURCES)
def failed_share_below_threshold(
    context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings
) -> dg.AssetCheckResult:
    """Most linked URLs should crawl; many failures point at a network problem or an over-strict guard."""
    settings = sb.get()
    pages = _pages(context, settings)
    failed = [p for p in pages if p.status != "ok"]
    share = len(failed) / len(pages) if pages else 0.0
    return dg.AssetCheckResult(
        passed=share <= settings.crawl_max_failed_share,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "urls": len(pages),
            "failed": len(failed),
            "blocked": sum(p.status == "blocked" for p in failed),
            "failed_share": round(share, 4),
            "threshold": settings.crawl_max_failed_share,
            "examples": dg.MetadataValue.json([{"url": p.url, "reason": p.reason} for p in failed[:5]]),
        },
    )


@dg.asset_check(asset=crawled_pages, partitions_def=SOURCES, blocking=True)
def ok_pages_have_markdown(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """An `ok` page is one with Markdown whose `content_hash` is its hash: what the scores cache on."""
    pages = [p for p in _pages(context, sb.get()) if p.status == "ok"]
    bad = [p.url for p in pages if not p.markdown.strip() or p.content_hash != sha256_hex(p.markdown)]
    return dg.AssetCheckResult(
        passed=not bad, metadata={"ok_pages": len(pages), "bad": len(bad), "examples": dg.MetadataValue.json(bad[:5])}
    )


@dg.asset_check(asset=crawled_pages, partitions_def=SOURCES, blocking=True)
def urls_canonical_and_unique(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """One document per canonical URL: a second spelling of a URL would be scored and indexed twice."""
    settings = sb.get()
    docs = list(open_database(settings)[CRAWLED_PAGES].find({"sources": _source(context, settings)}, {"url": 1}))
    bad = [d["_id"] for d in docs if d["_id"] != d.get("url") or canonical_url(d["_id"]) != d["_id"]]
    return dg.AssetCheckResult(
        passed=not bad, metadata={"documents": len(docs), "bad": len(bad), "examples": dg.MetadataValue.json(bad[:5])}
    )


CRAWL_CHECKS = [failed_share_below_threshold, ok_pages_have_markdown, urls_canonical_and_unique]
