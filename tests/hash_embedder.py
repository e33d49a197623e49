"""A deterministic stand-in for the default embedder, for tests about index plumbing, not relevance."""

from __future__ import annotations

import hashlib

import numpy as np


class HashEmbedder:
    """16-dimensional vectors from a text's hash, under the default embedder's name: no model to load."""

    name = "minilm"
    dimension = 16

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self.embed_query(t) for t in texts]) if texts else np.zeros((0, 16), np.float32)

    def embed_short(self, texts: list[str]) -> np.ndarray:
        """The local rerank's sentences (stored at build time, embedded at query time without a store)."""
        return self.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        vector = np.frombuffer(hashlib.sha256(text.encode()).digest()[:16], dtype=np.uint8).astype(np.float32) + 1
        return vector / np.linalg.norm(vector)
