"""Each `.sql` file in this folder becomes a Dagster asset: no Python per model.

The asset's upstream keys are the tables its SQL reads (sqlglot, `secondbrain_core.warehouse`),
its description the file's `-- description:` line, and each `-- test:` line a blocking asset
check evaluated on the table the run just built, so a model that breaks its own column tests
stops the automation before anything downstream (the index) reads it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dagster as dg

from secondbrain_core.warehouse.models import ModelRun, SqlModel, load_models, run_model, warehouse_path
from secondbrain_dagster.automation import AFTER_UPSTREAM
from secondbrain_dagster.policies import DATA_OWNERS
from secondbrain_dagster.resources import SecondBrainSettings

MODELS_DIR = Path(__file__).resolve().parent
GROUP = "etl"


def sql_model_assets(folder: Path = MODELS_DIR) -> list[dg.AssetsDefinition]:
    """One asset per model file in `folder`."""
    return [_asset_for(model) for model in load_models(folder)]


def _asset_for(model: SqlModel) -> dg.AssetsDefinition:
    @dg.asset(
        name=model.name,
        deps=[dg.AssetKey(dep) for dep in model.deps],
        group_name=GROUP,
        kinds={"duckdb", "sql"},
        owners=DATA_OWNERS,
        description=model.description or f"SQL model {model.path.name}",
        automation_condition=AFTER_UPSTREAM,
        freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(days=2), warn_window=timedelta(days=1)),
        check_specs=[dg.AssetCheckSpec(test.name, asset=model.name, blocking=True) for test in model.tests],
        metadata={"sql_file": dg.MetadataValue.path(str(model.path))},
    )
    def _model(sb: SecondBrainSettings):
        settings = sb.get()
        run = run_model(model, settings)
        yield dg.MaterializeResult(metadata=_metadata(run, settings))
        for test in run.tests:
            yield dg.AssetCheckResult(
                check_name=test.name, passed=test.passed, metadata={"failing_rows": test.failing_rows}
            )

    return _model


def _metadata(run: ModelRun, settings) -> dict:
    preview_columns = [c for c in run.columns if c != "markdown"][:6]
    rows = ["| " + " | ".join(str(row.get(c, ""))[:40] for c in preview_columns) + " |" for row in run.preview]
    table = "\n".join(["| " + " | ".join(preview_columns) + " |", "|---" * len(preview_columns) + "|", *rows])
    return {
        "dagster/row_count": run.rows,
        "rows": run.rows,
        "parameters": dg.MetadataValue.json(run.parameters),
        "warehouse": dg.MetadataValue.path(str(warehouse_path(settings).resolve())),
        "preview": dg.MetadataValue.md(table),
    }
