"""Below EXACT_BELOW vectors the index answers exactly, and stays exact after adds and removes."""

from __future__ import annotations

import numpy as np

from secondbrain_core.rag.vectors import VectorIndex


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_small_index_search_is_exact_after_adds_and_removes() -> None:
    rng = np.random.default_rng(7)
    vectors = _unit(rng.normal(size=(3000, 32)))
    keys = np.arange(1, 3001, dtype=np.int64)
    index = VectorIndex.create(32)
    index.add(keys[:2000], vectors[:2000])
    index.search(vectors[0], 5)  # builds the exact matrix, which the next changes must refresh
    index.add(keys[2000:], vectors[2000:])
    index.remove(keys[:100])
    live = np.ones(3000, dtype=bool)
    live[:100] = False
    for query in _unit(rng.normal(size=(25, 32))):
        scores = np.where(live, vectors @ query, -np.inf)
        expected = [int(keys[i]) for i in np.argsort(-scores)[:10]]
        assert [key for key, _ in index.search(query, 10)] == expected
