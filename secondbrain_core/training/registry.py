"""The tuned model in MLflow: one run per training (params, loss curves, dataset input), one registry
version per run with its lineage, and the `champion` alias that only a better model may take.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from secondbrain_core.llm.models import CHAMPION_ALIAS, REGISTERED_MODEL
from secondbrain_core.settings import REPO_ROOT, Settings

EXPERIMENT = "summarization_training"
SCORE_TAG = "test_rougeL"


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def client(settings: Settings):
    import mlflow

    uri = settings.mlflow_tracking_uri
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)


def register(settings: Settings, run_id: str, artifact_path: str, lineage: dict[str, str]) -> str:
    """A new version of `summarizer` from the run's logged model folder; its version number."""
    from mlflow.exceptions import MlflowException

    registry = client(settings)
    try:
        registry.get_registered_model(REGISTERED_MODEL)
    except MlflowException:
        registry.create_registered_model(REGISTERED_MODEL, description="SmolLM2 LoRA-tuned to summarize notes")
    source = f"{registry.get_run(run_id).info.artifact_uri}/{artifact_path}"
    version = registry.create_model_version(REGISTERED_MODEL, source, run_id=run_id, tags=lineage)
    return str(version.version)


def champion_version(settings: Settings) -> str | None:
    from mlflow.exceptions import MlflowException

    try:
        return str(client(settings).get_model_version_by_alias(REGISTERED_MODEL, CHAMPION_ALIAS).version)
    except MlflowException:
        return None


def latest_version(settings: Settings) -> str | None:
    versions = client(settings).search_model_versions(f"name = '{REGISTERED_MODEL}'")
    return str(max(int(v.version) for v in versions)) if versions else None


@dataclass(frozen=True)
class Promotion:
    promoted: bool
    candidate: str
    candidate_score: float
    incumbent: str  # a version number, or "base"
    incumbent_score: float
    reason: str


def promote(
    settings: Settings, candidate: str, candidate_score: float, incumbent: str, incumbent_score: float
) -> Promotion:
    """Give `candidate` the champion alias only if it beats the incumbent on the same test items."""
    registry = client(settings)
    registry.set_model_version_tag(REGISTERED_MODEL, candidate, SCORE_TAG, f"{candidate_score:.4f}")
    won = candidate_score > incumbent_score
    verdict = "beats" if won else "does not beat"
    name = incumbent if incumbent == "base" else f"version {incumbent}"
    reason = f"version {candidate} ROUGE-L {candidate_score:.4f} {verdict} {name} {incumbent_score:.4f}"
    if won:
        registry.set_registered_model_alias(REGISTERED_MODEL, CHAMPION_ALIAS, candidate)
    return Promotion(won, candidate, candidate_score, incumbent, incumbent_score, reason)


def lineage(dataset_version: str, base_model: str) -> dict[str, str]:
    return {"dataset_version": dataset_version, "base_model": base_model, "git_commit": git_commit()}


def version_for_dataset(settings: Settings, dataset_version: str) -> str | None:
    """The newest registered version trained on `dataset_version`, if any (training is not repeated)."""
    versions = [
        v
        for v in client(settings).search_model_versions(f"name = '{REGISTERED_MODEL}'")
        if v.tags.get("dataset_version") == dataset_version
    ]
    return str(max(int(v.version) for v in versions)) if versions else None
