"""The local index back-end: usearch vectors, bm25s keywords and a sqlite chunk table under the home.

A sync embeds only chunk ids the vector index does not have yet and deletes ids no longer
present; BM25 and the chunk table are rebuilt (cheap). With the local rerank on, the new
chunks' sentences are embedded too and kept beside the vectors (`rag/sentence_store.py`).
A different embedder than the
manifest's means a full rebuild: an index never mixes vector spaces. Each build writes a new
generation and switches to it by writing the manifest last (`rag/generations.py`), so a crash
or a concurrent build never leaves a broken index. A reader notices a newer manifest (its
mtime) and re-opens, so a long-running chat sees a re-index without restarting.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from pathlib import Path

import numpy as np

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.backend import IndexReport, Ranking, SearchFilters, embed_all
from secondbrain_core.rag.chunk_table import ChunkTable, chunk_key
from secondbrain_core.rag.chunking import Chunk
from secondbrain_core.rag.embedders import Embedder
from secondbrain_core.rag.fusion import query_coverage
from secondbrain_core.rag.generations import BM25_DIR, CHUNKS_FILE, VECTORS_FILE, new_generation, prune
from secondbrain_core.rag.keyword import KeywordIndex
from secondbrain_core.rag.manifest import (
    MANIFEST_FILE,
    IndexManifest,
    build_manifest,
    files_dir,
    index_dir,
    read_manifest,
    write_manifest,
)
from secondbrain_core.rag.sentence_store import SentenceStore, write_store
from secondbrain_core.rag.vectors import VectorIndex
from secondbrain_core.settings import Settings

BACKEND = "usearch"  # the manifest's `backend` for this index


class LocalIndex:
    """The index under `settings.home / "index"`; opened on the first `refresh`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.location = str(index_dir(settings))
        self._manifest: IndexManifest | None = None
        self._table: ChunkTable | None = None
        self._loaded_mtime = 0.0
        self._filtered: tuple[str, np.ndarray] | None = None  # the last filter's allowed keys
        self._sentences: SentenceStore | None = None

    # --- build ---------------------------------------------------------------------------

    def sync(self, chunks: list[Chunk], embedder: Embedder) -> IndexReport:
        """One build into a new generation; the manifest switch at the end makes it current."""
        started = time.perf_counter()
        previous = read_manifest(self.settings)
        # another embedder is another vector space: start over rather than mix
        base = previous if previous is not None and previous.embedder == embedder.name else None
        directory = new_generation(index_dir(self.settings))

        wanted = {chunk_key(c.chunk_id): c for c in chunks}
        vectors = VectorIndex.open(files_dir(self.settings, base) / VECTORS_FILE, base.dimension) if base else None
        have = vectors.keys() if vectors is not None else set()
        to_add = [key for key in wanted if key not in have]
        to_remove = np.array(sorted(have - wanted.keys()), dtype=np.uint64)

        embed_started = time.perf_counter()
        new_vectors = embed_all([wanted[key].embedding_text for key in to_add], embedder)
        seconds_embedding = time.perf_counter() - embed_started
        if vectors is None:
            vectors = VectorIndex.create(new_vectors.shape[1] if len(new_vectors) else embedder.dimension)
        vectors.remove(to_remove)
        vectors.add(np.array(to_add, dtype=np.uint64), new_vectors)
        vectors.save(directory / VECTORS_FILE)

        sentences_started, sentences_embedded = time.perf_counter(), 0
        if self.settings.local_rerank:  # its only reader: with the rerank off a build does not pay for it
            base_sentences = SentenceStore.load(files_dir(self.settings, base)) if base else None
            texts = {key: chunk.text for key, chunk in wanted.items()}
            sentences_embedded = write_store(directory, texts, base_sentences, embedder, vectors.dimension)
        seconds_sentences = time.perf_counter() - sentences_started

        ordered = [wanted[key] for key in sorted(wanted)]
        table = ChunkTable(directory / CHUNKS_FILE)
        try:
            table.replace_all(ordered)
        finally:
            table.close()
        KeywordIndex.build(
            directory / BM25_DIR, np.array(sorted(wanted), dtype=np.int64), [c.embedding_text for c in ordered]
        )

        manifest = build_manifest(ordered, self.settings, embedder.name, vectors.dimension, BACKEND, directory.name)
        write_manifest(self.settings, manifest)
        prune(index_dir(self.settings), keep={directory.name, previous.generation if previous else directory.name})
        return IndexReport(
            added=len(to_add),
            removed=len(to_remove),
            kept=len(wanted) - len(to_add),
            embedded=len(to_add),
            seconds_embedding=round(seconds_embedding, 3),
            seconds_total=round(time.perf_counter() - started, 3),
            manifest=manifest,
            sentences_embedded=sentences_embedded,
            seconds_sentences=round(seconds_sentences, 3),
        )

    def counts(self) -> dict[str, int]:
        """How many entries each part of the current build holds; they must all agree."""
        manifest = read_manifest(self.settings)
        if manifest is None:
            return {"manifest": 0, "vectors": 0, "chunk_rows": 0, "bm25_docs": 0}
        directory = files_dir(self.settings, manifest)
        table = ChunkTable(directory / CHUNKS_FILE)
        try:
            rows = table.count()
        finally:
            table.close()
        return {
            "manifest": manifest.counts.get("chunks", 0),
            "vectors": len(VectorIndex.open(directory / VECTORS_FILE, manifest.dimension)),
            "chunk_rows": rows,
            "bm25_docs": len(KeywordIndex.load(directory / BM25_DIR).keys),
        }

    # --- search --------------------------------------------------------------------------

    def refresh(self) -> IndexManifest:
        if self._table is None or _mtime(index_dir(self.settings) / MANIFEST_FILE) != self._loaded_mtime:
            old = self._table
            self._load()
            if old is not None:
                old.close()
        return self.manifest

    @property
    def manifest(self) -> IndexManifest:
        if self._manifest is None:
            raise SecondBrainError(f"the index under {self.location} is not open yet")
        return self._manifest

    def keyword(self, query: str, k: int, filters: SearchFilters | None) -> Ranking:
        return self._keyword.search(query, k, self._allowed(filters))

    def dense(self, vector: np.ndarray, k: int, filters: SearchFilters | None) -> Ranking:
        return self._vectors.search(vector, k, self._allowed(filters))

    def chunks(self, keys: list[Hashable]) -> dict[Hashable, Chunk]:
        return self._table.fetch(keys)

    def coverage(self, query: str, best: Chunk | None) -> float | None:
        found = self._keyword.terms(best.embedding_text) if best is not None else set()
        return query_coverage(self._keyword.term_weights(query), found)

    def document_frequencies(self) -> tuple[int, dict[str, int]]:
        return len(self._keyword.keys), self._keyword.document_frequencies()

    def tags(self) -> list[str]:
        return self._table.tags()

    def sentence_vectors(self, keys: list[Hashable]) -> list[np.ndarray] | None:
        return self._sentences.matrices([int(key) for key in keys]) if self._sentences is not None else None

    def _allowed(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Keys passing `filters` (None: all). A hybrid search asks twice with the same filters,
        once per ranker: the indexed query runs once."""
        if filters is None:
            return None
        wanted = filters.model_dump_json()
        last = self._filtered
        if last is not None and last[0] == wanted:
            return last[1]
        allowed = self._table.matching_keys(filters)
        self._filtered = (wanted, allowed)
        return allowed

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
        files = files_dir(self.settings, manifest)
        try:
            keyword = KeywordIndex.load(files / BM25_DIR)  # first: it opens no file it does not find
        except FileNotFoundError as exc:
            raise SecondBrainError(
                f"the index under {directory} lacks {exc.filename}: re-materialize vector_index"
            ) from None
        vectors = VectorIndex.open(files / VECTORS_FILE, manifest.dimension)
        self._keyword, self._vectors, self._table = keyword, vectors, ChunkTable(files / CHUNKS_FILE)
        self._sentences = SentenceStore.load(files)  # None: built before the store, or with the rerank off
        self._manifest, self._loaded_mtime, self._filtered = manifest, loaded_mtime, None


def _mtime(path: Path) -> float:
    return path.stat().st_mtime_ns if path.exists() else 0.0
