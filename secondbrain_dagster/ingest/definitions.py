"""The ingest domain's definitions; `secondbrain_dagster.definitions` merges them.

Resources are bound once in the top-level definitions (a merge refuses two `sb` objects).
"""

from __future__ import annotations

import dagster as dg

from asset_checks.ingest import INGEST_CHECKS
from secondbrain_dagster.ingest.assets import raw_notion_pages
from secondbrain_dagster.ingest.jobs import ingest_job
from secondbrain_dagster.ingest.schedules import daily_ingest_schedule
from secondbrain_dagster.ingest.sensors import source_change_sensor

defs = dg.Definitions(
    assets=[raw_notion_pages],
    asset_checks=INGEST_CHECKS,
    jobs=[ingest_job],
    sensors=[source_change_sensor],
    schedules=[daily_ingest_schedule],
)
