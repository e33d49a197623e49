"""Reciprocal rank fusion: combine rankings by rank alone, so BM25 and cosine scores need no scaling."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def rrf(rankings: Sequence[Sequence[Hashable]], k: int = 60) -> list[tuple[Hashable, float]]:
    """Items by descending sum of 1 / (k + rank) over the rankings (rank starts at 1).

    Ties keep the order in which items were first seen, so results are deterministic.
    """
    scores: dict[Hashable, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
