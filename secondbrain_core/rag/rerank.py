"""Optional reranks of the fused candidates: Voyage's reranker (`SECONDBRAIN_RERANK=true`) and a
local one (`SECONDBRAIN_LOCAL_RERANK=true`).

No PyPI package ships a cross-encoder's weights for offline use, so the model reranker is the
hosted Voyage endpoint, used only when `VOYAGE_API_KEY` is set; asking for it without a key is an
error rather than a silent no-op, so an evaluation never reports "rerank" numbers that were not.
The local rerank uses the embedder the index already has: the query against each candidate's
best sentence. It won on every set's tune half (benchmarks/RESULTS.md, issue 11); with it on,
the local index stores every chunk's sentence vectors at build time (`rag/sentence_store.py`),
so it costs one small matrix product a query. It is off by default because that store makes
an index build about 3x as long (embedding the sentences costs 1.8x the chunks). Where the
back-end has none (Atlas, or an index built before they were stored), the candidates'
sentences are embedded at query time: the same order, seconds a query on 2 cores.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.fusion import mean_and_spread
from secondbrain_core.settings import Settings

RERANK_MODEL = "rerank-2-lite"


def rerank(query: str, hits: list, settings: Settings) -> list:
    """`hits` (SearchHit) reordered by the reranker, its relevance as the score."""
    import httpx  # ~0.1 s to import: only a Voyage rerank pays it, not every local one

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


# --- local rerank: MiniLM similarity of the query to each candidate's best sentence -----------

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
MAX_SENTENCES = 40  # per candidate: a chunk is ~256 tokens, this bounds a pathological one
LOCAL_RERANK_WEIGHT = 1.0  # chosen by the worst case over six sets' tune halves (RESULTS.md, issue 11)
LOCAL_RERANK_DEPTH = 20  # fused candidates reordered; each costs its sentences' rows (or embedding)


def sentences(text: str) -> list[str]:
    """The sentences (and lines) of a candidate's text that the local reranker compares with
    the query; the text itself, cut, when it has no sentence of at least three characters."""
    found = [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) >= 3]
    return found[:MAX_SENTENCES] or [text[:500]]


def best_sentence_scores(query_vector: np.ndarray, per_candidate: Sequence[np.ndarray]) -> list[float]:
    """Each candidate's best cosine between the query and one of its sentences (unit rows)."""
    return [float(np.max(rows @ query_vector)) if len(rows) else 0.0 for rows in per_candidate]


def sentence_rerank_scores(fused: Sequence[float], best: Sequence[float], weight: float) -> list[float]:
    """z(fused score) + `weight` x z(best-sentence similarity), both standardized over the candidates.

    A chunk vector averages its ~256 tokens, so a chunk whose one sentence answers the query
    can sit below a chunk that is about the topic throughout; the best sentence hears the one
    sentence. It is added to the fused score, not put in its place: alone it loses BM25's
    exact matches (measured, benchmarks/RESULTS.md)."""
    return [f + weight * b for f, b in zip(_standardized(fused), _standardized(best), strict=True)]


def sentence_rerank_order(fused: Sequence[float], best: Sequence[float], weight: float) -> list[int]:
    """Positions of the candidates by `sentence_rerank_scores`, best first; ties keep the fused order."""
    return _best_first(sentence_rerank_scores(fused, best, weight))


def local_rerank(
    query_vector: np.ndarray,
    hits: list,
    embedder,
    weight: float = LOCAL_RERANK_WEIGHT,
    stored: Sequence[np.ndarray] | None = None,
) -> list:
    """`hits` (SearchHit, fused order) reordered by `sentence_rerank_order`, each with the score it
    was ranked by (as the Voyage rerank gives its relevance), so they stay sorted by score.
    `stored`: each hit's sentence vectors as the index kept them (`IndexBackend.sentence_vectors`);
    without them the sentences are embedded here, in one batch (`embedder.embed_short`), so the
    cost grows with the hits sent."""
    rows = list(stored) if stored is not None else _embedded_sentences(hits, embedder)
    fused, best = [hit.score for hit in hits], best_sentence_scores(query_vector, rows)
    combined = sentence_rerank_scores(fused, best, weight)
    return [hits[i].model_copy(update={"score": round(combined[i], 6)}) for i in _best_first(combined)]


def _embedded_sentences(hits: list, embedder) -> list[np.ndarray]:
    """Each hit's sentence vectors, embedded now: what the index stores when it can."""
    per_hit = [sentences(hit.text) for hit in hits]
    vectors = embedder.embed_short([s for found in per_hit for s in found])
    rows, start = [], 0
    for found in per_hit:
        rows.append(vectors[start : start + len(found)])
        start += len(found)
    return rows


def _best_first(scores: Sequence[float]) -> list[int]:
    """Positions by descending score; ties keep their order (the fused one)."""
    return sorted(range(len(scores)), key=lambda i: -scores[i])


def _standardized(values: Sequence[float]) -> list[float]:
    if not values:
        return []
    mean, spread = mean_and_spread(values)
    return [0.0 if spread <= 1e-12 else (v - mean) / spread for v in values]
