"""Score one source's documents (the `quality_scores` asset, one partition), without Dagster.

Heuristics always; the judge when the mode needs it or when an OpenAI-compatible LLM is
configured (cheap enough to record beside the heuristic). The local 135M model is slow
(seconds per document) and agreed worse with the hand labels than the heuristic, so with the
default mode it is not called at all. Verdicts are cached by content hash, prompt version
and model: re-scoring unchanged documents costs no LLM call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel

from secondbrain_core.llm import llm_for
from secondbrain_core.llm.types import LLMClient
from secondbrain_core.quality.documents import Document, source_documents
from secondbrain_core.quality.heuristics import HEURISTIC_VERSION, HeuristicScore, duplicate_shares, score_markdown
from secondbrain_core.quality.judge import PROMPT_VERSION, Verdict, judge
from secondbrain_core.quality.store import QualityScore, QualityStore
from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database


class QualityReport(BaseModel):
    source: str
    documents: int
    notes: int
    crawled: int
    judged: int  # LLM calls made
    cached: int  # verdicts reused
    failed: int  # verdicts that failed (malformed answer, endpoint error)
    removed: int
    passed: int  # quality >= quality_threshold
    mode: str
    rows: list[QualityScore]


def uses_remote_llm(settings: Settings) -> bool:
    return bool(settings.openai_api_key or settings.openai_base_url)


def wants_judge(settings: Settings) -> bool:
    return settings.quality_mode != "heuristic" or uses_remote_llm(settings)


def combine(mode: str, heuristic: float, verdict: Verdict | None) -> float:
    """The score the filters compare; a missing or failed verdict falls back to the heuristic."""
    if mode == "heuristic" or verdict is None or verdict.score is None:
        return heuristic
    if mode == "judge":
        return verdict.score
    return round((heuristic + verdict.score) / 2, 4)


def heuristic_scores(documents: list[Document]) -> list[HeuristicScore]:
    """Each document's heuristic score; duplication is measured across the whole batch."""
    shares = duplicate_shares([d.markdown for d in documents])
    return [
        score_markdown(d.markdown, share, own_note=d.kind == "note") for d, share in zip(documents, shares, strict=True)
    ]


class CachedJudge:
    """The judge behind the verdict cache; counts calls, cache hits and failures."""

    def __init__(self, store: QualityStore, client_factory: Callable[[], LLMClient]) -> None:
        self.store = store
        self._factory = client_factory
        self._client: LLMClient | None = None
        self.judged = self.cached = self.failed = 0

    @property
    def client(self) -> LLMClient:
        if self._client is None:  # the local model loads only if something needs judging
            self._client = self._factory()
        return self._client

    def verdict(self, doc: Document, model: str) -> Verdict:
        cached = self.store.cached_verdict(doc.content_hash, PROMPT_VERSION, model)
        if cached is not None:
            self.cached += 1
            verdict = cached
        else:
            verdict = judge(self.client, doc.title, doc.markdown)
            self.judged += 1
            self.store.remember_verdict(doc.content_hash, verdict.model_copy(update={"model": model}))
        self.failed += verdict.status == "failed"
        return verdict


def judge_model_name(settings: Settings) -> str:
    """The cache key's model: the remote model name, or the local base model's."""
    if uses_remote_llm(settings):
        return settings.openai_model
    from secondbrain_core.llm.models import BASE_NAME

    return BASE_NAME


def score_documents(
    documents: list[Document],
    settings: Settings,
    store: QualityStore,
    client_factory: Callable[[], LLMClient] | None = None,
) -> tuple[list[QualityScore], CachedJudge]:
    """Scores for `documents` (one batch: duplication is judged within it)."""
    cached_judge = CachedJudge(store, client_factory or (lambda: llm_for(settings)))
    model = judge_model_name(settings)
    now = datetime.now(UTC)
    rows = []
    for doc, heuristic in zip(documents, heuristic_scores(documents), strict=True):
        verdict = cached_judge.verdict(doc, model) if wants_judge(settings) else None
        rows.append(
            QualityScore(
                doc_id=doc.doc_id,
                kind=doc.kind,
                source=doc.source,
                title=doc.title,
                url=doc.url,
                content_hash=doc.content_hash,
                words=heuristic.words,
                heuristic=heuristic.score,
                components=heuristic.components,
                heuristic_version=HEURISTIC_VERSION,
                judge_status=verdict.status if verdict else "skipped",
                judge_score=verdict.score if verdict else None,
                judge_reason=verdict.reason if verdict else "",
                judge_model=model if verdict else "",
                prompt_version=PROMPT_VERSION if verdict else "",
                mode=settings.quality_mode,
                quality=combine(settings.quality_mode, heuristic.score, verdict),
                scored_at=now,
            )
        )
    return rows, cached_judge


def score_source(
    source: str, settings: Settings, client_factory: Callable[[], LLMClient] | None = None
) -> QualityReport:
    """Score `source`'s live notes and the ok pages they link; replaces its rows in `quality_scores`."""
    db = open_database(settings)
    store = QualityStore(db)
    documents = source_documents(db, source)
    rows, cached_judge = score_documents(documents, settings, store, client_factory)
    removed = store.replace_source(source, rows)
    return QualityReport(
        source=source,
        documents=len(rows),
        notes=sum(1 for r in rows if r.kind == "note"),
        crawled=sum(1 for r in rows if r.kind == "crawled"),
        judged=cached_judge.judged,
        cached=cached_judge.cached,
        failed=cached_judge.failed,
        removed=removed,
        passed=sum(1 for r in rows if r.quality >= settings.quality_threshold),
        mode=settings.quality_mode,
        rows=rows,
    )
