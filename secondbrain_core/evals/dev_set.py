"""The development retrieval set: questions about the shipped sample KB (PostgreSQL 15 notes).

Queries and graded judgments live in `benchmarks/retrieval/pgnotes/` (written by hand from the
notes, page ids of `sample_data/notes`); the corpus is the sample export itself, read by the
same `NotionExportSource` the pipeline ingests it with, so doc ids are exactly page ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from secondbrain_core.evals.beir import load_qrels, load_queries
from secondbrain_core.evals.metrics import Qrels
from secondbrain_core.evals.retrieval import RetrievalReport, evaluate_index, evaluate_pages
from secondbrain_core.incremental import input_key
from secondbrain_core.settings import REPO_ROOT, SAMPLE_SOURCE, Settings
from secondbrain_core.sources.page import Page
from secondbrain_core.sources.registry import open_source

DEV_SET_DIR = REPO_ROOT / "benchmarks" / "retrieval" / "pgnotes"


@dataclass
class DevSet:
    pages: list[Page]
    queries: dict[str, str]
    qrels: Qrels
    version: str  # hash of the queries and judgments: only runs on the same version compare


def sample_pages(settings: Settings, spec: str = SAMPLE_SOURCE) -> list[Page]:
    source = open_source(spec, settings)
    return [source.fetch_page(stub) for stub in source.list_pages()]


def load_dev_set(settings: Settings, folder: Path = DEV_SET_DIR, spec: str = SAMPLE_SOURCE) -> DevSet:
    """Queries and judgments from `folder`, pages from the source `spec` (the sample KB by default)."""
    pages = sample_pages(settings, spec)
    queries = load_queries(folder / "queries.jsonl")
    qrels = load_qrels(folder / "qrels.tsv", queries.keys(), {p.id for p in pages})
    digest = hashlib.sha256()
    for name in ("queries.jsonl", "qrels.tsv"):
        digest.update((folder / name).read_bytes())
    return DevSet(pages=pages, queries=queries, qrels=qrels, version=digest.hexdigest()[:12])


def holds_exactly(settings: Settings, pages: list[Page], spec: str) -> bool:
    """Whether the materialized index holds exactly `pages` of source `spec`: not another
    workspace, and not the sample filtered by quality or extended by the pages it links."""
    from secondbrain_core.rag.chunk_store import ChunkStore
    from secondbrain_core.rag.manifest import read_manifest
    from secondbrain_core.stores.mongo import open_database

    manifest = read_manifest(settings)
    if manifest is None or set(manifest.source_versions) != {spec}:
        return False
    indexed = ChunkStore(open_database(settings)).collection.distinct("page_id")
    # no chunk store: the index was built straight from the live pages (index_store), unfiltered
    return not indexed or set(indexed) == {p.id for p in pages}


def index_inputs(settings: Settings, pages: list[Page], spec: str) -> dict[str, object]:
    """What an evaluation over the dev corpus reads besides its questions: the pages (judged, and
    cited), and the materialized index when it holds exactly them (its manifest: embedder, counts,
    a digest of the chunk ids, which are content hashes; not when or where it was written), else
    nothing more: the pages are indexed in a temp home."""
    from secondbrain_core.rag.manifest import read_manifest

    inputs: dict[str, object] = {"pages": sorted(f"{p.id}:{p.content_hash}" for p in pages)}
    manifest = read_manifest(settings)
    if manifest is not None and holds_exactly(settings, pages, spec):
        inputs["index"] = manifest.model_dump(mode="json", exclude={"built_at", "generation"})
    return inputs


def evaluation_key(settings: Settings, folder: Path = DEV_SET_DIR, spec: str = SAMPLE_SOURCE) -> str:
    """The content key of `evaluate_dev_set` with these arguments (`incremental.py`)."""
    dev = load_dev_set(settings, folder, spec)
    return input_key(settings, evaluation="retrieval", dev_set=dev.version, **index_inputs(settings, dev.pages, spec))


@dataclass
class DevEvaluation:
    report: RetrievalReport
    version: str
    target: str  # "materialized index" or "temp index of the dev corpus"


def evaluate_dev_set(settings: Settings, folder: Path = DEV_SET_DIR, spec: str = SAMPLE_SOURCE) -> DevEvaluation:
    """Score the dev set on the user's index when it holds exactly the sample KB, else on a copy.

    The number must stay comparable from run to run: an index of other sources (a real
    workspace) holds none of the judged pages, or more pages competing for the top 10, so there
    we index the sample KB in a temp home with the same retrieval settings (embedder, context
    mode, chunking, fusion) and the score still tracks the code and settings, not the content.
    """
    from secondbrain_core.rag.manifest import read_manifest

    dev = load_dev_set(settings, folder, spec)
    manifest = read_manifest(settings)
    if manifest is not None and holds_exactly(settings, dev.pages, spec):
        report = evaluate_index(settings, dev.queries, dev.qrels)
        report.docs, report.chunks = len(dev.pages), manifest.counts.get("chunks", 0)
        return DevEvaluation(report=report, version=dev.version, target="materialized index")
    report = evaluate_pages(dev.pages, dev.queries, dev.qrels, settings)
    return DevEvaluation(report=report, version=dev.version, target="temp index of the dev corpus")
