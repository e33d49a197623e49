"""Search the materialized index: BM25, dense, or both fused (`rag/fusion.py`).

The Retriever queries the configured index back-end (`rag/backends.py`: the local files or
Atlas) through `backend.IndexBackend` only: the back-end ranks, the Retriever validates,
fuses, reranks and shapes the hits, the same for every back-end. The back-end stays open and
re-opens after a newer build, so a long-running chat sees a re-index without restarting. The
embedder loads lazily: a BM25-only search never pays for the model.
"""

from __future__ import annotations

from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from pydantic import BaseModel, Field

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.backend import IndexBackend, Ranking, SearchFilters
from secondbrain_core.rag.backends import open_backend
from secondbrain_core.rag.embedders import Embedder, embedder_for
from secondbrain_core.rag.fusion import CANDIDATES, fuse_hybrid, fusion_options
from secondbrain_core.rag.manifest import IndexManifest
from secondbrain_core.rag.modes import MODES, Mode
from secondbrain_core.settings import Settings, resolve_source

_QUERY_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="query-embed")

__all__ = ["CANDIDATES", "MODES", "Retriever", "SearchFilters", "SearchHit"]


class SearchHit(BaseModel):
    chunk_id: str
    page_id: str
    title: str
    url: str
    score: float
    text: str
    # where in its page the chunk sits: the agent reads it, `search --json` keeps its shape
    heading_path: list[str] = Field(default_factory=list, exclude=True)


class Retriever:
    """Opens the configured index (`backend`, default from the settings); loads the embedder on
    the first dense query."""

    def __init__(
        self, settings: Settings, embedder: Embedder | None = None, backend: IndexBackend | None = None
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._backend = backend or open_backend(settings)
        self._refresh()

    @property
    def manifest(self) -> IndexManifest:
        return self._backend.manifest

    def search(
        self,
        query: str,
        mode: Mode = "hybrid",
        k: int = 10,
        filters: SearchFilters | None = None,
        rerank: bool | None = None,
    ) -> list[SearchHit]:
        """Top `k` chunks; `rerank` (default: `SECONDBRAIN_RERANK`) reorders the first `CANDIDATES`."""
        rerank = self.settings.rerank if rerank is None else rerank
        if mode not in MODES:
            raise SecondBrainError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        if k < 1:
            raise SecondBrainError(f"k must be at least 1, got {k}")
        if not query.strip():
            raise SecondBrainError("the search query is empty")
        filters = filters if filters is not None and not filters.is_empty() else None
        depth = max(k, CANDIDATES) if mode == "hybrid" or rerank else k
        self._refresh()
        if filters is not None and filters.sources:
            filters = filters.model_copy(update={"sources": self._known_sources(filters.sources)})
        hits, keys, vector = self._ranked(query, mode, depth, filters)
        if self.settings.local_rerank and mode == "hybrid" and hits:
            from secondbrain_core.rag.rerank import LOCAL_RERANK_DEPTH, local_rerank

            head = hits[:LOCAL_RERANK_DEPTH]
            stored = self._backend.sentence_vectors(keys[:LOCAL_RERANK_DEPTH])  # None: embedded now
            weight = self.settings.local_rerank_weight
            hits = local_rerank(vector, head, self._embedder, weight, stored) + hits[LOCAL_RERANK_DEPTH:]
        if rerank and hits:
            from secondbrain_core.rag.rerank import rerank as rerank_hits

            # the reranker reads every text it is sent: bounded work, deeper hits keep their order
            hits = rerank_hits(query, hits[:CANDIDATES], self.settings) + hits[CANDIDATES:]
        return hits[:k]

    def document_frequencies(self) -> tuple[int, dict[str, int]]:
        """Chunk count and per-word chunk counts of the keyword index (nothing on Atlas)."""
        self._refresh()
        return self._backend.document_frequencies()

    def tags(self) -> list[str]:
        """The tags a filter can choose from (the chat offers them)."""
        self._refresh()
        return self._backend.tags()

    def _ranked(
        self, query: str, mode: Mode, depth: int, filters: SearchFilters | None
    ) -> tuple[list[SearchHit], list[Hashable], np.ndarray | None]:
        """The fused (or single-ranker) hits, their back-end keys (the local rerank reads their
        stored sentences by them), and the query vector when one was embedded (it reuses it)."""
        # The query is embedded on a worker thread while BM25 and the filter query run here:
        # on 2 cores the two overlap (torch and numpy release the GIL), which keeps hybrid
        # p95 near the slower of the two instead of their sum.
        embedding = _QUERY_POOL.submit(self._query_vector, query) if mode != "bm25" else None
        rankings: list[Ranking] = []
        if mode in ("bm25", "hybrid"):
            rankings.append(self._backend.keyword(query, depth, filters))
        vector = embedding.result() if embedding is not None else None
        if vector is not None:
            rankings.append(self._backend.dense(vector, depth, filters))
        # the heads' rows are read before fusing: the fusion reads their pages and BM25's best text
        heads = list(dict.fromkeys(key for ranking in rankings for key, _ in ranking[:CANDIDATES]))
        chunks = self._backend.chunks(heads)
        if mode == "hybrid":
            pages = _Pages({key: chunk.page_id for key, chunk in chunks.items()})
            best = chunks.get(rankings[0][0][0]) if rankings[0] else None
            coverage = self._backend.coverage(query, best)
            scored = fuse_hybrid(*rankings, pages=pages, coverage=coverage, **fusion_options(self.settings))
        else:
            scored = rankings[0]
        scored = scored[:depth]
        chunks.update(self._backend.chunks([key for key, _ in scored if key not in chunks]))
        scored = [(key, score) for key, score in scored if key in chunks]
        hits = [
            SearchHit(
                chunk_id=chunks[key].chunk_id,
                page_id=chunks[key].page_id,
                title=chunks[key].title,
                url=chunks[key].url,
                score=round(float(score), 6),
                text=chunks[key].text,
                heading_path=chunks[key].heading_path,
            )
            for key, score in scored
        ]
        return hits, [key for key, _ in scored], vector

    def _known_sources(self, sources: list[str]) -> list[str]:
        """`sources` as the index names them (`sample` is the shipped KB); one the index does not
        hold is an error naming it, not an empty result that reads as "your notes say nothing"."""
        held = self.manifest.source_versions  # empty only in a manifest that predates it: nothing to check
        resolved = [resolve_source(source) for source in sources]
        unknown = [given for given, name in zip(sources, resolved, strict=True) if held and name not in held]
        if unknown:
            names = ", ".join(sorted(held)) or "none"
            raise SecondBrainError(f"unknown source {unknown[0]!r}: the index holds {names}")
        return resolved

    def _query_vector(self, query: str) -> np.ndarray:
        if self._embedder is None:
            self._embedder = embedder_for(self.settings)
        return self._embedder.embed_query(query)

    def _refresh(self) -> None:
        """Follow the back-end to its current build; one from another embedder is refused
        (querying it would compare vectors of two spaces)."""
        manifest = self._backend.refresh()
        if manifest.embedder != self.settings.embedder.strip():
            raise SecondBrainError(
                f"the index under {self._backend.location} was built with embedder {manifest.embedder!r} but "
                f"SECONDBRAIN_EMBEDDER={self.settings.embedder!r}: re-materialize vector_index"
            )


class _Pages(dict):
    """Chunk key -> page id; a key the index lacks (removed since it was ranked) is its own page."""

    def __missing__(self, key: Hashable) -> str:
        return f"missing:{key}"
