"""The on-disk vector index: usearch HNSW over unit vectors (inner product = cosine).

Chosen by measurement (benchmarks/vector_backends.py, RESULTS.md): best recall/latency of the
embedded options on 2 cores, and it adds and removes vectors by integer key, which is what an
incremental index needs (one edited page touches only its chunks' vectors).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from usearch.index import Index

CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 64
# Fewer vectors than this (in the index, or left by a filter) are searched exactly: a matrix
# product over 20k × 384 floats takes ~2 ms, and HNSW's approximation missed true top-10 hits
# for 4 of 122 dev queries on a 1,197-chunk index grown by incremental updates (dense nDCG@10
# 0.867 against 0.884 exact).
EXACT_BELOW = 20_000


class VectorIndex:
    """Vectors keyed by chunk key; saved atomically, loaded whole (fast: one file read)."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self._all: tuple[np.ndarray, np.ndarray] | None = None  # (keys, matrix) for exact search

    @classmethod
    def create(cls, dimension: int) -> VectorIndex:
        return cls(
            Index(
                ndim=dimension,
                metric="ip",
                dtype="f32",
                connectivity=CONNECTIVITY,
                expansion_add=EXPANSION_ADD,
                expansion_search=EXPANSION_SEARCH,
            )
        )

    @classmethod
    def open(cls, path: Path, dimension: int) -> VectorIndex:
        if not path.exists():
            return cls.create(dimension)
        index = Index.restore(str(path), view=False)
        index.expansion_search = EXPANSION_SEARCH
        return cls(index)

    def __len__(self) -> int:
        return len(self._index)

    @property
    def dimension(self) -> int:
        return self._index.ndim

    def keys(self) -> set[int]:
        return {int(k) for k in self._index.keys}

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        if len(keys):
            self._index.add(np.asarray(keys, dtype=np.uint64), np.asarray(vectors, dtype=np.float32))
            self._all = None

    def remove(self, keys: np.ndarray) -> None:
        if len(keys):
            self._index.remove(np.asarray(keys, dtype=np.uint64))
            self._all = None

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        self._index.save(str(tmp))
        os.replace(tmp, path)

    def search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top `k` (key, cosine); with `allowed`, only those keys (exactly when they are few)."""
        if not len(self._index) or k <= 0:
            return []
        if allowed is None:
            return self._approximate(vector, k) if len(self._index) >= EXACT_BELOW else self._exact_all(vector, k)
        if len(allowed) < EXACT_BELOW:
            return self._exact(vector, k, allowed)
        allowed_set = set(allowed.tolist())
        hits = [hit for hit in self._approximate(vector, k * 10) if hit[0] in allowed_set][:k]
        return hits if len(hits) == k else self._exact(vector, k, allowed)

    def _approximate(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        matches = self._index.search(np.asarray(vector, dtype=np.float32), min(k, len(self._index)))
        return [(int(key), 1.0 - float(d)) for key, d in zip(matches.keys, matches.distances, strict=True)]

    def _exact_all(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Every vector scored: the matrix is read from the index once, then kept."""
        if self._all is None:
            keys = np.asarray(self._index.keys, dtype=np.uint64)
            self._all = (keys, self._matrix(keys))
        return _top(*self._all, vector, k)

    def _exact(self, vector: np.ndarray, k: int, allowed: np.ndarray) -> list[tuple[int, float]]:
        if not len(allowed):
            return []
        keys = np.asarray(allowed, dtype=np.uint64)
        return _top(keys, self._matrix(keys), vector, k)

    def _matrix(self, keys: np.ndarray) -> np.ndarray:
        return np.vstack(self._index.get(keys)).astype(np.float32).reshape(len(keys), -1)


def _top(keys: np.ndarray, matrix: np.ndarray, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The `k` best (key, inner product) of `matrix`'s rows against `vector`."""
    scores = matrix @ np.asarray(vector, dtype=np.float32)
    top = np.argsort(-scores)[:k]
    return [(int(keys[i]), float(scores[i])) for i in top]
