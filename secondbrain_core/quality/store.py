"""Quality scores in MongoDB: one row per (source, document), and the judge's verdict cache.

`quality_scores` is what the SQL models read: re-scoring a source replaces exactly its rows.
`quality_judgments` caches verdicts by (content hash, prompt version, model), so a document
whose content did not change is never sent to the judge again, whichever source it is in.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pymongo import ASCENDING, DeleteMany, ReplaceOne
from pymongo.database import Database

from secondbrain_core.quality.judge import Verdict
from secondbrain_core.records import parse_record

QUALITY_SCORES = "quality_scores"
JUDGMENTS = "quality_judgments"


class QualityScore(BaseModel):
    """The scores of one document as one source sees it; `quality` is what the filters compare."""

    doc_id: str
    kind: str
    source: str
    title: str
    url: str
    content_hash: str
    words: int
    heuristic: float
    components: dict[str, float]
    heuristic_version: str
    judge_status: str  # ok | failed | skipped
    judge_score: float | None
    judge_reason: str
    judge_model: str
    prompt_version: str
    mode: str
    quality: float
    scored_at: datetime


class QualityStore:
    def __init__(self, db: Database) -> None:
        self.scores = db[QUALITY_SCORES]
        self.judgments = db[JUDGMENTS]
        self.scores.create_index([("source", ASCENDING), ("doc_id", ASCENDING)], unique=True)
        self.judgments.create_index(
            [("content_hash", ASCENDING), ("prompt_version", ASCENDING), ("model", ASCENDING)], unique=True
        )

    def cached_verdict(self, content_hash: str, prompt_version: str, model: str) -> Verdict | None:
        doc = self.judgments.find_one(
            {"content_hash": content_hash, "prompt_version": prompt_version, "model": model}, {"_id": 0}
        )
        return parse_record(Verdict, _verdict_fields(doc), f"cached verdict {content_hash[:12]}") if doc else None

    def remember_verdict(self, content_hash: str, verdict: Verdict) -> None:
        key = {"content_hash": content_hash, "prompt_version": verdict.prompt_version, "model": verdict.model}
        self.judgments.replace_one(key, {**key, **verdict.model_dump()}, upsert=True)

    def replace_source(self, source: str, rows: list[QualityScore]) -> int:
        """Make `source`'s rows exactly `rows`; returns how many rows were removed."""
        keep = [r.doc_id for r in rows]
        ops: list = [
            ReplaceOne({"source": source, "doc_id": r.doc_id}, r.model_dump(mode="python"), upsert=True) for r in rows
        ]
        stale = self.scores.count_documents({"source": source, "doc_id": {"$nin": keep}})
        ops.append(DeleteMany({"source": source, "doc_id": {"$nin": keep}}))
        self.scores.bulk_write(ops, ordered=True)
        return stale

    def rows(self, source: str | None = None) -> list[QualityScore]:
        query = {"source": source} if source else {}
        cursor = self.scores.find(query, {"_id": 0}).sort([("source", ASCENDING), ("doc_id", ASCENDING)])
        return [parse_record(QualityScore, d, f"quality score of {d.get('doc_id')!r}") for d in cursor]


def _verdict_fields(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k in Verdict.model_fields}
