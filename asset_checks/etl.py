"""Checks on `quality_scores` (per source); the SQL models carry their own column tests."""

import warnings

import dagster as dg

from secondbrain_core.quality.store import QualityStore
from secondbrain_core.sources.registry import open_source
from secondbrain_core.stores.mongo import open_database
from secondbrain_dagster.etl.assets import quality_scores
from secondbrain_dagster.ingest.partitions import SOURCES, source_spec
from secondbrain_dagster.resources import SecondBrainSettings

warnings.filterwarnings("ignore", message=".*Specifying a partitions_def on an AssetCheckSpec.*")
MAX_JUDGE_FAILED_SHARE = 0.5


def _rows(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings):
    settings = sb.get()
    source = open_source(source_spec(context.partition_key), settings).name
    return QualityStore(open_database(settings)).rows(source)


@dg.asset_check(asset=quality_scores, partitions_def=SOURCES, blocking=True)
def scores_in_range(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """Every heuristic, judge and final score is in [0, 1]: the SQL thresholds assume it."""
    rows = _rows(context, sb)
    values = [v for r in rows for v in (r.heuristic, r.quality, r.judge_score) if v is not None]
    bad = [v for v in values if not 0.0 <= v <= 1.0]
    return dg.AssetCheckResult(
        passed=not bad,
        metadata={"documents": len(rows), "out_of_range": len(bad), "min": min(values, default=0.0)},
    )


@dg.asset_check(asset=quality_scores, partitions_def=SOURCES)
def judge_failures_under_share(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """Warns when the judge failed (malformed answer, endpoint error) for many documents: their
    scores then fall back to the heuristic."""
    rows = [r for r in _rows(context, sb) if r.judge_status != "skipped"]
    failed = sum(1 for r in rows if r.judge_status == "failed")
    share = failed / len(rows) if rows else 0.0
    return dg.AssetCheckResult(
        passed=share <= MAX_JUDGE_FAILED_SHARE,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"judged": len(rows), "failed": failed, "failed_share": round(share, 4)},
    )


ETL_CHECKS = [scores_in_range, judge_failures_under_share]
