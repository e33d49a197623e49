"""Scale-out on existing engines: the run executor named by the settings, and pod sizes.

One machine runs every step in the run's own process (`in_process`, the default). Where one
machine is not enough the same code location runs each step elsewhere through Dagster's own
executors: `k8s` (`dagster_k8s.k8s_job_executor`, a pod per step, sized by the op tags below)
or `celery` (`dagster_celery.celery_executor`, workers on other machines). Both libraries are
the `scale` extra; nothing here schedules work itself.
"""

from __future__ import annotations

import importlib

import dagster as dg

from secondbrain_core.errors import SecondBrainError

K8S_CONFIG_TAG = "dagster-k8s/config"  # read by dagster-k8s's run launcher and step executor
_ENGINES = {
    "in_process": ("dagster", "in_process_executor"),
    "multiprocess": ("dagster", "multiprocess_executor"),
    "k8s": ("dagster_k8s", "k8s_job_executor"),
    "celery": ("dagster_celery", "celery_executor"),
}
EXECUTORS = tuple(_ENGINES)


def executor_for(name: str) -> dg.ExecutorDefinition:
    """The executor `SECONDBRAIN_DAGSTER_EXECUTOR` names; a clear error when its library is absent."""
    if name not in _ENGINES:
        raise SecondBrainError(f"SECONDBRAIN_DAGSTER_EXECUTOR={name!r}: use one of {', '.join(EXECUTORS)}")
    module_name, attribute = _ENGINES[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SecondBrainError(
            f"SECONDBRAIN_DAGSTER_EXECUTOR={name!r} needs {module_name.replace('_', '-')}: pip install -e '.[scale]'"
        ) from exc
    return getattr(module, attribute)


def pod(cpu: str, memory: str) -> dict[str, dict]:
    """Op tags that size a step's pod under `k8s_job_executor` (requests; memory is also the limit,
    so a step that outgrows it is killed and retried instead of starving its node). Ignored by
    the other executors."""
    resources = {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}}
    return {K8S_CONFIG_TAG: {"container_config": {"resources": resources}}}


# What each kind of step needs, measured on the 2-core machine (benchmarks/RESULTS.md): LoRA
# training peaks at 4.3 GB (14.7 GB at 384 tokens), indexing holds the embedder and the vectors,
# the evals and the dataset load the models, a crawl is network-bound.
TRAINING_POD = pod("4", "16Gi")
MODEL_POD = pod("2", "6Gi")
INDEX_POD = pod("2", "4Gi")
CRAWL_POD = pod("1", "2Gi")
