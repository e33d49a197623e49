"""Daily safety net: ingest every registered source, whatever the sensor saw.

Catches what a listing fingerprint cannot (a sensor that was stopped, a source edited without
touching `last_edited_time`); unchanged pages cost one listing and no writes.
"""

import dagster as dg

from secondbrain_dagster.ingest.jobs import ingest_job
from secondbrain_dagster.ingest.partitions import SOURCES


@dg.schedule(
    job=ingest_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every source partition once a day at 03:00 UTC.",
)
def daily_ingest_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return [
        dg.RunRequest(partition_key=key, run_key=f"{key}@{day}")
        for key in context.instance.get_dynamic_partitions(SOURCES.name)
    ]
