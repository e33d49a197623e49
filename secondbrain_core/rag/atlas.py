"""MongoDB Atlas back-end: Atlas Vector Search + Atlas Search instead of the local files.

Used when `MONGODB_URI` is an Atlas (or `mongodb-atlas-local`) URI. The index definitions are
created by code, `$vectorSearch` and `$search` run as aggregation pipelines, and their rankings
are fused with the same RRF as the local index. The pipeline and definition builders are pure
functions (unit-tested); the I/O around them needs a real Atlas, which tests do not have.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import numpy as np
from pymongo import DeleteMany, ReplaceOne
from pymongo.collection import Collection
from pymongo.operations import SearchIndexModel

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.chunk_table import SearchFilters
from secondbrain_core.rag.chunking import Chunk
from secondbrain_core.rag.embedders import Embedder
from secondbrain_core.rag.fusion import fuse_hybrid, fusion_options
from secondbrain_core.rag.manifest import read_manifest, write_manifest
from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database

COLLECTION = "chunk_index"
VECTOR_INDEX = "chunk_vectors"
TEXT_INDEX = "chunk_text"
QUERYABLE_TIMEOUT_S = 600.0  # Atlas's own guidance: a new index on a small collection takes seconds to minutes
_PROJECTION = {"_id": 0, "chunk_id": "$_id", "page_id": 1, "title": 1, "url": 1, "text": 1}


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
    return [{"$vectorSearch": stage}, {"$project": {**_PROJECTION, "score": {"$meta": "vectorSearchScore"}}}]


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
        {"$project": {**_PROJECTION, "score": {"$meta": "searchScore"}}},
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
        "embedding": [float(x) for x in vector],
    }


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


def sync_atlas(chunks: list[Chunk], settings: Settings, embedder: Embedder):
    """`sync_index` for Atlas: same incremental contract, documents instead of files."""
    from secondbrain_core.rag.pipeline import IndexReport, build_manifest

    started = time.perf_counter()
    collection = open_database(settings)[COLLECTION]
    previous = read_manifest(settings)
    if previous is not None and previous.embedder != embedder.name:
        collection.delete_many({})
    wanted = {c.chunk_id: c for c in chunks}
    have = {d["_id"] for d in collection.find({}, {"_id": 1})}
    to_add = [cid for cid in wanted if cid not in have]
    stale = sorted(have - wanted.keys())
    embed_started = time.perf_counter()
    vectors = embedder.embed_documents([wanted[cid].embedding_text for cid in to_add]) if to_add else None
    seconds_embedding = time.perf_counter() - embed_started
    ops: list = [
        ReplaceOne({"_id": cid}, chunk_document(wanted[cid], v), upsert=True)
        for cid, v in zip(to_add, vectors if vectors is not None else [], strict=True)
    ]
    if stale:
        ops.append(DeleteMany({"_id": {"$in": stale}}))
    if ops:
        collection.bulk_write(ops, ordered=True)
    dimension = vectors.shape[1] if vectors is not None else embedder.dimension
    ensure_search_indexes(collection, dimension)
    wait_until_queryable(collection)
    manifest = build_manifest(list(wanted.values()), settings, embedder.name, dimension, "atlas")
    write_manifest(settings, manifest)
    return IndexReport(
        added=len(to_add),
        removed=len(stale),
        kept=len(wanted) - len(to_add),
        embedded=len(to_add),
        seconds_embedding=round(seconds_embedding, 3),
        seconds_total=round(time.perf_counter() - started, 3),
        manifest=manifest,
    )


class AtlasSearch:
    """Runs the two pipelines on the Atlas collection and fuses them."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.manifest = read_manifest(settings)
        if self.manifest is None or self.manifest.backend != "atlas":
            raise SecondBrainError("no Atlas search index yet: run `secondbrain demo` / materialize vector_index first")
        self._collection = open_database(settings)[COLLECTION]

    def search(self, query: str, vector: np.ndarray | None, mode: str, k: int, filters: SearchFilters | None):
        from secondbrain_core.rag.search import SearchHit

        rankings: list[list[dict]] = []
        if mode in ("bm25", "hybrid"):
            rankings.append(list(self._collection.aggregate(text_search_pipeline(query, k, filters))))
        if mode in ("dense", "hybrid") and vector is not None:
            pipeline = vector_search_pipeline([float(x) for x in vector], k, filters)
            rankings.append(list(self._collection.aggregate(pipeline)))
        docs = {d["chunk_id"]: d for ranking in rankings for d in ranking}
        if mode == "hybrid" and len(rankings) == 2:
            bm25, dense = ([(d["chunk_id"], d["score"]) for d in ranking] for ranking in rankings)
            scored = fuse_hybrid(bm25, dense, **fusion_options(self._settings))
        else:
            scored = [(d["chunk_id"], d["score"]) for d in rankings[0]]
        return [SearchHit(**{**docs[cid], "score": float(score)}) for cid, score in scored[:k]]
