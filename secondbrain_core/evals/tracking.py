"""Retrieval-eval runs in MLflow, and the regression gate against the last accepted run.

Each evaluation is one MLflow run in experiment `retrieval_eval` (metrics per mode, the
settings that produced them as params). A run that passes the gate is tagged `accepted=true`
and becomes the baseline for the next; a failing run is tagged `accepted=false` and never
moves the baseline, so a slow slide of small drops cannot ratchet the bar down. Only runs on
the same dev-set version compare: new questions change the scale, not the quality.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from secondbrain_core.errors import service_errors
from secondbrain_core.evals.retrieval import RetrievalReport
from secondbrain_core.experiments import experiment_id
from secondbrain_core.settings import Settings

EXPERIMENT = "retrieval_eval"
GATE_METRIC = ("hybrid", "ndcg@10")
TOLERANCE = 0.02


def metric_key(mode: str, name: str) -> str:
    """MLflow metric names allow no '@': `hybrid.ndcg@10` → `hybrid_ndcg_at_10`."""
    return f"{mode}_{name.replace('@', '_at_')}"


GATE_KEY = metric_key(*GATE_METRIC)


@dataclass
class GateResult:
    passed: bool
    value: float
    baseline: float | None
    baseline_run_id: str | None
    reason: str


@contextlib.contextmanager
def tracking(settings: Settings, name: str = EXPERIMENT) -> Iterator[tuple]:
    """(client, id of experiment `name`); any MLflow failure inside names the server without credentials."""
    import mlflow
    from mlflow.exceptions import MlflowException

    uri = settings.mlflow_tracking_uri
    with service_errors(f"MLflow at MLFLOW_TRACKING_URI={uri}", settings, MlflowException):
        mlflow.set_tracking_uri(uri)
        client = mlflow.MlflowClient(tracking_uri=uri)
        yield client, experiment_id(settings, name)


def log_report(report: RetrievalReport, settings: Settings, dev_set_version: str, target: str) -> str:
    """One MLflow run for `report`; returns its run id."""
    with tracking(settings) as (client, experiment_id):
        run = client.create_run(experiment_id, tags={"dev_set": dev_set_version, "target": target})
        run_id = run.info.run_id
        for key, value in {
            "embedder": report.embedder,
            "context_mode": report.context_mode,
            "chunk_tokens": settings.chunk_tokens,
            "chunk_overlap_tokens": settings.chunk_overlap_tokens,
            "rrf_k": settings.rrf_k,
            "hybrid_fusion": settings.hybrid_fusion,
            "hybrid_dense_weight": settings.hybrid_dense_weight,
            "rerank": settings.rerank,
            "docs": report.docs,
            "chunks": report.chunks,
            "queries": report.queries,
        }.items():
            client.log_param(run_id, key, value)
        for mode, scores in report.metrics.items():
            for name, value in scores.items():
                client.log_metric(run_id, metric_key(mode, name), value)
        client.log_metric(run_id, "seconds_index", report.seconds_index)
        client.log_metric(run_id, "seconds_query", report.seconds_query)
        client.set_terminated(run_id)
        return run_id


def latest_run_id(settings: Settings, experiment: str = EXPERIMENT) -> str | None:
    with tracking(settings, experiment) as (client, experiment_id):
        runs = client.search_runs([experiment_id], order_by=["attributes.start_time DESC"], max_results=1)
        return runs[0].info.run_id if runs else None


def gate(
    run_id: str,
    settings: Settings,
    tolerance: float = TOLERANCE,
    experiment: str = EXPERIMENT,
    metric: str = GATE_KEY,
) -> GateResult:
    """Compare `run_id`'s `metric` with the last accepted run of the same dev set, then tag it.

    The first run of a dev-set version has nothing to compare with and accepts itself.
    """
    with tracking(settings, experiment) as (client, experiment_id):
        run = client.get_run(run_id)
        value = run.data.metrics[metric]
        version = run.data.tags.get("dev_set", "")
        accepted = client.search_runs(
            [experiment_id],
            filter_string=f"tags.accepted = 'true' and tags.dev_set = '{version}'",
            order_by=["attributes.start_time DESC"],
        )
        baseline = next((r for r in accepted if r.info.run_id != run_id and metric in r.data.metrics), None)
        if baseline is None:
            result = GateResult(True, value, None, None, "first run on this dev set: accepted as the baseline")
        else:
            base = baseline.data.metrics[metric]
            passed = value >= base - tolerance
            verdict = "within" if passed else "dropped more than"
            reason = f"{metric} {value:.4f} vs accepted {base:.4f}: {verdict} {tolerance}"
            result = GateResult(passed, value, base, baseline.info.run_id, reason)
        client.set_tag(run_id, "accepted", "true" if result.passed else "false")
        return result
