"""Score the retrieval stack (bm25, dense, hybrid) on a BEIR-style set, doc-level.

The set's notes go through the product's own chunker, context step and index, in a throw-away
home, so the number measures what `secondbrain search` would return and the user's index is
never touched. Judgments are per document (page), while the index returns chunks: a page ranks
where its best chunk ranks, and we ask for enough chunks to fill 100 distinct pages (Recall@100).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.evals.beir import BeirSet
from secondbrain_core.evals.metrics import DEFAULT_CUTOFFS, Qrels, evaluate_run
from secondbrain_core.rag.embedders import Embedder, embedder_for
from secondbrain_core.rag.modes import MODES
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page
from secondbrain_core.stores.local_mongo import temporary_home

RERANK = "rerank"  # hybrid reordered by the reranker; reported only with SECONDBRAIN_RERANK on
DOC_DEPTH = 100  # distinct pages ranked per query: the deepest cutoff reported (recall@100)
FIRST_CHUNK_DEPTH = 200
MAX_CHUNK_DEPTH = 200 * 2**6  # a page with thousands of chunks must not make one query unbounded
# Notes of an eval set carry no edit time; a fixed one keeps their content hashes stable.
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class RetrievalReport:
    """Mean metrics per mode plus where the time went; `as_json` is the CLI's contract."""

    metrics: dict[str, dict[str, float]]
    seconds_index: float
    seconds_query: float
    docs: int
    chunks: int
    queries: int
    context_mode: str
    embedder: str
    runs: dict[str, dict[str, list[str]]] = field(default_factory=dict, repr=False)

    def as_json(self) -> dict:
        rounded = {mode: {k: round(v, 4) for k, v in scores.items()} for mode, scores in self.metrics.items()}
        return {**rounded, "seconds": {"index": round(self.seconds_index, 2), "query": round(self.seconds_query, 2)}}

    def as_text(self) -> str:
        names = list(DEFAULT_CUTOFFS)
        lines = [
            f"{self.queries} queries, {self.docs} docs, {self.chunks} chunks "
            f"(context {self.context_mode}, embedder {self.embedder})",
            "mode     " + "  ".join(f"{n:>10}" for n in names),
        ]
        for mode, scores in self.metrics.items():
            lines.append(f"{mode:<8} " + "  ".join(f"{scores[n]:>10.4f}" for n in names))
        lines.append(f"index {self.seconds_index:.1f}s, queries {self.seconds_query:.1f}s")
        return "\n".join(lines)


def parse_modes(text: str) -> list[str]:
    modes = [m.strip() for m in text.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise SecondBrainError(f"--modes {text!r}: use a comma list of {', '.join(MODES)}")
    return modes


def corpus_pages(data: BeirSet, source: str) -> list[Page]:
    """The set's notes as pages, so they take the same path as ingested Notion pages."""
    return [
        Page(id=doc.id, source=source, title=doc.title, markdown=doc.text, last_edited_time=EPOCH)
        for doc in data.corpus.values()
    ]


def rank_docs(page_ids: Sequence[str], depth: int = DOC_DEPTH) -> list[str]:
    """Chunk hits (best first) → distinct pages, each at the rank of its best chunk."""
    ranked: list[str] = []
    seen: set[str] = set()
    for page_id in page_ids:
        if page_id not in seen:
            seen.add(page_id)
            ranked.append(page_id)
            if len(ranked) == depth:
                break
    return ranked


def evaluate_retrieval(
    data: BeirSet,
    settings: Settings,
    modes: Sequence[str] = MODES,
    home: Path | None = None,
    embedder: Embedder | None = None,
) -> RetrievalReport:
    """Index a BEIR-style set's notes in `home` (a fresh temp dir by default) and score each mode."""
    pages = corpus_pages(data, source="eval:beir")
    return evaluate_pages(pages, data.queries, data.qrels, settings, modes, home, embedder)


def evaluate_pages(
    pages: list[Page],
    queries: dict[str, str],
    qrels: Qrels,
    settings: Settings,
    modes: Sequence[str] = MODES,
    home: Path | None = None,
    embedder: Embedder | None = None,
) -> RetrievalReport:
    """Index `pages` with the caller's retrieval settings in a private home, then score.

    One embedder serves indexing and querying (pass one in to reuse a loaded model).
    """
    if home is None:
        with temporary_home(prefix="secondbrain-eval-") as tmp:
            return evaluate_pages(pages, queries, qrels, settings, modes, tmp, embedder)
    from secondbrain_core.rag.pipeline import build_chunks, sync_index

    local = eval_settings(settings, home)
    embedder = embedder or embedder_for(local)
    started = time.perf_counter()
    chunks = build_chunks(pages, local)
    sync_index(chunks, local, embedder)
    seconds_index = time.perf_counter() - started
    report = evaluate_index(local, queries, qrels, modes, embedder)
    report.seconds_index, report.docs, report.chunks = seconds_index, len(pages), len(chunks)
    return report


def eval_settings(settings: Settings, home: Path) -> Settings:
    """The caller's settings (embedder, context mode, chunking) pointed at a private home.

    The MongoDB database gets its own name so an index kept in the document store never
    mixes with the user's collections.
    """
    return settings.model_copy(update={"home": home, "mongodb_database": f"{settings.mongodb_database}_eval"})


def evaluate_index(
    settings: Settings,
    queries: dict[str, str],
    qrels: Qrels,
    modes: Sequence[str] = MODES,
    embedder: Embedder | None = None,
) -> RetrievalReport:
    """Score the index that `settings` point at (already built) on the judged queries."""
    from secondbrain_core.rag.context import resolve_mode
    from secondbrain_core.rag.search import Retriever

    retriever = Retriever(settings, embedder)
    judged = {qid: text for qid, text in queries.items() if qid in qrels}
    runs: dict[str, dict[str, list[str]]] = {}
    started = time.perf_counter()
    # with SECONDBRAIN_RERANK on, the three modes are scored as they rank and "rerank" (hybrid
    # reordered by the reranker) is scored beside them, so its gain is visible, never mixed in
    for mode in [*modes, RERANK] if settings.rerank else modes:
        runs[mode] = {qid: _search_docs(retriever, text, mode) for qid, text in judged.items()}
    return RetrievalReport(
        metrics={mode: evaluate_run(run, qrels) for mode, run in runs.items()},
        seconds_index=0.0,
        seconds_query=time.perf_counter() - started,
        docs=len({doc for ranked in runs.get(modes[0], {}).values() for doc in ranked}),
        chunks=0,
        queries=len(judged),
        context_mode=resolve_mode(settings),
        embedder=settings.embedder,
        runs=runs,
    )


def _search_docs(retriever, query: str, mode: str) -> list[str]:
    """Ask for more chunks until 100 distinct pages are ranked or the index runs out."""
    depth = FIRST_CHUNK_DEPTH
    reranked = mode == RERANK
    while True:
        hits = retriever.search(query, mode="hybrid" if reranked else mode, k=depth, rerank=reranked)
        ranked = rank_docs([hit.page_id for hit in hits])
        if len(ranked) >= DOC_DEPTH or len(hits) < depth or depth >= MAX_CHUNK_DEPTH:
            return ranked
        depth *= 2
