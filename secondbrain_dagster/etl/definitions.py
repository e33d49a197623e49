"""The ETL domain's definitions (quality scores, SQL models); merged in `secondbrain_dagster.definitions`."""

from __future__ import annotations

import dagster as dg

from asset_checks.etl import ETL_CHECKS
from secondbrain_dagster.etl.assets import SQL_MODELS, quality_scores

defs = dg.Definitions(assets=[quality_scores, *SQL_MODELS], asset_checks=ETL_CHECKS)
