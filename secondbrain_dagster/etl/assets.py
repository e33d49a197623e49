"""`quality_scores` (per source) and the SQL models of `dbt_like_sql/` (one asset per `.sql`).

`quality_scores` waits for `crawled_pages`, not for the ingest itself: the crawl follows every
ingest of its source, so triggering on both would score each source twice per ingest.
"""

from datetime import timedelta

import dagster as dg

from dbt_like_sql.loader import sql_model_assets
from secondbrain_core.quality.scoring import score_source
from secondbrain_core.sources.registry import open_source
from secondbrain_dagster.automation import AFTER_LATER_STEP
from secondbrain_dagster.ingest.partitions import SOURCES, source_spec
from secondbrain_dagster.policies import DATA_OWNERS, NETWORK_RETRY, PER_SOURCE_BACKFILL
from secondbrain_dagster.resources import SecondBrainSettings

PREVIEW_ROWS = 8
INGEST = dg.AssetKey("raw_notion_pages")


@dg.asset(
    partitions_def=SOURCES,
    deps=[INGEST, dg.AssetKey("crawled_pages")],
    group_name="etl",
    automation_condition=AFTER_LATER_STEP,
    kinds={"python", "mongodb"},
    owners=DATA_OWNERS,
    retry_policy=NETWORK_RETRY,  # the judge may call an OpenAI-compatible endpoint
    backfill_policy=PER_SOURCE_BACKFILL,
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(days=3), warn_window=timedelta(days=2)),
)
def quality_scores(context: dg.AssetExecutionContext, sb: SecondBrainSettings) -> dg.MaterializeResult:
    """A quality score in [0, 1] for each live note of one source and each page its notes link:
    heuristics (length, link density, boilerplate, language, duplication) and, when the mode
    needs it or an OpenAI-compatible LLM is configured, an LLM judge's score and reason.

    Judge verdicts are cached by content hash, prompt version and model: unchanged documents
    are never judged again. Re-running replaces this source's rows.
    """
    settings = sb.get()
    source = open_source(source_spec(context.partition_key), settings).name
    report = score_source(source, settings)
    worst = sorted(report.rows, key=lambda r: r.quality)[:PREVIEW_ROWS]
    rows = [f"| {r.title[:50].replace('|', '/')} | {r.kind} | {r.quality:.2f} | {r.judge_reason[:60]} |" for r in worst]
    return dg.MaterializeResult(
        metadata={
            "documents": report.documents,
            "notes": report.notes,
            "crawled": report.crawled,
            "passed": report.passed,
            "threshold": settings.quality_threshold,
            "mode": report.mode,
            "judged": report.judged,
            "judge_cache_hits": report.cached,
            "judge_failed": report.failed,
            "removed": report.removed,
            "lowest": dg.MetadataValue.md(
                "\n".join(["| title | kind | quality | judge |", "|---|---|---|---|", *rows])
            ),
        }
    )


SQL_MODELS = sql_model_assets()
