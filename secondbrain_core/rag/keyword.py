"""BM25 over chunk texts (with their context), via bm25s; rebuilt whole on each sync.

bm25s cannot add or remove documents, but tokenizing and indexing even 100k chunks takes
seconds, far less than embedding them, so only the vectors are maintained incrementally.
Each build writes into its own generation folder (`rag/generations.py`), never over a live one.
"""

from __future__ import annotations

import re
from pathlib import Path

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN

_WORD = re.compile(r"\w+")
_STOP = frozenset(STOPWORDS_EN)
KEYS_FILE = "keys.npy"


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens without English stopwords (no stemmer: PyStemmer is not installed)."""
    return [t for t in _WORD.findall(text.lower()) if t not in _STOP]


class KeywordIndex:
    """BM25 scores over documents identified by integer chunk keys."""

    def __init__(self, retriever: bm25s.BM25 | None, keys: np.ndarray) -> None:
        self._retriever = retriever
        self.keys = keys
        self._vocab = retriever.vocab_dict if retriever is not None else {}

    @classmethod
    def build(cls, directory: Path, keys: np.ndarray, texts: list[str]) -> KeywordIndex:
        """Index `texts` into `directory`, a new folder (an index being read is never written)."""
        retriever = None
        directory.mkdir(parents=True)
        if len(texts):
            retriever = bm25s.BM25()
            retriever.index([tokenize(t) or [""] for t in texts], show_progress=False)
            retriever.save(directory)
        np.save(directory / KEYS_FILE, np.asarray(keys, dtype=np.int64))
        return cls(retriever, np.asarray(keys, dtype=np.int64))

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex:
        keys = np.load(directory / KEYS_FILE)
        retriever = bm25s.BM25.load(directory, mmap=False) if len(keys) else None
        return cls(retriever, keys)

    def document_frequencies(self) -> dict[str, int]:
        """How many chunks hold each indexed word: the agent weighs question words by rarity."""
        if self._retriever is None:
            return {}
        indptr = self._retriever.scores["indptr"]
        return {word: int(indptr[i + 1] - indptr[i]) for word, i in self._vocab.items() if word}

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top `k` (key, score) with a positive score; `allowed` restricts to those keys."""
        tokens = [t for t in tokenize(query) if t in self._vocab]
        if self._retriever is None or not tokens or k <= 0:
            return []
        mask = None if allowed is None else np.isin(self.keys, allowed).astype(np.float32)
        k = min(k, len(self.keys))
        docs, scores = self._retriever.retrieve([tokens], k=k, show_progress=False, weight_mask=mask)
        return [(int(self.keys[d]), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
