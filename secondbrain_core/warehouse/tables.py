"""Source tables: what an SQL model may read besides other models, loaded from MongoDB.

Each entry maps an asset key to its columns and a loader of rows; a model that names the
table gets it as a DuckDB table of exactly these columns (empty when nothing is stored yet),
so SQL never depends on MongoDB's shapes. A new source table is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pymongo.database import Database

from secondbrain_core.crawl.store import CrawlStore
from secondbrain_core.quality.documents import crawl_doc_id
from secondbrain_core.quality.store import QualityStore
from secondbrain_core.stores.page_store import PageStore

Row = tuple


@dataclass(frozen=True)
class SourceTable:
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type)
    rows: Callable[[Database], list[Row]]

    @property
    def ddl(self) -> str:
        return ", ".join(f"{name} {kind}" for name, kind in self.columns)


def _notes(db: Database) -> list[Row]:
    return [
        (p.id, p.source, p.title, p.url, p.markdown, p.content_hash, p.last_edited_time)
        for p in PageStore(db).live_pages()
    ]


def _crawled(db: Database) -> list[Row]:
    """One row per (crawled URL, source linking it); pages no source links any more are left out."""
    return [
        (crawl_doc_id(p.url), source, p.url, p.final_url, p.status, p.title, p.markdown, p.content_hash, p.fetched_at)
        for p in CrawlStore(db).pages()
        for source in p.sources
    ]


def _scores(db: Database) -> list[Row]:
    return [
        (
            r.doc_id,
            r.kind,
            r.source,
            r.title,
            r.url,
            r.content_hash,
            r.words,
            r.heuristic,
            r.judge_status,
            r.judge_score,
            r.judge_reason,
            r.judge_model,
            r.prompt_version,
            r.mode,
            r.quality,
            r.scored_at,
        )
        for r in QualityStore(db).rows()
    ]


SOURCE_TABLES: dict[str, SourceTable] = {
    "raw_notion_pages": SourceTable(
        (
            ("doc_id", "VARCHAR"),
            ("source", "VARCHAR"),
            ("title", "VARCHAR"),
            ("url", "VARCHAR"),
            ("markdown", "VARCHAR"),
            ("content_hash", "VARCHAR"),
            ("last_edited_time", "TIMESTAMPTZ"),
        ),
        _notes,
    ),
    "crawled_pages": SourceTable(
        (
            ("doc_id", "VARCHAR"),
            ("source", "VARCHAR"),
            ("url", "VARCHAR"),
            ("final_url", "VARCHAR"),
            ("status", "VARCHAR"),
            ("title", "VARCHAR"),
            ("markdown", "VARCHAR"),
            ("content_hash", "VARCHAR"),
            ("fetched_at", "TIMESTAMPTZ"),
        ),
        _crawled,
    ),
    "quality_scores": SourceTable(
        (
            ("doc_id", "VARCHAR"),
            ("kind", "VARCHAR"),
            ("source", "VARCHAR"),
            ("title", "VARCHAR"),
            ("url", "VARCHAR"),
            ("content_hash", "VARCHAR"),
            ("words", "INTEGER"),
            ("heuristic", "DOUBLE"),
            ("judge_status", "VARCHAR"),
            ("judge_score", "DOUBLE"),
            ("judge_reason", "VARCHAR"),
            ("judge_model", "VARCHAR"),
            ("prompt_version", "VARCHAR"),
            ("mode", "VARCHAR"),
            ("quality", "DOUBLE"),
            ("scored_at", "TIMESTAMPTZ"),
        ),
        _scores,
    ),
}
