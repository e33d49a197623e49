"""Pages → chunks (with context) → the search index, incrementally.

`sync_index` makes the index hold exactly the given chunks: it embeds only chunk ids the
vector index does not have yet and deletes ids no longer present; BM25 and the chunk table
are rebuilt (cheap). A different embedder than the manifest's means a full rebuild — an index
never mixes vector spaces. Each build writes a new generation and switches to it atomically,
under a lock (`rag/generations.py`): a crash or a concurrent build never leaves a broken index.
The Dagster assets and `index_store` call these same functions.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

import numpy as np
from pydantic import BaseModel

from secondbrain_core.crawl.store import CrawlStore
from secondbrain_core.errors import SecondBrainError
from secondbrain_core.quality.documents import crawl_doc_id, crawled_as_page
from secondbrain_core.quality.store import QualityStore
from secondbrain_core.rag.chunk_store import ChunkStore
from secondbrain_core.rag.chunk_table import ChunkTable, chunk_key
from secondbrain_core.rag.chunking import Chunk, chunk_page
from secondbrain_core.rag.context import ContextBuilder, resolve_mode
from secondbrain_core.rag.embedders import Embedder, embedder_for
from secondbrain_core.rag.generations import BM25_DIR, CHUNKS_FILE, VECTORS_FILE, build_lock, new_generation, prune
from secondbrain_core.rag.keyword import KeywordIndex
from secondbrain_core.rag.manifest import IndexManifest, files_dir, index_dir, read_manifest, write_manifest
from secondbrain_core.rag.tokens import TOKENIZER_NAME, count_tokens
from secondbrain_core.rag.vectors import VectorIndex
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page
from secondbrain_core.stores.mongo import is_atlas, open_database
from secondbrain_core.stores.page_store import PageStore
from secondbrain_core.warehouse.results import read_model

EMBED_BATCH = 256
RAG_DOCUMENTS = "rag_documents"  # the SQL model (dbt_like_sql/rag_documents.sql) chunks read


class ChunkReport(BaseModel):
    source: str
    pages: int
    chunks: int
    written: int
    deleted: int
    max_chunk_tokens: int
    context_mode: str


class IndexReport(BaseModel):
    added: int
    removed: int
    kept: int
    embedded: int
    seconds_embedding: float
    seconds_total: float
    manifest: IndexManifest


def build_chunks(pages: list[Page], settings: Settings) -> list[Chunk]:
    """Every page chunked and given its context; context + chunk fit `settings.chunk_tokens`."""
    contexts = ContextBuilder(settings)
    text_tokens = settings.chunk_tokens - contexts.budget
    chunks: list[Chunk] = []
    for page in pages:
        chunks.extend(contexts.add(page, chunk_page(page, text_tokens, settings.chunk_overlap_tokens)))
    return chunks


def index_store(settings: Settings) -> IndexReport:
    """Index the live pages of the document store (no Dagster needed)."""
    pages = PageStore(open_database(settings)).live_pages()
    return sync_index(build_chunks(pages, settings), settings)


def indexed_pages(source: str, settings: Settings) -> list[Page]:
    """What one source contributes to the index: its rows of the `rag_documents` SQL model (notes
    and crawled pages that passed the quality filter) once the source has been scored and the
    model built; until then every live page, as before the filter existed."""
    db = open_database(settings)
    notes = PageStore(db).live_pages(source)
    passed = read_model(settings, RAG_DOCUMENTS)
    if passed is None or not QualityStore(db).rows(source):
        return notes
    ids = {row["doc_id"] for row in passed if row.get("source") == source}
    crawled = [crawled_as_page(p, source) for p in CrawlStore(db).ok_pages(source) if crawl_doc_id(p.url) in ids]
    return [p for p in notes if p.id in ids] + crawled


def chunk_source(source: str, settings: Settings) -> ChunkReport:
    """Chunk one source's indexed pages into the chunk store (the `chunks` asset, one partition)."""
    db = open_database(settings)
    pages = indexed_pages(source, settings)
    chunks = build_chunks(pages, settings)
    written, deleted = ChunkStore(db).replace_source(source, chunks)
    return ChunkReport(
        source=source,
        pages=len(pages),
        chunks=len(chunks),
        written=written,
        deleted=deleted,
        max_chunk_tokens=max((count_tokens(c.embedding_text) for c in chunks), default=0),
        context_mode=resolve_mode(settings),
    )


def index_chunk_store(settings: Settings) -> IndexReport:
    """Sync the index to every chunk in the chunk store (the `vector_index` asset)."""
    return sync_index(ChunkStore(open_database(settings)).chunks(), settings)


def uses_atlas(settings: Settings) -> bool:
    """Atlas search for an Atlas URI (or when forced); the local wire server has no vector search.

    `mongodb-atlas-local` listens on a plain `mongodb://localhost` URI that cannot be told
    from any other server, hence `SECONDBRAIN_VECTOR_BACKEND=atlas`.
    """
    if settings.vector_backend == "auto":
        return bool(settings.mongodb_uri and is_atlas(settings.mongodb_uri))
    if settings.vector_backend == "atlas" and not settings.mongodb_uri:
        raise SecondBrainError("SECONDBRAIN_VECTOR_BACKEND=atlas needs MONGODB_URI pointing at Atlas or atlas-local")
    return settings.vector_backend == "atlas"


def sync_index(chunks: list[Chunk], settings: Settings, embedder: Embedder | None = None) -> IndexReport:
    """Make the index hold exactly `chunks`, embedding only what it does not have yet."""
    embedder = embedder or embedder_for(settings)
    with build_lock(index_dir(settings)):  # one build at a time per home, on Atlas too
        if uses_atlas(settings):
            from secondbrain_core.rag.atlas import sync_atlas

            return sync_atlas(chunks, settings, embedder)
        return _sync_local(list({c.chunk_id: c for c in chunks}.values()), settings, embedder)


def _sync_local(chunks: list[Chunk], settings: Settings, embedder: Embedder) -> IndexReport:
    """One build into a new generation; the manifest switch at the end makes it current."""
    started = time.perf_counter()
    previous = read_manifest(settings)
    # another embedder is another vector space: start over rather than mix
    base = previous if previous is not None and previous.embedder == embedder.name else None
    directory = new_generation(index_dir(settings))

    wanted = {chunk_key(c.chunk_id): c for c in chunks}
    vectors = VectorIndex.open(files_dir(settings, base) / VECTORS_FILE, base.dimension) if base else None
    have = vectors.keys() if vectors is not None else set()
    to_add = [key for key in wanted if key not in have]
    to_remove = np.array(sorted(have - wanted.keys()), dtype=np.uint64)

    embed_started = time.perf_counter()
    new_vectors = _embed([wanted[key].embedding_text for key in to_add], embedder)
    seconds_embedding = time.perf_counter() - embed_started
    if vectors is None:
        vectors = VectorIndex.create(new_vectors.shape[1] if len(new_vectors) else embedder.dimension)
    vectors.remove(to_remove)
    vectors.add(np.array(to_add, dtype=np.uint64), new_vectors)
    vectors.save(directory / VECTORS_FILE)

    ordered = [wanted[key] for key in sorted(wanted)]
    table = ChunkTable(directory / CHUNKS_FILE)
    try:
        table.replace_all(ordered)
    finally:
        table.close()
    KeywordIndex.build(
        directory / BM25_DIR, np.array(sorted(wanted), dtype=np.int64), [c.embedding_text for c in ordered]
    )

    manifest = build_manifest(ordered, settings, embedder.name, vectors.dimension, "usearch", directory.name)
    write_manifest(settings, manifest)
    prune(index_dir(settings), keep={directory.name, previous.generation if previous else directory.name})
    return IndexReport(
        added=len(to_add),
        removed=len(to_remove),
        kept=len(wanted) - len(to_add),
        embedded=len(to_add),
        seconds_embedding=round(seconds_embedding, 3),
        seconds_total=round(time.perf_counter() - started, 3),
        manifest=manifest,
    )


def local_index_counts(settings: Settings) -> dict[str, int]:
    """How many entries each part of the local index holds; they must all agree."""
    manifest = read_manifest(settings)
    if manifest is None:
        return {"manifest": 0, "vectors": 0, "chunk_rows": 0, "bm25_docs": 0}
    directory = files_dir(settings, manifest)
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


def _embed(texts: list[str], embedder: Embedder) -> np.ndarray:
    batches = [embedder.embed_documents(texts[i : i + EMBED_BATCH]) for i in range(0, len(texts), EMBED_BATCH)]
    return np.vstack(batches) if batches else np.zeros((0, 0), dtype=np.float32)


def build_manifest(
    chunks: list[Chunk], settings: Settings, embedder: str, dimension: int, backend: str, generation: str | None = None
) -> IndexManifest:
    by_source: dict[str, list[str]] = {}
    for chunk in chunks:
        by_source.setdefault(chunk.source, []).append(chunk.chunk_id)
    return IndexManifest(
        embedder=embedder,
        dimension=dimension,
        built_at=datetime.now(UTC),
        backend=backend,
        context_mode=resolve_mode(settings),
        tokenizer=TOKENIZER_NAME,
        chunk_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
        counts={"chunks": len(chunks), "pages": len({c.page_id for c in chunks}), "sources": len(by_source)},
        source_versions={
            source: hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:16]
            for source, ids in by_source.items()
        },
        generation=generation,
    )


def _digest(chunk_ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(chunk_ids)).encode()).hexdigest()[:16]
