"""The crawl domain's definitions; `secondbrain_dagster.definitions` merges them."""

from __future__ import annotations

import dagster as dg

from asset_checks.crawl import CRAWL_CHECKS
from secondbrain_dagster.crawl.assets import crawled_pages

defs = dg.Definitions(assets=[crawled_pages], asset_checks=CRAWL_CHECKS)
