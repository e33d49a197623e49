"""Checks on the training assets: a usable dataset, a current model, and the promotion gate."""

import dagster as dg

from secondbrain_core.dataset.store import latest_dataset
from secondbrain_core.training import registry
from secondbrain_dagster.resources import SecondBrainSettings
from secondbrain_dagster.training.assets import (
    CANDIDATE_SCORE,
    CANDIDATE_VERSION,
    INCUMBENT,
    INCUMBENT_SCORE,
    summarization_dataset,
    summarization_eval,
    tuned_model,
)


def _latest_metadata(context: dg.AssetCheckExecutionContext, key: dg.AssetKey) -> dict:
    event = context.instance.get_latest_materialization_event(key)
    materialization = event.asset_materialization if event else None
    return {k: v.value for k, v in materialization.metadata.items()} if materialization else {}


@dg.asset_check(asset=summarization_dataset, blocking=True)
def dataset_trainable(sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """The newest dataset has train and test pairs, and notes pairs in every style (warns if not)."""
    info = latest_dataset(sb.get())
    missing = [s for s in ("one-sentence", "key-points", "answer-focused") if f"notes/{s}" not in info.by_source_style]
    trainable = info.counts.get("train", 0) > 0 and info.counts.get("test", 0) > 0
    return dg.AssetCheckResult(
        passed=trainable and not missing,
        severity=dg.AssetCheckSeverity.ERROR if not trainable else dg.AssetCheckSeverity.WARN,
        metadata={**info.counts, "version": info.version, "styles_without_notes": ", ".join(missing) or "none"},
    )


@dg.asset_check(asset=tuned_model)
def tuned_model_current(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """Stale when the newest dataset version differs from the one the model was trained on."""
    trained_on = _latest_metadata(context, tuned_model.key).get("dataset_version", "")
    newest = latest_dataset(sb.get()).version
    return dg.AssetCheckResult(
        passed=trained_on == newest,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"trained_on": str(trained_on), "newest_dataset": newest},
    )


@dg.asset_check(asset=summarization_eval, blocking=True)
def champion_promotion(context: dg.AssetCheckExecutionContext, sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """The gate: the evaluated version takes the `champion` alias only if its test ROUGE-L beats the
    incumbent's (the current champion, or the base model); otherwise this fails and the alias stays."""
    settings = sb.get()
    scores = _latest_metadata(context, summarization_eval.key)
    if CANDIDATE_VERSION not in scores:
        return dg.AssetCheckResult(passed=False, metadata={"reason": "summarization_eval has not run"})
    candidate = str(scores[CANDIDATE_VERSION])
    if registry.champion_version(settings) == candidate:
        return dg.AssetCheckResult(passed=True, metadata={"reason": f"version {candidate} is already the champion"})
    result = registry.promote(
        settings, candidate, float(scores[CANDIDATE_SCORE]), str(scores[INCUMBENT]), float(scores[INCUMBENT_SCORE])
    )
    return dg.AssetCheckResult(
        passed=result.promoted,
        metadata={
            "candidate": candidate,
            "candidate_rougeL": result.candidate_score,
            "incumbent": result.incumbent,
            "incumbent_rougeL": result.incumbent_score,
            "champion": registry.champion_version(settings) or "base",
            "reason": result.reason,
        },
    )


TRAINING_CHECKS = [dataset_trainable, tuned_model_current, champion_promotion]
