"""Hybrid fusion of BM25 and dense rankings: by rank (RRF) or by standardized score (z-score).

RRF needs no score scaling but hears every ranker equally loud on every query: a query only
BM25 can answer (an exact name, an error code) is outvoted by dense's confident-looking wrong
guesses, and a question whose words never appear in its answer is dragged down by BM25.
Z-score fusion lets each ranker speak as loud as its own evidence on that query: each
ranker's scores are standardized over its own candidates, so a score far above the rest (a
rare term's exact hit, one clearly closest vector) gets a large lead, while candidates bunched
together get similar, modest ones.

Both fuse each ranker's first `CANDIDATES` hits (the head); a deeper hit counts as much as a
missing one. Without that the order of the first ten would depend on how deep the caller
asked (a z-score's mean and spread, RRF's vote from rank 120): `search -k 10` and an
evaluation that asks for 200 chunks would rank differently. Hits below every head are
ordered after them by their full-depth fusion.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

from secondbrain_core.settings import Settings

FUSIONS: tuple[str, ...] = ("rrf", "zscore")
CANDIDATES = 50  # per ranker: what fusion weighs and what the reranker reads
Scored = Sequence[tuple[Hashable, float]]
# one ranker's vote: per-item value and the value of an item it did not return
Vote = tuple[dict[Hashable, float], float]


def rrf(
    rankings: Sequence[Sequence[Hashable]],
    k: int = 60,
    weights: Sequence[float] | None = None,
    head: int | None = None,
) -> list[tuple[Hashable, float]]:
    """Items by descending sum of weight / (k + rank) over the rankings (rank starts at 1).

    Equal weights (the default) are plain RRF. Ranks below `head` vote nothing. Ties keep the
    order in which items were first seen, so results are deterministic.
    """
    weights = weights if weights is not None else [1.0] * len(rankings)
    votes = [_rrf_votes(ranking, k, head) for ranking in rankings]
    return _combine(rankings, votes, weights)


def zscore_fusion(
    rankings: Sequence[Scored], weights: Sequence[float], head: int | None = None
) -> list[tuple[Hashable, float]]:
    """Items by descending weighted sum of their z-scores within each ranker's first `head` hits.

    An item a ranker did not return, or returned below its head, gets that ranker's lowest
    z-score in the head (it ranked below all of them). A ranker with one candidate, or all
    scores equal, gives its candidates z = 1 and the missing 0: it found something, but says
    nothing about the order.
    """
    votes = [_zscore_votes(ranking, head) for ranking in rankings]
    return _combine([[item for item, _ in ranking] for ranking in rankings], votes, weights)


def fuse_hybrid(
    bm25: Scored,
    dense: Scored,
    *,
    method: str = "rrf",
    k: int = 60,
    dense_weight: float = 0.5,
    head: int | None = CANDIDATES,
) -> list[tuple[Hashable, float]]:
    """BM25 and dense (item, score) rankings fused; `dense_weight` 0.5 gives both an equal vote.

    Weights are scaled so that 0.5 with `rrf` reproduces plain RRF scores exactly.
    """
    weights = [2 * (1 - dense_weight), 2 * dense_weight]
    if method == "rrf":
        return rrf([[item for item, _ in bm25], [item for item, _ in dense]], k=k, weights=weights, head=head)
    if method == "zscore":
        return zscore_fusion([bm25, dense], weights, head=head)
    raise ValueError(f"unknown fusion {method!r}; use one of {', '.join(FUSIONS)}")


def fusion_options(settings: Settings) -> dict:
    """The `fuse_hybrid` keyword arguments the settings ask for (shared by the local and Atlas paths)."""
    return {"method": settings.hybrid_fusion, "k": settings.rrf_k, "dense_weight": settings.hybrid_dense_weight}


def _rrf_votes(ranking: Sequence[Hashable], k: int, head: int | None) -> tuple[Vote, Vote]:
    full = {}
    for rank, item in enumerate(ranking, start=1):
        full.setdefault(item, 1.0 / (k + rank))
    in_head = set(ranking[:head])
    return ({item: v for item, v in full.items() if item in in_head}, 0.0), (full, 0.0)


def _zscore_votes(ranking: Scored, head: int | None) -> tuple[Vote, Vote]:
    top = [score for _, score in ranking[:head]]
    if not top:
        return ({}, 0.0), ({}, 0.0)
    mean = math.fsum(top) / len(top)
    # population spread by hand: statistics.pstdev is exact (fractions) and costs ~0.2 ms a call
    spread = math.sqrt(math.fsum((score - mean) ** 2 for score in top) / len(top))
    if spread <= 1e-12 * max(1.0, abs(mean)):
        tied = {item: 1.0 for item, _ in ranking[:head]}
        return (tied, 0.0), (tied, 0.0)
    full = {item: (score - mean) / spread for item, score in ranking}
    floor = min(full[item] for item, _ in ranking[:head])
    clipped = {item: max(z, floor) for item, z in full.items()}
    return (clipped, floor), (full, min(full.values()))


def _combine(
    rankings: Sequence[Sequence[Hashable]], votes: Sequence[tuple[Vote, Vote]], weights: Sequence[float]
) -> list[tuple[Hashable, float]]:
    """Weighted sums of the head votes, ties (items below every head) broken by the full-depth votes."""
    order = list(dict.fromkeys(item for ranking in rankings for item in ranking))

    def total(item: Hashable, which: int) -> float:
        return sum(w * vote[which][0].get(item, vote[which][1]) for vote, w in zip(votes, weights, strict=True))

    fused = [(item, total(item, 0), total(item, 1)) for item in order]
    fused.sort(key=lambda entry: (-entry[1], -entry[2]))
    return [(item, head_score) for item, head_score, _ in fused]
