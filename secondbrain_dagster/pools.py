"""Concurrency pools: the work a machine should do one at a time.

An asset that loads the local LLM, crawls the web or trains declares `pool=` one of these; the
instance config (`deploy/dagster/*.yaml`, `concurrency.pools`, granularity `run`) lets one run
per pool out of the queue, whoever launched it. A job or a UI launch may also carry
`POOL_TAG`, which the queue's tag limits count the same way.
"""

from __future__ import annotations

from secondbrain_core.settings import REPO_ROOT

LLM = "llm"
CRAWLER = "crawler"
TRAINING = "training"
POOLS = (LLM, CRAWLER, TRAINING)
POOL_TAG = "secondbrain/pool"

DEPLOY_DIR = REPO_ROOT / "deploy" / "dagster"
LOCAL_CONFIG = DEPLOY_DIR / "local.yaml"
PRODUCTION_CONFIG = DEPLOY_DIR / "production.yaml"


def pool_tags(pool: str) -> dict[str, str]:
    """Run tags that put a job's runs under `pool`'s queue limit."""
    if pool not in POOLS:
        raise ValueError(f"unknown pool {pool!r}; one of {', '.join(POOLS)}")
    return {POOL_TAG: pool}
