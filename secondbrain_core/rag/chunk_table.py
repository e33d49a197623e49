"""Chunk texts and metadata next to the vectors: one sqlite file, primary key = chunk key.

sqlite because a search needs ~10 rows by key (an indexed lookup, microseconds) and filters
need an indexed query over source/date/tags — a JSONL file would be read whole for each.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import numpy as np

from secondbrain_core.rag.backend import SearchFilters
from secondbrain_core.rag.chunking import Chunk
from secondbrain_core.sources.page import to_stored_time

_COLUMNS = "key, chunk_id, page_id, source, title, url, heading_path, position, text, context, metadata, tags, edited"


def chunk_key(chunk_id: str) -> int:
    """The vector index's integer key: the first 60 bits of the content hash."""
    return int(chunk_id[:15], 16)


class ChunkTable:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS chunks (key INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL, page_id TEXT,"
            " source TEXT, title TEXT, url TEXT, heading_path TEXT, position INTEGER, text TEXT, context TEXT,"
            " metadata TEXT, tags TEXT, edited TEXT)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS chunks_source ON chunks (source)")
        self._db.execute("CREATE INDEX IF NOT EXISTS chunks_edited ON chunks (edited)")

    def close(self) -> None:
        self._db.close()

    def replace_all(self, chunks: list[Chunk]) -> None:
        """The table becomes exactly `chunks` in one transaction (readers see old or new)."""
        rows = [
            (
                chunk_key(c.chunk_id),
                c.chunk_id,
                c.page_id,
                c.source,
                c.title,
                c.url,
                json.dumps(c.heading_path),
                c.position,
                c.text,
                c.context,
                json.dumps(c.metadata),
                json.dumps(c.metadata.get("tags", [])),
                _edited(c.metadata.get("last_edited_time")),
            )
            for c in chunks
        ]
        with self._db:
            self._db.execute("DELETE FROM chunks")
            self._db.executemany(f"INSERT OR REPLACE INTO chunks ({_COLUMNS}) VALUES ({','.join('?' * 13)})", rows)

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def fetch(self, keys: list[int]) -> dict[int, Chunk]:
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        cursor = self._db.execute(f"SELECT {_COLUMNS} FROM chunks WHERE key IN ({marks})", keys)
        return {row[0]: _to_chunk(row) for row in cursor}

    def tags(self) -> list[str]:
        """The distinct tags of the indexed pages, sorted: what a tag filter can match."""
        rows = self._db.execute("SELECT DISTINCT value FROM chunks, json_each(chunks.tags) ORDER BY value")
        return [row[0] for row in rows]

    def all_chunks(self) -> list[Chunk]:
        return [_to_chunk(row) for row in self._db.execute(f"SELECT {_COLUMNS} FROM chunks ORDER BY key")]

    def matching_keys(self, filters: SearchFilters) -> np.ndarray:
        """Keys of the chunks passing `filters` (an indexed SQL query)."""
        clauses, params = [], []
        if filters.sources:
            clauses.append(f"source IN ({','.join('?' * len(filters.sources))})")
            params += filters.sources
        if filters.tags:
            clauses.append(
                f"EXISTS (SELECT 1 FROM json_each(chunks.tags) WHERE value IN ({','.join('?' * len(filters.tags))}))"
            )
            params += filters.tags
        if filters.edited_after:
            clauses.append("edited >= ?")
            params.append(_iso(filters.edited_after))
        if filters.edited_before:
            clauses.append("edited < ?")
            params.append(_iso(filters.edited_before))
        where = " AND ".join(clauses) or "1"
        rows = self._db.execute(f"SELECT key FROM chunks WHERE {where}", params).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)


def _iso(value: datetime) -> str:
    """Fixed-width UTC text, so string order in SQL is time order."""
    return to_stored_time(value).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _edited(value: str | None) -> str:
    return _iso(datetime.fromisoformat(value)) if value else ""


def _to_chunk(row: tuple) -> Chunk:
    _key, chunk_id, page_id, source, title, url, heading_path, position, text, context, metadata, _tags, _ed = row
    return Chunk(
        chunk_id=chunk_id,
        page_id=page_id,
        source=source,
        title=title,
        url=url,
        heading_path=json.loads(heading_path),
        position=position,
        text=text,
        context=context,
        metadata=json.loads(metadata),
    )
