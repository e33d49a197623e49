"""The job the sensor and the schedule launch: `raw_notion_pages` for one source partition."""

from __future__ import annotations

import dagster as dg

from secondbrain_dagster.ingest.assets import raw_notion_pages

ingest_job = dg.define_asset_job(
    "ingest_sources",
    selection=dg.AssetSelection.assets(raw_notion_pages),
    description="Sync one source (partition) into the document store, with its checks.",
)
