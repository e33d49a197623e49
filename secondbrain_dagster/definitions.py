"""The whole asset graph: each domain folder contributes its own `defs`, merged here."""

from __future__ import annotations

import dagster as dg

from secondbrain_dagster.ingest.definitions import defs as ingest_defs

defs = dg.Definitions.merge(ingest_defs)
