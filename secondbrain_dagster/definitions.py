"""The whole asset graph: each domain folder contributes its own `defs`, merged here."""

from __future__ import annotations

import dagster as dg

from secondbrain_core.settings import Settings
from secondbrain_dagster.automation import pipeline_automation_sensor
from secondbrain_dagster.crawl.definitions import defs as crawl_defs
from secondbrain_dagster.etl.definitions import defs as etl_defs
from secondbrain_dagster.evals.definitions import defs as evals_defs
from secondbrain_dagster.ingest.definitions import defs as ingest_defs
from secondbrain_dagster.rag.definitions import defs as rag_defs
from secondbrain_dagster.resources import SecondBrainSettings
from secondbrain_dagster.scale import executor_for
from secondbrain_dagster.serving.definitions import defs as serving_defs
from secondbrain_dagster.training.definitions import defs as training_defs

# Resources are bound here, once: `Definitions.merge` refuses two objects under one key, so
# domain `defs` leave `sb` unbound. (workspace.yaml names `defs`: this module holds several.)
RESOURCES = {"sb": SecondBrainSettings()}

defs = dg.Definitions.merge(
    # By default runs (automation, backfills, the UI) execute their steps in the run's own process:
    # a subprocess per step re-imports Dagster, torch and the library (6-10 s each on 2 cores) for
    # work one small machine does one step at a time anyway. SECONDBRAIN_DAGSTER_EXECUTOR=k8s or
    # celery spreads the steps over a cluster instead (secondbrain_dagster/scale.py).
    dg.Definitions(
        resources=RESOURCES,
        sensors=[pipeline_automation_sensor],
        executor=executor_for(Settings().dagster_executor),
    ),
    ingest_defs,
    crawl_defs,
    etl_defs,
    evals_defs,
    rag_defs,
    training_defs,
    serving_defs,
)
