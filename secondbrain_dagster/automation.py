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

pipeline_automation_sensor = dg.AutomationConditionSensorDefinition(
    "pipeline_automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=60,
    description="Materializes chunks, vector_index and retrieval_eval after their upstream assets update.",
)
