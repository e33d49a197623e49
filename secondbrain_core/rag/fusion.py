"""Hybrid fusion of BM25 and dense rankings: by rank (RRF) or by standardized score (z-score).

RRF needs no score scaling but hears every ranker equally loud on every query: a query only
BM25 can answer (an exact name, an error code) is outvoted by dense's confident-looking wrong
guesses, and a question whose words never appear in its answer is dragged down by BM25.
Z-score fusion lets each ranker speak as loud as its own evidence on that query: each
ranker's scores are standardized over its own candidates, so a score far above the rest (a
rare term's exact hit, one clearly closest vector) gets a large lead, while candidates bunched
together get similar, modest ones.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Sequence

from secondbrain_core.settings import Settings

FUSIONS: tuple[str, ...] = ("rrf", "zscore")
Scored = Sequence[tuple[Hashable, float]]


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


def zscore_fusion(rankings: Sequence[Scored], weights: Sequence[float]) -> list[tuple[Hashable, float]]:
    """Items by descending weighted sum of their z-scores within each ranker's own candidates.

    An item a ranker did not return gets that ranker's lowest z-score (it ranked below all of
    them). A ranker with one candidate, or all scores equal, gives its candidates z = 1 and
    the missing 0: it found something, but says nothing about the order.
    """
    standardized: list[tuple[dict[Hashable, float], float]] = []
    for ranking in rankings:
        values = [score for _, score in ranking]
        spread = statistics.pstdev(values) if len(values) > 1 else 0.0
        if not values:
            standardized.append(({}, 0.0))
        elif spread == 0.0:
            standardized.append(({item: 1.0 for item, _ in ranking}, 0.0))
        else:
            mean = statistics.fmean(values)
            z = {item: (score - mean) / spread for item, score in ranking}
            standardized.append((z, min(z.values())))
    order = list(dict.fromkeys(item for ranking in rankings for item, _ in ranking))
    fused = {
        item: sum(w * z.get(item, floor) for (z, floor), w in zip(standardized, weights, strict=True)) for item in order
    }
    return sorted(fused.items(), key=lambda pair: -pair[1])


def fuse_hybrid(
    bm25: Scored, dense: Scored, *, method: str = "rrf", k: int = 60, dense_weight: float = 0.5
) -> list[tuple[Hashable, float]]:
    """BM25 and dense (item, score) rankings fused; `dense_weight` 0.5 gives both an equal vote.

    Weights are scaled so that 0.5 with `rrf` reproduces plain RRF scores exactly.
    """
    weights = [2 * (1 - dense_weight), 2 * dense_weight]
    if method == "rrf":
        return rrf([[item for item, _ in bm25], [item for item, _ in dense]], k=k, weights=weights)
    if method == "zscore":
        return zscore_fusion([bm25, dense], weights)
    raise ValueError(f"unknown fusion {method!r}; use one of {', '.join(FUSIONS)}")


def fusion_options(settings: Settings) -> dict:
    """The `fuse_hybrid` keyword arguments the settings ask for (shared by the local and Atlas paths)."""
    return {"method": settings.hybrid_fusion, "k": settings.rrf_k, "dense_weight": settings.hybrid_dense_weight}
