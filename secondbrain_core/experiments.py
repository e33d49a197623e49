"""MLflow experiments whose artifacts live under the home, never in the current directory.

With a database tracking URI (our default `sqlite:///$SECONDBRAIN_HOME/mlflow.db`) MLflow roots
a new experiment's artifacts at `./mlruns` of whatever directory the process runs in, so model
weights and agent traces landed in the repository, or wherever `secondbrain` was started. Every
experiment is therefore created here, with its artifacts in `$SECONDBRAIN_HOME/mlflow-artifacts/NAME`
(where `restore` puts them too); a tracking server (`http(s)://`, `databricks`) keeps choosing its own.
"""

from __future__ import annotations

from pathlib import Path

from secondbrain_core.ops.mlflow_files import ARTIFACTS
from secondbrain_core.settings import Settings

SERVER_SCHEMES = ("http://", "https://", "databricks")


def artifact_root(settings: Settings) -> Path | None:
    """Where this home's experiments keep artifacts; None when a tracking server decides."""
    if settings.mlflow_tracking_uri.startswith(SERVER_SCHEMES):
        return None
    return settings.home.resolve() / ARTIFACTS


def experiment_id(settings: Settings, name: str) -> str:
    """The id of experiment `name`, created with its artifacts under the home when missing."""
    import mlflow
    from mlflow.exceptions import MlflowException

    client = mlflow.MlflowClient(tracking_uri=settings.mlflow_tracking_uri)
    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    root = artifact_root(settings)
    try:
        return client.create_experiment(name, artifact_location=(root / name).as_uri() if root else None)
    except MlflowException:  # another process created it between the lookup and here
        found = client.get_experiment_by_name(name)
        if found is None:
            raise
        return found.experiment_id


def use_experiment(settings: Settings, name: str) -> str:
    """`mlflow.set_experiment` for the fluent API (`start_run`, traces), after `experiment_id`."""
    import mlflow

    mlflow.set_tracking_uri(settings.mlflow_tracking_uri)
    return mlflow.set_experiment(experiment_id=experiment_id(settings, name)).experiment_id
