"""secondbrain_dagster: the asset graph over `secondbrain_core`.

Dagster 1.13 marks the `backfill_policy` parameter beta and warns once per asset at import; every
per-source asset declares one (one run per source), so that warning would open every run's output.
"""

import warnings

from dagster import BetaWarning

warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=BetaWarning)
