"""Checks on the evaluation assets."""

import dagster as dg

from secondbrain_core.evals.tracking import GATE_KEY, TOLERANCE, gate, latest_run_id
from secondbrain_dagster.evals.assets import MLFLOW_RUN_ID, retrieval_eval
from secondbrain_dagster.resources import SecondBrainSettings


@dg.asset_check(asset=retrieval_eval)
def hybrid_ndcg_no_regression(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """Fails when hybrid nDCG@10 drops more than 0.02 below the last accepted run.

    Passing runs become the new baseline (MLflow tag `accepted=true`); the first run on a
    dev-set version accepts itself. Reads the run id the materialization recorded, falling
    back to the newest MLflow run when the check runs on its own.
    """
    settings = sb.get()
    event = context.instance.get_latest_materialization_event(retrieval_eval.key)
    metadata = event.asset_materialization.metadata if event and event.asset_materialization else {}
    run_id = metadata[MLFLOW_RUN_ID].value if MLFLOW_RUN_ID in metadata else latest_run_id(settings)
    if run_id is None:
        return dg.AssetCheckResult(passed=False, metadata={"reason": "no retrieval_eval run in MLflow yet"})
    result = gate(str(run_id), settings)
    return dg.AssetCheckResult(
        passed=result.passed,
        metadata={
            GATE_KEY: result.value,
            "baseline": result.baseline if result.baseline is not None else float("nan"),
            "baseline_run_id": result.baseline_run_id or "",
            "tolerance": TOLERANCE,
            MLFLOW_RUN_ID: str(run_id),
            "reason": result.reason,
        },
    )


EVAL_CHECKS = [hybrid_ndcg_no_regression]
