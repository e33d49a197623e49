"""The serving domain's definitions; `secondbrain_dagster.definitions` merges them."""

from __future__ import annotations

import dagster as dg

from asset_checks.serving import SERVING_CHECKS
from secondbrain_dagster.serving.assets import summarization_endpoint

defs = dg.Definitions(assets=[summarization_endpoint], asset_checks=SERVING_CHECKS)
