"""Declarations every domain's assets share: who owns them, how network work retries, how a
backfill of many sources runs. One place, so a new asset picks the same answers."""

import dagster as dg

DATA_OWNERS = ["team:data-platform"]  # ingest, etl
SEARCH_OWNERS = ["team:search"]  # rag
ML_OWNERS = ["team:ml"]  # training, serving, evals

# A source or an API that fails once (a 5xx past the client's own retries, a dropped
# connection) is tried again 10 s and then 20 s later before the run is marked failed.
NETWORK_RETRY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL)

# Sources are independent: a backfill of every source runs one run per source, so one failing
# source does not fail (or re-run) the others.
PER_SOURCE_BACKFILL = dg.BackfillPolicy.multi_run(max_partitions_per_run=1)
