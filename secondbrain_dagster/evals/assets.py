"""`retrieval_eval` and `agent_eval`: the dev sets scored after every index build, in MLflow."""

from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

import dagster as dg

from secondbrain_core.evals.agent import AGENT_SET, AgentReport
from secondbrain_core.evals.agent import evaluate_dev_set as evaluate_agent_dev_set
from secondbrain_core.evals.agent import evaluation_key as agent_evaluation_key
from secondbrain_core.evals.agent import log_report as log_agent_report
from secondbrain_core.evals.dev_set import DEV_SET_DIR, evaluate_dev_set, evaluation_key
from secondbrain_core.evals.metrics import DEFAULT_CUTOFFS
from secondbrain_core.evals.retrieval import RetrievalReport
from secondbrain_core.evals.tracking import log_report
from secondbrain_core.incremental import RUN_ID, reuse_or_compute
from secondbrain_core.redact import redact
from secondbrain_core.settings import SAMPLE_SOURCE, Settings
from secondbrain_dagster.automation import AFTER_UPSTREAM
from secondbrain_dagster.policies import ML_OWNERS
from secondbrain_dagster.resources import SecondBrainSettings
from secondbrain_dagster.scale import MODEL_POD

MLFLOW_RUN_ID = RUN_ID  # metadata key the regression check reads; a stored result is kept only while its run exists
# Both evaluations score the index after each build, and go stale with it.
AFTER_EACH_INDEX = {
    "deps": [dg.AssetKey("vector_index")],
    "group_name": "evals",
    "automation_condition": AFTER_UPSTREAM,
    "freshness_policy": dg.FreshnessPolicy.time_window(fail_window=timedelta(days=8), warn_window=timedelta(days=2)),
    "op_tags": MODEL_POD,
}


class RetrievalEvalConfig(dg.Config):
    """Which judged set to score: the committed dev set over the sample KB unless overridden."""

    dev_set_dir: str = str(DEV_SET_DIR)
    corpus_source: str = SAMPLE_SOURCE


@dg.asset(kinds={"mlflow", "python"}, owners=ML_OWNERS, **AFTER_EACH_INDEX)
def retrieval_eval(
    context: dg.AssetExecutionContext, config: RetrievalEvalConfig, sb: SecondBrainSettings
) -> dg.MaterializeResult:
    """nDCG@10, Recall@10/100 and MRR@10 of bm25, dense and hybrid search on the dev set.

    Runs on the materialized index when it holds exactly the sample KB, otherwise on the
    sample KB indexed in a temp home with the same settings, so the score always measures
    the same questions over the same pages. Each run is one MLflow run in `retrieval_eval`;
    with the index (or pages), questions, settings and code unchanged the stored score is reused.
    """
    settings = sb.get()
    folder = Path(config.dev_set_dir)

    def evaluate() -> dict:
        evaluation = evaluate_dev_set(settings, folder, config.corpus_source)
        run_id = log_report(evaluation.report, settings, evaluation.version, evaluation.target)
        report = {**asdict(evaluation.report), "runs": {}}  # the per-query rankings stay in memory
        return {"report": report, "version": evaluation.version, "target": evaluation.target, MLFLOW_RUN_ID: run_id}

    key = evaluation_key(settings, folder, config.corpus_source)
    result, reuse = stored_or_fresh(settings, "retrieval_eval", key, evaluate)
    report = RetrievalReport(**result["report"])
    context.log.info(report.as_text())
    hybrid = report.metrics.get("hybrid", {})
    return dg.MaterializeResult(
        metadata={
            "metrics": dg.MetadataValue.md(metric_table(report)),
            "hybrid_ndcg@10": dg.MetadataValue.float(hybrid.get("ndcg@10", 0.0)),
            MLFLOW_RUN_ID: dg.MetadataValue.text(result[MLFLOW_RUN_ID]),
            "mlflow_tracking_uri": dg.MetadataValue.text(redact(settings.mlflow_tracking_uri, settings)),
            "target": dg.MetadataValue.text(result["target"]),
            "dev_set_version": dg.MetadataValue.text(result["version"]),
            "queries": dg.MetadataValue.int(report.queries),
            "context_mode": dg.MetadataValue.text(report.context_mode),
            "embedder": dg.MetadataValue.text(report.embedder),
            "seconds_query": dg.MetadataValue.float(round(report.seconds_query, 2)),
            **reuse,
        }
    )


def stored_or_fresh(settings: Settings, name: str, key: str, evaluate: Callable[[], dict]) -> tuple[dict, dict]:
    """`evaluate()` (which logs one MLflow run) unless a stored result has the same content key
    and its run still exists; and the metadata saying which, so the UI shows a reused score."""
    stored, reused = reuse_or_compute(settings, name, key, evaluate)
    return stored.result, {
        "reused": dg.MetadataValue.bool(reused),
        "computed_at": dg.MetadataValue.text(stored.computed_at.isoformat()),
        "input_key": dg.MetadataValue.text(key[:16]),
    }


def metric_table(report: RetrievalReport) -> str:
    """One Markdown row per mode, one column per metric."""
    header = ["| mode | " + " | ".join(DEFAULT_CUTOFFS) + " |", "|---" * (len(DEFAULT_CUTOFFS) + 1) + "|"]
    rows = [
        f"| {mode} | " + " | ".join(f"{scores[n]:.4f}" for n in DEFAULT_CUTOFFS) + " |"
        for mode, scores in report.metrics.items()
    ]
    return "\n".join(header + rows)


class AgentEvalConfig(dg.Config):
    """Which question set and sample source to score the assistant on."""

    questions_file: str = str(AGENT_SET)
    corpus_source: str = SAMPLE_SOURCE


@dg.asset(kinds={"mlflow", "dspy", "python"}, owners=ML_OWNERS, **AFTER_EACH_INDEX)
def agent_eval(
    context: dg.AssetExecutionContext, config: AgentEvalConfig, sb: SecondBrainSettings
) -> dg.MaterializeResult:
    """The assistant on the agent dev set: right page in the top-3 sources, fact in the answer,
    unanswerable questions declined, invalid citations (must be 0), latency p50/p95.

    Runs on the materialized index when it holds exactly the sample KB, else on the sample KB
    indexed in a temp home with the same settings. Each run is one MLflow run in `agent_eval`;
    with the index (or pages), questions, champion, settings and code unchanged it is reused.
    """
    settings = sb.get()
    questions = Path(config.questions_file)

    def evaluate() -> dict:
        evaluation = evaluate_agent_dev_set(settings, questions, config.corpus_source)
        return {
            "scores": evaluation.report.metrics(),
            "text": evaluation.report.as_text(),
            "failures": failure_table(evaluation.report),
            "target": evaluation.target,
            "version": evaluation.version,
            MLFLOW_RUN_ID: log_agent_report(evaluation, settings),
        }

    key = agent_evaluation_key(settings, questions, config.corpus_source)
    result, reuse = stored_or_fresh(settings, "agent_eval", key, evaluate)
    context.log.info(result["text"])
    return dg.MaterializeResult(
        metadata={
            **{name: dg.MetadataValue.float(round(value, 4)) for name, value in result["scores"].items()},
            MLFLOW_RUN_ID: dg.MetadataValue.text(result[MLFLOW_RUN_ID]),
            "target": dg.MetadataValue.text(result["target"]),
            "dev_set_version": dg.MetadataValue.text(result["version"]),
            "failures": dg.MetadataValue.md(result["failures"]),
            **reuse,
        }
    )


def failure_table(report: AgentReport, limit: int = 15) -> str:
    """The first answers that missed, so a regression can be read in the UI, not only counted."""
    rows = [
        f"| {o.question.id} | {o.question.question[:60]} | {'declined' if o.declined else o.answer.answer[:80]} |"
        for o in report.outcomes
        if (o.question.answerable and not (o.page_hit and o.fact)) or (not o.question.answerable and not o.declined)
    ]
    header = ["| id | question | answer |", "|---|---|---|"]
    return "\n".join(header + [r.replace("\n", " ") for r in rows[:limit]]) if rows else "no misses"
