"""MongoDB Atlas back-end: Atlas Vector Search + Atlas Search instead of the local files.

Used when `MONGODB_URI` is an Atlas URI, or with `SECONDBRAIN_VECTOR_BACKEND=atlas` (the
`mongodb-atlas-local` image). One document per chunk (vector, text, filter fields); the index
definitions are created by code and `$vectorSearch` / `$search` run as aggregation pipelines.
Fusion happens in `search.Retriever`, as for the local index. The pipeline and definition
builders are pure functions and the writes are plain MongoDB (both tested here); the search
indexes themselves need a real Atlas, which the tests use only when one is configured.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
from pydantic import BaseModel
from pymongo import DeleteMany, ReplaceOne
from pymongo.collection import Collection
from pymongo.operations import SearchIndexModel

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.backend import IndexReport, Ranking, SearchFilters, embed_all
from secondbrain_core.rag.chunking import Chunk
from secondbrain_core.rag.embedders import Embedder
from secondbrain_core.rag.manifest import IndexManifest, build_manifest, read_manifest, write_manifest
from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database

BACKEND = "atlas"  # the manifest's `backend` for this index
COLLECTION = "chunk_index"
VECTOR_INDEX = "chunk_vectors"
TEXT_INDEX = "chunk_text"
QUERYABLE_TIMEOUT_S = 600.0  # Atlas's own guidance: a new index on a small collection takes seconds to minutes
# what a ranking reads back: the key (chunk id) and the score; rows come from `AtlasIndex.chunks`
_KEY = {"_id": 1}
_NOT_READ_BACK = {"embedding": 0, "search_text": 0}


def vector_index_definition(dimension: int) -> dict[str, Any]:
    """`vectorSearch` index: unit vectors (dot product) plus the fields filters may use."""
    return {
        "fields": [
            {"type": "vector", "path": "embedding", "numDimensions": dimension, "similarity": "dotProduct"},
            {"type": "filter", "path": "source"},
            {"type": "filter", "path": "tags"},
            {"type": "filter", "path": "last_edited_time"},
        ]
    }


def text_index_definition() -> dict[str, Any]:
    """`search` (Lucene BM25) index over context + text, with filterable metadata."""
    return {
        "mappings": {
            "dynamic": False,
            "fields": {
                "search_text": {"type": "string", "analyzer": "lucene.english"},
                "source": {"type": "token"},
                "tags": {"type": "token"},
                "last_edited_time": {"type": "date"},
            },
        }
    }


def vector_filter(filters: SearchFilters | None) -> dict[str, Any]:
    """The MQL subset `$vectorSearch.filter` accepts."""
    if filters is None:
        return {}
    clauses: dict[str, Any] = {}
    if filters.sources:
        clauses["source"] = {"$in": filters.sources}
    if filters.tags:
        clauses["tags"] = {"$in": filters.tags}
    edited: dict[str, datetime] = {}
    if filters.edited_after:
        edited["$gte"] = filters.edited_after
    if filters.edited_before:
        edited["$lt"] = filters.edited_before
    if edited:
        clauses["last_edited_time"] = edited
    return clauses


def vector_search_pipeline(vector: list[float], k: int, filters: SearchFilters | None = None) -> list[dict]:
    stage: dict[str, Any] = {
        "index": VECTOR_INDEX,
        "path": "embedding",
        "queryVector": vector,
        "numCandidates": max(100, 10 * k),
        "limit": k,
    }
    if clauses := vector_filter(filters):
        stage["filter"] = clauses
    return [{"$vectorSearch": stage}, {"$project": {**_KEY, "score": {"$meta": "vectorSearchScore"}}}]


def text_search_pipeline(query: str, k: int, filters: SearchFilters | None = None) -> list[dict]:
    compound: dict[str, Any] = {"must": [{"text": {"query": query, "path": "search_text"}}]}
    conditions: list[dict] = []
    if filters and filters.sources:
        conditions.append({"in": {"path": "source", "value": filters.sources}})
    if filters and filters.tags:
        conditions.append({"in": {"path": "tags", "value": filters.tags}})
    if filters and (filters.edited_after or filters.edited_before):
        bounds = {"gte": filters.edited_after, "lt": filters.edited_before}
        conditions.append({"range": {"path": "last_edited_time", **{op: v for op, v in bounds.items() if v}}})
    if conditions:
        compound["filter"] = conditions
    return [
        {"$search": {"index": TEXT_INDEX, "compound": compound}},
        {"$limit": k},
        {"$project": {**_KEY, "score": {"$meta": "searchScore"}}},
    ]


def chunk_document(chunk: Chunk, vector: np.ndarray) -> dict[str, Any]:
    edited = chunk.metadata.get("last_edited_time")
    return {
        "_id": chunk.chunk_id,
        "page_id": chunk.page_id,
        "source": chunk.source,
        "title": chunk.title,
        "url": chunk.url,
        "heading_path": chunk.heading_path,
        "position": chunk.position,
        "text": chunk.text,
        "context": chunk.context,
        "search_text": chunk.embedding_text,
        "tags": chunk.metadata.get("tags", []),
        "last_edited_time": datetime.fromisoformat(edited) if edited else None,
        "metadata": chunk.metadata,
        "embedding": [float(x) for x in vector],
    }


def document_chunk(doc: dict[str, Any]) -> Chunk:
    """The chunk a `chunk_document` holds (documents written before `metadata` was stored give
    back what `chunking.page_metadata` holds: source, tags, edit time)."""
    edited = doc.get("last_edited_time")
    fallback = {"source": doc["source"], "tags": doc.get("tags", [])}
    if edited:
        fallback["last_edited_time"] = edited.isoformat()
    return Chunk(
        chunk_id=doc["_id"],
        page_id=doc["page_id"],
        source=doc["source"],
        title=doc["title"],
        url=doc["url"],
        heading_path=doc.get("heading_path", []),
        position=doc.get("position", 0),
        text=doc["text"],
        context=doc.get("context", ""),
        metadata=doc.get("metadata", fallback),
    )


def ensure_search_indexes(collection: Collection, dimension: int) -> None:
    """Create both search indexes when missing; a vector index of another dimension is replaced."""
    existing = {ix["name"]: ix for ix in collection.list_search_indexes()}
    vector = existing.get(VECTOR_INDEX)
    if vector is not None:
        fields = (vector.get("latestDefinition") or vector.get("definition") or {}).get("fields", [])
        if any(f.get("numDimensions") not in (None, dimension) for f in fields):
            collection.drop_search_index(VECTOR_INDEX)
            vector = None
    if vector is None:
        collection.create_search_index(
            SearchIndexModel(definition=vector_index_definition(dimension), name=VECTOR_INDEX, type="vectorSearch")
        )
    if TEXT_INDEX not in existing:
        collection.create_search_index(SearchIndexModel(definition=text_index_definition(), name=TEXT_INDEX))


def wait_until_queryable(collection: Collection, timeout_s: float = QUERYABLE_TIMEOUT_S, poll_s: float = 2.0) -> None:
    """Block until both search indexes answer queries.

    Atlas builds search indexes asynchronously: right after creation (or a rebuild) a query
    silently returns nothing, so an index build that returned at once would look empty to the
    evaluation that follows it.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        found = {ix["name"]: ix for ix in collection.list_search_indexes()}
        failed = [name for name, ix in found.items() if ix.get("status") == "FAILED"]
        if failed:
            raise SecondBrainError(f"Atlas failed to build search index(es) {failed} on {collection.full_name}")
        pending = [name for name in (VECTOR_INDEX, TEXT_INDEX) if not found.get(name, {}).get("queryable")]
        if not pending:
            return
        if time.monotonic() >= deadline:
            raise SecondBrainError(
                f"Atlas search index(es) {pending} on {collection.full_name} not queryable after {timeout_s:.0f} s"
            )
        time.sleep(poll_s)


class Written(BaseModel):
    """What `write_chunks` changed in the collection."""

    added: int
    removed: int
    dimension: int
    seconds_embedding: float


def write_chunks(collection: Collection, chunks: list[Chunk], embedder: Embedder, restart: bool) -> Written:
    """Make the collection hold exactly `chunks` (unique ids), embedding only ids it lacks;
    `restart` (another embedder) empties it first. Plain MongoDB writes, no search index needed."""
    if restart:
        collection.delete_many({})
    wanted = {c.chunk_id: c for c in chunks}
    have = {d["_id"] for d in collection.find({}, {"_id": 1})}
    to_add = [cid for cid in wanted if cid not in have]
    stale = sorted(have - wanted.keys())
    embed_started = time.perf_counter()
    vectors = embed_all([wanted[cid].embedding_text for cid in to_add], embedder)
    seconds_embedding = time.perf_counter() - embed_started
    ops: list = [
        ReplaceOne({"_id": cid}, chunk_document(wanted[cid], vector), upsert=True)
        for cid, vector in zip(to_add, vectors, strict=True)
    ]
    if stale:
        ops.append(DeleteMany({"_id": {"$in": stale}}))
    if ops:
        collection.bulk_write(ops, ordered=True)
    return Written(
        added=len(to_add),
        removed=len(stale),
        dimension=vectors.shape[1] if len(vectors) else embedder.dimension,
        seconds_embedding=seconds_embedding,
    )


class AtlasIndex:
    """The `chunk_index` collection of the document store and its two search indexes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.location = f"Atlas collection {settings.mongodb_database}.{COLLECTION}"
        self._manifest: IndexManifest | None = None

    @cached_property
    def _collection(self) -> Collection:
        return open_database(self.settings)[COLLECTION]

    # --- build ---------------------------------------------------------------------------

    def sync(self, chunks: list[Chunk], embedder: Embedder) -> IndexReport:
        """Write the documents, make sure both search indexes exist and answer, then the manifest."""
        started = time.perf_counter()
        previous = read_manifest(self.settings)
        restart = previous is not None and previous.embedder != embedder.name
        written = write_chunks(self._collection, chunks, embedder, restart)
        ensure_search_indexes(self._collection, written.dimension)
        wait_until_queryable(self._collection)
        manifest = build_manifest(chunks, self.settings, embedder.name, written.dimension, BACKEND)
        write_manifest(self.settings, manifest)
        return IndexReport(
            added=written.added,
            removed=written.removed,
            kept=len(chunks) - written.added,
            embedded=written.added,
            seconds_embedding=round(written.seconds_embedding, 3),
            seconds_total=round(time.perf_counter() - started, 3),
            manifest=manifest,
        )

    def counts(self) -> dict[str, int]:
        manifest = read_manifest(self.settings)
        return {
            "manifest": manifest.counts.get("chunks", 0) if manifest else 0,
            "documents": self._collection.count_documents({}),
        }

    # --- search --------------------------------------------------------------------------

    def refresh(self) -> IndexManifest:
        """The manifest is read once; the collection itself is always live."""
        if self._manifest is None:
            manifest = read_manifest(self.settings)
            if manifest is None or manifest.backend != BACKEND:
                raise SecondBrainError(
                    "no Atlas search index yet: run `secondbrain demo` / materialize vector_index first"
                )
            self._manifest = manifest
        return self._manifest

    @property
    def manifest(self) -> IndexManifest:
        return self.refresh()

    def keyword(self, query: str, k: int, filters: SearchFilters | None) -> Ranking:
        return self._ranking(text_search_pipeline(query, k, filters))

    def dense(self, vector: np.ndarray, k: int, filters: SearchFilters | None) -> Ranking:
        return self._ranking(vector_search_pipeline([float(x) for x in vector], k, filters))

    def chunks(self, keys: list[Hashable]) -> dict[Hashable, Chunk]:
        if not keys:
            return {}
        docs = self._collection.find({"_id": {"$in": list(keys)}}, _NOT_READ_BACK)
        return {doc["_id"]: document_chunk(doc) for doc in docs}

    def coverage(self, query: str, best: Chunk | None) -> float | None:
        return None  # Atlas Search does not expose its term statistics

    def document_frequencies(self) -> tuple[int, dict[str, int]]:
        return 0, {}

    def tags(self) -> list[str]:
        return sorted(self._collection.distinct("tags"))

    def sentence_vectors(self, keys: list[Hashable]) -> list[np.ndarray] | None:
        return None  # not stored in Atlas: the local rerank embeds at query time

    def _ranking(self, pipeline: list[dict]) -> Ranking:
        return [(doc["_id"], float(doc["score"])) for doc in self._collection.aggregate(pipeline)]
