"""Search the materialized index: BM25, dense, or both fused (`rag/fusion.py`).

The Retriever opens the local index (or Atlas) once and keeps it; it notices a newer manifest
and reloads, so a long-running chat sees a re-index without restarting. The embedder loads
lazily: a BM25-only search never pays for the model.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.chunk_table import ChunkTable, SearchFilters
from secondbrain_core.rag.chunking import Chunk
from secondbrain_core.rag.embedders import Embedder, embedder_for
from secondbrain_core.rag.fusion import CANDIDATES, fuse_hybrid, fusion_options, query_coverage
from secondbrain_core.rag.generations import BM25_DIR, CHUNKS_FILE, VECTORS_FILE
from secondbrain_core.rag.keyword import KeywordIndex
from secondbrain_core.rag.manifest import MANIFEST_FILE, IndexManifest, files_dir, index_dir, read_manifest
from secondbrain_core.rag.modes import MODES, Mode
from secondbrain_core.rag.pipeline import uses_atlas
from secondbrain_core.rag.vectors import VectorIndex
from secondbrain_core.settings import Settings

_QUERY_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="query-embed")

__all__ = ["MODES", "Retriever", "SearchFilters", "SearchHit"]


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
    """Opens the index under `settings.home` (or Atlas); loads the embedder on first dense query."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._atlas = None
        if uses_atlas(settings):
            from secondbrain_core.rag.atlas import AtlasSearch

            self._atlas = AtlasSearch(settings)
            self._manifest = self._atlas.manifest
            return
        self._loaded_mtime = 0.0
        self._load()

    @property
    def manifest(self) -> IndexManifest:
        return self._manifest

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
        if self._atlas is not None:
            vector = self._query_vector(query) if mode != "bm25" else None
            hits = self._atlas.search(query, vector, mode, depth, filters)
        else:
            self._reload_if_changed()
            hits = self._local(query, mode, depth, filters)
        if rerank and hits:
            from secondbrain_core.rag.rerank import rerank as rerank_hits

            # the reranker reads every text it is sent: bounded work, deeper hits keep their order
            hits = rerank_hits(query, hits[:CANDIDATES], self.settings) + hits[CANDIDATES:]
        return hits[:k]

    def document_frequencies(self) -> tuple[int, dict[str, int]]:
        """Chunk count and per-word chunk counts of the keyword index (nothing on Atlas)."""
        if self._atlas is not None:
            return 0, {}
        self._reload_if_changed()
        return len(self._keyword.keys), self._keyword.document_frequencies()

    def tags(self) -> list[str]:
        """The tags a filter can choose from (the chat offers them; Atlas lists none, type them)."""
        if self._atlas is not None:
            return []
        self._reload_if_changed()
        return self._table.tags()

    # --- local index -----------------------------------------------------------------

    def _local(self, query: str, mode: Mode, depth: int, filters: SearchFilters | None) -> list[SearchHit]:
        # The query is embedded on a worker thread while BM25 and the filter query run here:
        # on 2 cores the two overlap (torch and numpy release the GIL), which keeps hybrid
        # p95 near the slower of the two instead of their sum.
        vector = _QUERY_POOL.submit(self._query_vector, query) if mode != "bm25" else None
        allowed = self._table.matching_keys(filters) if filters else None
        rankings: list[list[tuple[int, float]]] = []
        if mode in ("bm25", "hybrid"):
            rankings.append(self._keyword.search(query, depth, allowed))
        if vector is not None:
            rankings.append(self._vectors.search(vector.result(), depth, allowed))
        # the heads' rows are read before fusing: the fusion reads their pages and BM25's best text
        chunks = self._table.fetch(list(dict.fromkeys(key for ranking in rankings for key, _ in ranking[:CANDIDATES])))
        if mode == "hybrid":
            pages = _Pages({key: chunk.page_id for key, chunk in chunks.items()})
            coverage = self._coverage(query, rankings[0], chunks)
            scored = fuse_hybrid(*rankings, pages=pages, coverage=coverage, **fusion_options(self.settings))
        else:
            scored = rankings[0]
        scored = scored[:depth]
        chunks.update(self._table.fetch([key for key, _ in scored if key not in chunks]))
        return [
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
            if key in chunks
        ]

    def _coverage(self, query: str, bm25: list[tuple[int, float]], chunks: dict[int, Chunk]) -> float:
        """How much of the query (by IDF) BM25's best chunk holds: the adaptive fusion's prior."""
        best = chunks.get(bm25[0][0]) if bm25 else None
        found = self._keyword.terms(best.embedding_text) if best is not None else set()
        return query_coverage(self._keyword.term_weights(query), found)

    def _query_vector(self, query: str) -> np.ndarray:
        if self._embedder is None:
            self._embedder = embedder_for(self.settings)
        return self._embedder.embed_query(query)

    def _load(self) -> None:
        """Open the generation the manifest names; the mtime is taken first, so a build that
        switches while we open is noticed by the next search rather than missed."""
        directory = index_dir(self.settings)
        loaded_mtime = _mtime(directory / MANIFEST_FILE)
        manifest = read_manifest(self.settings)
        if manifest is None:
            raise SecondBrainError(
                f"no search index under {directory}: run `secondbrain demo` / materialize vector_index first"
            )
        if manifest.embedder != self.settings.embedder.strip():
            raise SecondBrainError(
                f"the index under {directory} was built with embedder {manifest.embedder!r} but "
                f"SECONDBRAIN_EMBEDDER={self.settings.embedder!r}: re-materialize vector_index"
            )
        files = files_dir(self.settings, manifest)
        try:
            keyword = KeywordIndex.load(files / BM25_DIR)  # first: it opens no file it does not find
        except FileNotFoundError as exc:
            raise SecondBrainError(
                f"the index under {directory} lacks {exc.filename}: re-materialize vector_index"
            ) from None
        vectors = VectorIndex.open(files / VECTORS_FILE, manifest.dimension)
        self._keyword, self._vectors, self._table = keyword, vectors, ChunkTable(files / CHUNKS_FILE)
        self._manifest, self._loaded_mtime = manifest, loaded_mtime

    def _reload_if_changed(self) -> None:
        if _mtime(index_dir(self.settings) / MANIFEST_FILE) != self._loaded_mtime:
            old = self._table
            self._load()
            old.close()


class _Pages(dict):
    """Chunk key -> page id; a key the table lacks (removed since it was ranked) is its own page."""

    def __missing__(self, key: int) -> str:
        return f"missing:{key}"


def _mtime(path: Path) -> float:
    return path.stat().st_mtime_ns if path.exists() else 0.0
