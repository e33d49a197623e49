"""Reciprocal rank fusion: combine rankings by rank alone, so BM25 and cosine scores need no scaling."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def rrf(
    rankings: Sequence[Sequence[Hashable]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[Hashable, float]]:
    """Items by descending sum of weight / (k + rank) over the rankings (rank starts at 1).

    Equal weights (the default) are plain RRF. Ties keep the order in which items were first
    seen, so results are deterministic.
    """
    weights = weights if weights is not None else [1.0] * len(rankings)
    scores: dict[Hashable, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])


def fuse_hybrid(
    bm25: Sequence[Hashable], dense: Sequence[Hashable], k: int, dense_weight: float
) -> list[tuple[Hashable, float]]:
    """BM25 and dense rankings fused with RRF; `dense_weight` 0.5 gives both an equal vote.

    Weights are scaled so that 0.5 reproduces plain RRF scores exactly.
    """
    return rrf([bm25, dense], k=k, weights=[2 * (1 - dense_weight), 2 * dense_weight])
