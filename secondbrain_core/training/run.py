"""One training run end to end: dataset → LoRA → merged model (+ GGUF) → MLflow run → registry version.

Parameters, per-step loss, validation loss, step time, throughput and peak memory go to the
MLflow experiment `summarization_training` (and to Comet when COMET_API_KEY is set); the
dataset is the run's dataset input. The logged folder holds `hf/` (the merged checkpoint) and,
unless disabled, `gguf/` (what the endpoint's llama.cpp engine serves).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from secondbrain_core.dataset.build import log_dataset_input
from secondbrain_core.dataset.store import DatasetInfo, load_dataset
from secondbrain_core.errors import SecondBrainError, service_errors
from secondbrain_core.experiments import use_experiment
from secondbrain_core.llm.models import ModelRef, resolve_model
from secondbrain_core.settings import Settings
from secondbrain_core.training import registry
from secondbrain_core.training.gguf import to_gguf
from secondbrain_core.training.lora import TrainReport, fine_tune

log = logging.getLogger(__name__)
ARTIFACT_PATH = "model"


@dataclass(frozen=True)
class TrainedModel:
    version: str  # registry version of `summarizer`
    run_id: str
    dataset_version: str
    report: TrainReport
    gguf: bool


def train_and_register(settings: Settings, info: DatasetInfo, base: ModelRef | None = None) -> TrainedModel:
    """Fine-tune on `info`'s train split, log everything to MLflow, register the merged model."""
    import mlflow
    from mlflow.exceptions import MlflowException

    base = base or resolve_model(settings, settings.train_base_model)
    dataset = load_dataset(info.path)
    lineage = registry.lineage(info.version, base.name)
    with service_errors(f"MLflow at MLFLOW_TRACKING_URI={settings.mlflow_tracking_uri}", settings, MlflowException):
        registry.client(settings)
        use_experiment(settings, registry.EXPERIMENT)  # artifacts under the home, not ./mlruns
        with mlflow.start_run(tags=lineage) as run, tempfile.TemporaryDirectory() as tmp:
            comet = _comet(settings, lineage)
            log_dataset_input(info)
            out = Path(tmp) / ARTIFACT_PATH

            def log_metric(name: str, value: float, step: int) -> None:
                mlflow.log_metric(name, value, step=step)
                if comet:
                    comet.log_metric(name, value, step=step)

            report = fine_tune(
                settings, list(dataset["train"]), list(dataset["validation"]), base, out / "hf", log_metric
            )
            params = {**report.params, "train_examples": report.train_examples, "dataset_version": info.version}
            mlflow.log_params(params)
            summary = {
                "final_train_loss": report.final_loss,
                "seconds_per_step": report.seconds_per_step,
                "tokens_per_second": report.tokens_per_second,
                "peak_memory_mb": report.peak_memory_mb,
            }
            mlflow.log_metrics(summary)
            if comet:
                comet.log_parameters(params)
                comet.log_metrics(summary)
                comet.end()
            version = publish(settings, run.info.run_id, out, lineage)
    log.info("registered %s version %s from run %s", registry.REGISTERED_MODEL, version, run.info.run_id)
    return TrainedModel(version, run.info.run_id, info.version, report, settings.train_gguf)


def publish(settings: Settings, run_id: str, out: Path, lineage: dict[str, str]) -> str:
    """`out/hf` (a merged checkpoint) → GGUF beside it (unless disabled) → the run's artifacts → a
    registry version with `lineage`; its version number. The CPU and GPU paths both end here."""
    import mlflow

    if settings.train_gguf:
        to_gguf(out / "hf", out / "gguf" / "summarizer.gguf", settings)
    mlflow.log_artifacts(str(out), ARTIFACT_PATH, run_id=run_id)
    return registry.register(settings, run_id, ARTIFACT_PATH, lineage)


def _comet(settings: Settings, tags: dict[str, str]):
    """A Comet experiment mirroring the run, only when COMET_API_KEY is set (comet_ml installed)."""
    if not settings.comet_api_key:
        return None
    try:
        import comet_ml
    except ImportError:
        raise SecondBrainError(
            "COMET_API_KEY is set but comet_ml is not installed: pip install 'secondbrain[cloud]' or unset it"
        ) from None

    experiment = comet_ml.Experiment(api_key=settings.comet_api_key.get_secret_value(), project_name="secondbrain")
    experiment.log_others(tags)
    return experiment
