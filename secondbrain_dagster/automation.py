"""Declarative automation: an ingest flows on to the index and its evaluation by itself.

The sensor polls and the ingest job only materializes `raw_notion_pages`; without this, a
Notion edit would sit in MongoDB until someone re-materialized the rest by hand. Downstream
assets carry `AFTER_UPSTREAM`: run as soon as a parent updates, but never while a parent's
blocking check failed (an empty-pages ingest must not wipe the index). The sensor that
evaluates those conditions starts RUNNING, like `source_change_sensor`.
"""

import dagster as dg

AFTER_UPSTREAM = (dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()).with_label(
    "eager_after_checks"
)

# For assets that read the ingested pages but run after a later step of the same ingest (the
# crawl, the SQL models): an ingest alone does not trigger them (it would run them twice), its
# failed blocking checks still hold them back.
AFTER_LATER_STEP = (
    dg.AutomationCondition.eager().ignore(dg.AssetSelection.assets("raw_notion_pages"))
    & dg.AutomationCondition.all_deps_blocking_checks_passed()
).with_label("eager_after_checks_not_on_ingest")

pipeline_automation_sensor = dg.AutomationConditionSensorDefinition(
    "pipeline_automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=60,
    description="Materializes crawl, quality scores, SQL models, chunks, vector_index and the evals after their "
    "upstream assets update.",
)
