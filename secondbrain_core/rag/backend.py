"""The index back-end interface: what building and searching need from wherever the index lives.

Two implementations: `rag/local_index.py` (usearch + bm25s + a sqlite chunk table under the
home, in generations) and `rag/atlas.py` (Atlas Vector Search + Atlas Search on the document
store); `rag/backends.py` picks one from the settings. `pipeline.sync_index` builds and
`search.Retriever` queries through this interface only, so fusion, reranking, validation and
the hits' shape are written once for every back-end. A back-end ranks; it does not fuse.

Rankings are (key, score) pairs, best first. A key is whatever the back-end finds its chunks
by (the local index: the chunk id's 60-bit integer; Atlas: the chunk id itself), opaque to
callers, who hand it back to `chunks` to read the rows.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Protocol

import numpy as np
from pydantic import BaseModel

from secondbrain_core.rag.chunking import Chunk
from secondbrain_core.rag.embedders import Embedder
from secondbrain_core.rag.manifest import IndexManifest

EMBED_BATCH = 256
Ranking = list[tuple[Hashable, float]]


class SearchFilters(BaseModel):
    """Metadata filters; all given ones must hold (tags: any of them)."""

    sources: list[str] | None = None
    tags: list[str] | None = None
    edited_after: datetime | None = None
    edited_before: datetime | None = None

    def is_empty(self) -> bool:
        return not (self.sources or self.tags or self.edited_after or self.edited_before)


class IndexReport(BaseModel):
    """What one sync did: the incremental contract every back-end keeps (embed only new ids)."""

    added: int
    removed: int
    kept: int
    embedded: int
    seconds_embedding: float
    seconds_total: float
    manifest: IndexManifest
    sentences_embedded: int = 0  # the local rerank's sentences embedded for the store (added chunks')
    seconds_sentences: float = 0.0  # what embedding and writing them cost, within seconds_total


class IndexBackend(Protocol):
    """One index, built and searched. Constructed from `Settings` alone, before any index exists."""

    location: str  # where the index lives, as error messages name it

    def sync(self, chunks: list[Chunk], embedder: Embedder) -> IndexReport:
        """Make the index hold exactly `chunks` (unique ids): embed only ids it lacks, delete the
        ones no longer given, start over when `embedder` is not the manifest's, and write the
        manifest last. The caller holds the home's build lock."""
        ...

    def counts(self) -> dict[str, int]:
        """Entries per part of the index (manifest included); a whole index has them all equal."""
        ...

    def refresh(self) -> IndexManifest:
        """Open the current index, or re-open it if a build switched since; raise
        `SecondBrainError` when there is none. Returns the manifest of what is open."""
        ...

    @property
    def manifest(self) -> IndexManifest:
        """The manifest of the index `refresh` opened last."""
        ...

    def keyword(self, query: str, k: int, filters: SearchFilters | None) -> Ranking:
        """Top `k` by BM25 (or the back-end's full-text score) among chunks passing `filters`."""
        ...

    def dense(self, vector: np.ndarray, k: int, filters: SearchFilters | None) -> Ranking:
        """Top `k` by similarity to the unit query `vector` among chunks passing `filters`."""
        ...

    def chunks(self, keys: list[Hashable]) -> dict[Hashable, Chunk]:
        """The chunks of the given keys; a key no longer indexed is absent."""
        ...

    def coverage(self, query: str, best: Chunk | None) -> float | None:
        """Share of the query's term weight that `best` (BM25's first hit) holds, for the adaptive
        fusion; None when the back-end cannot weigh terms."""
        ...

    def document_frequencies(self) -> tuple[int, dict[str, int]]:
        """Chunk count and per-word chunk counts of the keyword index ((0, {}) when unknown)."""
        ...

    def tags(self) -> list[str]:
        """The tags a filter can choose from ([] when the back-end cannot list them)."""
        ...

    def sentence_vectors(self, keys: list[Hashable]) -> list[np.ndarray] | None:
        """Each key's rerank sentences (`rerank.sentences` of its text) as the build embedded
        them, unit float32 rows, in order; None when the index keeps none for some key (the
        local rerank then embeds them at query time)."""
        ...


def embed_all(texts: list[str], embedder: Embedder) -> np.ndarray:
    """`texts` embedded in batches of `EMBED_BATCH`; an empty list gives a (0, 0) array."""
    batches = [embedder.embed_documents(texts[i : i + EMBED_BATCH]) for i in range(0, len(texts), EMBED_BATCH)]
    return np.vstack(batches) if batches else np.zeros((0, 0), dtype=np.float32)
