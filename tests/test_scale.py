"""Scale-out on existing engines, tested as far as one machine allows: the executor the settings
name is the one the code location runs with, the pod sizes parse as dagster-k8s reads them, and
the Helm values point at this code location with the same queue limits as production.yaml."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from dagster_k8s.job import get_user_defined_k8s_config

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import REPO_ROOT, Settings
from secondbrain_dagster.pools import POOL_TAG, PRODUCTION_CONFIG
from secondbrain_dagster.scale import EXECUTORS, K8S_CONFIG_TAG, executor_for

HELM_VALUES = REPO_ROOT / "deploy" / "helm" / "values.yaml"
HEAVY_ASSETS = ("tuned_model", "summarization_eval", "vector_index", "crawled_pages", "agent_eval", "retrieval_eval")


@pytest.mark.parametrize("name", EXECUTORS)
def test_each_named_executor_is_the_engines_own(name: str) -> None:
    assert executor_for(name).name == name


def test_an_unknown_executor_is_a_user_error() -> None:
    with pytest.raises(SecondBrainError, match="SECONDBRAIN_DAGSTER_EXECUTOR='yarn'"):
        executor_for("yarn")


def test_the_code_location_runs_with_the_configured_executor_and_sized_pods() -> None:
    script = (
        "import json\n"
        "from secondbrain_dagster.definitions import defs\n"
        "job = defs.resolve_implicit_global_asset_job_def()\n"
        "tags = {n.name: dict(n.definition.tags) for n in job.graph.node_dict.values()}\n"
        "print(json.dumps({'executor': job.executor_def.name, 'tags': tags}))\n"
    )
    env = {**os.environ, "SECONDBRAIN_DAGSTER_EXECUTOR": "k8s"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded["executor"] == "k8s"
    for asset in HEAVY_ASSETS:
        k8s = get_user_defined_k8s_config(loaded["tags"][asset])
        requests = k8s.container_config["resources"]["requests"]
        assert requests["cpu"] and requests["memory"], asset
    training = get_user_defined_k8s_config(loaded["tags"]["tuned_model"]).container_config["resources"]
    assert training["limits"]["memory"] == training["requests"]["memory"] == "16Gi"
    assert K8S_CONFIG_TAG not in loaded["tags"]["raw_notion_pages"], "light steps keep the run's default pod"


def test_helm_values_name_this_code_location_and_the_production_queue_limits() -> None:
    values = yaml.safe_load(HELM_VALUES.read_text())
    deployment = values["dagster-user-deployments"]["deployments"][0]
    args = deployment["dagsterApiGrpcArgs"]
    module, attribute = args[args.index("-m") + 1], args[args.index("-a") + 1]
    assert (module, attribute) == ("secondbrain_dagster.definitions", "defs")
    env = {item["name"]: item["value"] for item in deployment["env"]}
    settings = Settings.model_validate({})
    for name in env:
        field = name.removeprefix("SECONDBRAIN_").lower()
        assert field in Settings.model_fields or name == "SECONDBRAIN_HOME", f"{name} is no setting"
    assert env["SECONDBRAIN_DAGSTER_EXECUTOR"] in EXECUTORS and settings.dagster_executor == "in_process"
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    helm_limits = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]["tagConcurrencyLimits"]
    production = yaml.safe_load(PRODUCTION_CONFIG.read_text())["concurrency"]["runs"]["tag_concurrency_limits"]
    pooled = [limit for limit in production if limit["key"] == POOL_TAG]
    assert helm_limits == pooled
