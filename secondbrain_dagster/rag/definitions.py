"""The retrieval domain's definitions; `secondbrain_dagster.definitions` merges them."""

from __future__ import annotations

import dagster as dg

from asset_checks.rag import RAG_CHECKS
from secondbrain_dagster.rag.assets import chunks, vector_index

defs = dg.Definitions(assets=[chunks, vector_index], asset_checks=RAG_CHECKS)
