"""The training domain's definitions; `secondbrain_dagster.definitions` merges them."""

from __future__ import annotations

import dagster as dg

from asset_checks.training import TRAINING_CHECKS
from secondbrain_dagster.training.assets import summarization_dataset, summarization_eval, tuned_model

defs = dg.Definitions(assets=[summarization_dataset, tuned_model, summarization_eval], asset_checks=TRAINING_CHECKS)
