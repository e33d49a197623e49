"""The evals domain's definitions; `secondbrain_dagster.definitions` merges them."""

from __future__ import annotations

import dagster as dg

from asset_checks.evals import EVAL_CHECKS
from secondbrain_dagster.evals.assets import agent_eval, retrieval_eval

defs = dg.Definitions(assets=[retrieval_eval, agent_eval], asset_checks=EVAL_CHECKS)
