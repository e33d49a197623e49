"""Chunks in the document store, one set per source: what the `chunks` asset materializes.

Re-chunking a source replaces exactly that source's chunks (upsert by content-hash id, delete
the ids no longer produced), so a re-run never duplicates and `vector_index` reads the union.
"""

from __future__ import annotations

from pymongo import ASCENDING, DeleteMany, UpdateOne
from pymongo.database import Database

from secondbrain_core.rag.chunking import Chunk
from secondbrain_core.records import parse_record

CHUNKS = "chunks"


class ChunkStore:
    def __init__(self, db: Database) -> None:
        self.collection = db[CHUNKS]
        self.collection.create_index([("chunk_id", ASCENDING)], unique=True)
        self.collection.create_index([("source", ASCENDING)])

    def replace_source(self, source: str, chunks: list[Chunk]) -> tuple[int, int]:
        """Make `source`'s chunks exactly `chunks`; returns (new ids written, stale ids deleted)."""
        ids = [c.chunk_id for c in chunks]
        existing = {d["chunk_id"] for d in self.collection.find({"source": source}, {"_id": 0, "chunk_id": 1})}
        ops: list = [
            UpdateOne({"chunk_id": c.chunk_id}, {"$set": c.model_dump(mode="json")}, upsert=True) for c in chunks
        ]
        stale = sorted(existing - set(ids))
        if stale:
            ops.append(DeleteMany({"source": source, "chunk_id": {"$in": stale}}))
        if ops:
            self.collection.bulk_write(ops, ordered=True)
        return len(set(ids) - existing), len(stale)

    def chunks(self, source: str | None = None) -> list[Chunk]:
        query = {"source": source} if source else {}
        cursor = self.collection.find(query, {"_id": 0}).sort([("page_id", ASCENDING), ("position", ASCENDING)])
        return [parse_record(Chunk, doc, _origin(doc)) for doc in cursor]

    def count(self) -> int:
        return self.collection.count_documents({})


def _origin(doc: dict) -> str:
    return f"chunk {doc.get('chunk_id')!r} of page {doc.get('page_id')!r} in the document store"
