"""BM25's top-k selection (`keyword.top_positive`) against a full sort: zeros never returned,
ties in position order, fewer positives than k, and a real index searched through it."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from secondbrain_core.rag.keyword import KeywordIndex, top_positive


def test_top_positive_orders_by_score_then_position_and_drops_zeros() -> None:
    scores = np.array([0.0, 3.0, 1.0, 3.0, 0.0, 2.0], dtype=np.float32)
    assert top_positive(scores, 3).tolist() == [1, 3, 5]
    assert top_positive(scores, 10).tolist() == [1, 3, 5, 2]
    assert top_positive(np.zeros(4, dtype=np.float32), 2).tolist() == []


def test_top_positive_matches_a_full_sort_on_a_mostly_zero_array() -> None:
    rng = np.random.default_rng(3)
    scores = np.zeros(50_000, dtype=np.float32)
    scores[rng.choice(50_000, 900, replace=False)] = rng.integers(1, 40, 900)  # many ties
    expected = sorted(np.flatnonzero(scores).tolist(), key=lambda i: (-scores[i], i))[:50]
    assert top_positive(scores, 50).tolist() == expected


def test_keyword_search_ranks_through_it_and_honours_allowed_keys(tmp_path: Path) -> None:
    texts = ["vacuum freezes old rows", "vacuum vacuum vacuum", "nothing relevant", "autovacuum and vacuum"]
    index = KeywordIndex.build(tmp_path / "bm25", np.array([10, 11, 12, 13]), texts)
    hits = index.search("vacuum", 10)
    assert hits[0][0] == 11 and {key for key, _ in hits} == {10, 11, 13}
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(hits))
    assert [key for key, _ in index.search("vacuum", 10, np.array([10, 12]))] == [10]
    assert index.search("vacuum", 1) == hits[:1]
