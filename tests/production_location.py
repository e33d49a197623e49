"""A code location for the production-instance test: the real ingest domain (asset, checks,
sensor, schedule), without the automation that would go on to chunk and index."""

import dagster as dg

from secondbrain_dagster.definitions import RESOURCES
from secondbrain_dagster.ingest.definitions import defs as ingest_defs

defs = dg.Definitions.merge(dg.Definitions(resources=RESOURCES), ingest_defs)
