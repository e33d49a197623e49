"""Sentence vectors stored with the local index, so the local rerank (`rag/rerank.py`) costs a
matrix product a query instead of embedding ~200 sentences (seconds on 2 cores, RESULTS.md,
issue 11).

A build embeds each chunk's rerank sentences (`rerank.sentences(chunk.text)`, with
`embedder.embed_short`, the call the query-time rerank makes) and writes, into its generation:

    sentence_vectors.npy  float16 (sentences x dimension), unit rows, chunks in key order
    sentence_rows.npy     int64 (chunks x 3): chunk key, first row, end row; sorted by key

float16 halves float32's disk and page cache; it moves a cosine by less than 1e-3. Both files
are memory-mapped on load, so a search reads only its candidates' rows. The rows file is
written last: a generation without it (built before this store existed, or with the rerank
off) has no store, and the rerank embeds at query time as before, same order, only slower.
An incremental build copies the previous generation's rows of kept chunks and embeds only the
chunks it lacks, the rule the chunk vectors follow.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib.format import open_memmap

from secondbrain_core.rag.backend import EMBED_BATCH
from secondbrain_core.rag.embedders import Embedder
from secondbrain_core.rag.rerank import sentences

VECTORS_FILE = "sentence_vectors.npy"
ROWS_FILE = "sentence_rows.npy"
DTYPE = np.float16


@dataclass(frozen=True)
class SentenceStore:
    """One generation's sentence vectors; `rows` sorted by key, `vectors` memory-mapped."""

    rows: np.ndarray  # int64 (chunks, 3): key, start, end
    vectors: np.ndarray  # float16 (sentences, dimension)

    @classmethod
    def load(cls, directory: Path) -> SentenceStore | None:
        """The store of the generation in `directory`; None when it has none."""
        if not (directory / ROWS_FILE).exists():
            return None
        return cls(np.load(directory / ROWS_FILE), np.load(directory / VECTORS_FILE, mmap_mode="r"))

    def __len__(self) -> int:
        return len(self.rows)

    def positions(self, keys: list[int]) -> np.ndarray:
        """Row index of each key; -1 where the store lacks it."""
        wanted = np.asarray(keys, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.rows[:, 0], wanted), max(len(self.rows) - 1, 0))
        found = (self.rows[at, 0] == wanted) if len(self.rows) else np.zeros(len(wanted), dtype=bool)
        return np.where(found, at, -1)

    def matrices(self, keys: list[int]) -> list[np.ndarray] | None:
        """float32 unit rows of each key's sentences, in order; None if any key is missing (the
        caller then embeds them all, rather than rank on two sources at once)."""
        at = self.positions(keys)
        if (at < 0).any():
            return None
        return [np.asarray(self.vectors[start:end], dtype=np.float32) for _, start, end in self.rows[at]]


def write_store(
    directory: Path, texts: dict[int, str], base: SentenceStore | None, embedder: Embedder, dimension: int
) -> int:
    """Write the store of exactly `texts` (chunk key -> chunk text) into `directory`: the rows of
    keys `base` holds are copied, the others' sentences embedded, a batch at a time straight
    into the memory-mapped file (a full build of 100k chunks holds ~1M sentences). Returns how
    many sentences were embedded."""
    keys = sorted(texts)
    at = base.positions(keys) if base is not None else np.full(len(keys), -1)
    added = {key: sentences(texts[key]) for key, where in zip(keys, at, strict=True) if where < 0}
    counts = np.array(
        [
            len(added[key]) if where < 0 else base.rows[where, 2] - base.rows[where, 1]
            for key, where in zip(keys, at, strict=True)
        ],
        dtype=np.int64,
    )
    ends = np.cumsum(counts)
    rows = np.column_stack([np.array(keys, dtype=np.int64), ends - counts, ends]).reshape(-1, 3)
    flat = [s for found in added.values() for s in found]
    # the row each embedded sentence goes to: `added` is in key order, as the rows are
    targets = np.concatenate([np.arange(start, end) for _, start, end in rows[at < 0]] or [np.zeros(0, np.int64)])

    out_path = directory / VECTORS_FILE
    tmp = out_path.with_name(out_path.name + ".tmp")
    total = int(ends[-1]) if len(ends) else 0
    out = open_memmap(tmp, mode="w+", dtype=DTYPE, shape=(total, dimension)) if total else None
    for i in range(0, len(flat), EMBED_BATCH):
        out[targets[i : i + EMBED_BATCH]] = embedder.embed_short(flat[i : i + EMBED_BATCH])
    for (_, start, end), where in zip(rows, at, strict=True):
        if where >= 0:
            out[start:end] = base.vectors[base.rows[where, 1] : base.rows[where, 2]]
    if out is None:
        _save_atomically(out_path, np.zeros((0, dimension), dtype=DTYPE))
    else:
        out.flush()
        del out
        os.replace(tmp, out_path)
    _save_atomically(directory / ROWS_FILE, rows)  # last: its presence means the store is whole
    return len(flat)


def _save_atomically(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        np.save(handle, array)
    os.replace(tmp, path)
