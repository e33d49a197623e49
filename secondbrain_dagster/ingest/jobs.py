"""The job the sensor and the schedule launch: one source partition, from its pages to the index.

A Notion edit must be searchable within about two minutes. Left to the automation sensor, every
step between the pages and the index (crawl, quality, SQL models, chunks, index) would wait for
its own automation tick and start its own run process; as one run in one process the whole
path costs one start-up. The selection is everything downstream of `raw_notion_pages` that the
index is built from, so an asset another domain adds on that path joins it; the blocking checks
of each step still stop the steps after it. (In a code location without the index, only the
pages are synced.)
"""

from __future__ import annotations

import dagster as dg

from secondbrain_dagster.ingest.assets import raw_notion_pages

INDEX = "vector_index"  # rag/assets.py; named, not imported: the ingest domain loads on its own
PAGES = dg.AssetSelection.assets(raw_notion_pages)

ingest_job = dg.define_asset_job(
    "ingest_sources",
    selection=PAGES | (PAGES.downstream() & dg.AssetSelection.key_prefixes(INDEX).upstream()),
    description="Sync one source (partition) and carry it through to the search index, with every check.",
    # one process for every step: a subprocess per step re-imports Dagster and the library
    # (6-10 s each on 2 cores), most of a sensor-launched sync's time
    executor_def=dg.in_process_executor,
)
