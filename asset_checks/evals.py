"""Checks on the evaluation assets."""

import dagster as dg

from secondbrain_core.evals import agent as agent_evals
from secondbrain_core.evals.tracking import GATE_KEY, TOLERANCE, gate, latest_run_id
from secondbrain_dagster.evals.assets import MLFLOW_RUN_ID, agent_eval, retrieval_eval
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


@dg.asset_check(asset=agent_eval, blocking=True)
def agent_quality_no_regression(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """Fails when page-and-fact drops more than 0.03 below the last accepted run, or when any
    answer cites a passage that is not text of its page (invalid citations must be 0)."""
    settings = sb.get()
    event = context.instance.get_latest_materialization_event(agent_eval.key)
    metadata = event.asset_materialization.metadata if event and event.asset_materialization else {}
    run_id = metadata[MLFLOW_RUN_ID].value if MLFLOW_RUN_ID in metadata else latest_run_id(settings, "agent_eval")
    if run_id is None:
        return dg.AssetCheckResult(passed=False, metadata={"reason": "no agent_eval run in MLflow yet"})
    invalid = metadata["invalid_citations"].value if "invalid_citations" in metadata else 0.0
    result = gate(
        str(run_id),
        settings,
        agent_evals.TOLERANCE,
        experiment=agent_evals.EXPERIMENT,
        metric=agent_evals.GATE_METRIC,
    )
    reason = result.reason if invalid == 0 else f"{int(invalid)} invalid citations; {result.reason}"
    return dg.AssetCheckResult(
        passed=result.passed and invalid == 0,
        metadata={
            agent_evals.GATE_METRIC: result.value,
            "baseline": result.baseline if result.baseline is not None else float("nan"),
            "invalid_citations": float(invalid),
            "tolerance": agent_evals.TOLERANCE,
            MLFLOW_RUN_ID: str(run_id),
            "reason": reason,
        },
    )


EVAL_CHECKS = [hybrid_ndcg_no_regression, agent_quality_no_regression]
