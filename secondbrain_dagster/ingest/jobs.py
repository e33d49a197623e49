"""The job the sensor and the schedule launch: `raw_notion_pages` for one source partition."""

from __future__ import annotations

import dagster as dg

from secondbrain_dagster.ingest.assets import raw_notion_pages

ingest_job = dg.define_asset_job(
    "ingest_sources",
    selection=dg.AssetSelection.assets(raw_notion_pages),
    description="Sync one source (partition) into the document store, with its checks.",
    # one process for the asset and its checks: a subprocess per step re-imports Dagster and the
    # library (6-10 s each on 2 cores), most of a sensor-launched sync's time
    executor_def=dg.in_process_executor,
)
