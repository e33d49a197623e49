"""Pages → chunks (with context) → the search index, incrementally.

`sync_index` makes the index hold exactly the given chunks through the configured back-end
(`rag/backends.py`: the local files or Atlas): it embeds only chunk ids the index does not
have yet and deletes ids no longer present; a different embedder than the manifest's means a
full rebuild — an index never mixes vector spaces. One build at a time per home (a lock).
The Dagster assets and `index_store` call these same functions.
"""

from __future__ import annotations

from pydantic import BaseModel

from secondbrain_core.crawl.store import CrawlStore
from secondbrain_core.quality.documents import crawl_doc_id, crawled_as_page
from secondbrain_core.quality.store import QualityStore
from secondbrain_core.rag.backend import IndexReport
from secondbrain_core.rag.backends import open_backend
from secondbrain_core.rag.chunk_store import ChunkStore
from secondbrain_core.rag.chunking import Chunk, chunk_page
from secondbrain_core.rag.context import ContextBuilder, resolve_mode
from secondbrain_core.rag.embedders import Embedder, embedder_for
from secondbrain_core.rag.generations import build_lock
from secondbrain_core.rag.manifest import index_dir
from secondbrain_core.rag.tokens import count_tokens
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore
from secondbrain_core.warehouse.results import read_model

RAG_DOCUMENTS = "rag_documents"  # the SQL model (dbt_like_sql/rag_documents.sql) chunks read


class ChunkReport(BaseModel):
    source: str
    pages: int
    chunks: int
    written: int
    deleted: int
    max_chunk_tokens: int
    context_mode: str


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
    """Sync the index to the chunks of the configured sources (the `vector_index` asset)."""
    return sync_index(configured_chunks(settings), settings)


def configured_chunks(settings: Settings) -> list[Chunk]:
    """The stored chunks of the sources `SECONDBRAIN_SOURCES` names, what the assistant may read.

    A source taken out of the list leaves the index at its next build: after `make demo`, a
    person who sets `SECONDBRAIN_SOURCES=notion` was still answered from the sample's PostgreSQL
    manual. Its pages and chunks stay stored (nothing is deleted), and come back without being
    chunked again when the source is listed again.
    """
    wanted = set(settings.source_list)
    return [chunk for chunk in ChunkStore(open_database(settings)).chunks() if chunk.source in wanted]


def sync_index(chunks: list[Chunk], settings: Settings, embedder: Embedder | None = None) -> IndexReport:
    """Make the index hold exactly `chunks`, embedding only what it does not have yet."""
    embedder = embedder or embedder_for(settings)
    backend = open_backend(settings)
    with build_lock(index_dir(settings)):  # one build at a time per home, on Atlas too
        return backend.sync(list({c.chunk_id: c for c in chunks}.values()), embedder)
