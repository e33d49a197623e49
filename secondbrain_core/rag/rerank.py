"""Optional rerank of the fused candidates with Voyage's reranker (`SECONDBRAIN_RERANK=true`).

No PyPI package ships a cross-encoder's weights for offline use, so reranking is the hosted
Voyage endpoint, used only when `VOYAGE_API_KEY` is set; asking for it without a key is an error
rather than a silent no-op, so an evaluation never reports "rerank" numbers that were not.
"""

from __future__ import annotations

import httpx

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings

RERANK_MODEL = "rerank-2-lite"


def rerank(query: str, hits: list, settings: Settings) -> list:
    """`hits` (SearchHit) reordered by the reranker, its relevance as the score."""
    if not settings.voyage_api_key:
        raise SecondBrainError("SECONDBRAIN_RERANK=true needs VOYAGE_API_KEY (no offline cross-encoder is packaged)")
    try:
        response = httpx.post(
            f"{settings.voyage_base_url.rstrip('/')}/rerank",
            json={"query": query, "documents": [hit.text for hit in hits], "model": RERANK_MODEL},
            headers={"Authorization": f"Bearer {settings.voyage_api_key.get_secret_value()}"},
            timeout=60.0,
        )
    except httpx.HTTPError as exc:
        raise SecondBrainError(f"rerank: cannot reach {settings.voyage_base_url}: {exc}") from exc
    if response.status_code >= 400:
        raise SecondBrainError(f"rerank: HTTP {response.status_code}: {response.text[:200]}")
    ranked = sorted(response.json()["data"], key=lambda row: -row["relevance_score"])
    return [hits[row["index"]].model_copy(update={"score": float(row["relevance_score"])}) for row in ranked]
