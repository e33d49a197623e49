"""`retrieval_eval`: the dev question set scored after every index build, logged to MLflow."""

from datetime import timedelta
from pathlib import Path

import dagster as dg

from secondbrain_core.evals.dev_set import DEV_SET_DIR, evaluate_dev_set
from secondbrain_core.evals.metrics import DEFAULT_CUTOFFS
from secondbrain_core.evals.retrieval import RetrievalReport
from secondbrain_core.evals.tracking import log_report
from secondbrain_core.redact import redact
from secondbrain_core.settings import SAMPLE_SOURCE
from secondbrain_dagster.automation import AFTER_UPSTREAM
from secondbrain_dagster.resources import SecondBrainSettings

MLFLOW_RUN_ID = "mlflow_run_id"  # metadata key the regression check reads


class RetrievalEvalConfig(dg.Config):
    """Which judged set to score: the committed dev set over the sample KB unless overridden."""

    dev_set_dir: str = str(DEV_SET_DIR)
    corpus_source: str = SAMPLE_SOURCE


@dg.asset(
    deps=[dg.AssetKey("vector_index")],
    group_name="evals",
    automation_condition=AFTER_UPSTREAM,
    kinds={"mlflow", "python"},
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(days=8), warn_window=timedelta(days=2)),
)
def retrieval_eval(
    context: dg.AssetExecutionContext, config: RetrievalEvalConfig, sb: SecondBrainSettings
) -> dg.MaterializeResult:
    """nDCG@10, Recall@10/100 and MRR@10 of bm25, dense and hybrid search on the dev set.

    Runs on the materialized index when it holds exactly the sample KB, otherwise on the
    sample KB indexed in a temp home with the same settings, so the score always measures
    the same questions over the same pages. Each run is one MLflow run in `retrieval_eval`.
    """
    settings = sb.get()
    evaluation = evaluate_dev_set(settings, Path(config.dev_set_dir), config.corpus_source)
    run_id = log_report(evaluation.report, settings, evaluation.version, evaluation.target)
    report = evaluation.report
    context.log.info(report.as_text())
    hybrid = report.metrics.get("hybrid", {})
    return dg.MaterializeResult(
        metadata={
            "metrics": dg.MetadataValue.md(metric_table(report)),
            "hybrid_ndcg@10": dg.MetadataValue.float(hybrid.get("ndcg@10", 0.0)),
            MLFLOW_RUN_ID: dg.MetadataValue.text(run_id),
            "mlflow_tracking_uri": dg.MetadataValue.text(redact(settings.mlflow_tracking_uri, settings)),
            "target": dg.MetadataValue.text(evaluation.target),
            "dev_set_version": dg.MetadataValue.text(evaluation.version),
            "queries": dg.MetadataValue.int(report.queries),
            "context_mode": dg.MetadataValue.text(report.context_mode),
            "embedder": dg.MetadataValue.text(report.embedder),
            "seconds_query": dg.MetadataValue.float(round(report.seconds_query, 2)),
        }
    )


def metric_table(report: RetrievalReport) -> str:
    """One Markdown row per mode, one column per metric."""
    header = ["| mode | " + " | ".join(DEFAULT_CUTOFFS) + " |", "|---" * (len(DEFAULT_CUTOFFS) + 1) + "|"]
    rows = [
        f"| {mode} | " + " | ".join(f"{scores[n]:.4f}" for n in DEFAULT_CUTOFFS) + " |"
        for mode, scores in report.metrics.items()
    ]
    return "\n".join(header + rows)
