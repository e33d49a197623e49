"""Judged sets prepared once for offline retrieval experiments: chunks, their vectors, the queries'.

Chunking and context go through the product's own `build_chunks` (the defaults: structural
context, 256/32 tokens), and the vectors are the default embedder's, exactly what `sync_index`
would store; both are cached under `--cache` (a folder outside the repository) keyed by a hash
of the texts, so every ranker and fusion candidate is scored from the same vectors without
embedding a set twice. Dense search is exact (every chunk scored), as the index does below 20k
vectors, which every set here is.
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from build_python_faq import half_of

from secondbrain_core.evals.beir import BeirSet, load_beir
from secondbrain_core.evals.retrieval import corpus_pages
from secondbrain_core.rag.chunking import Chunk
from secondbrain_core.rag.embedders import Embedder, embedder_for
from secondbrain_core.rag.pipeline import build_chunks
from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import Settings

HALVES = ("tune", "test")
DEFAULT_CACHE = Path("/tmp/secondbrain-retrieval-cache")


@dataclass
class LabSet:
    """One set's chunks and vectors, its queries and their judgments split in halves."""

    name: str
    data: BeirSet
    chunks: list[Chunk]
    vectors: np.ndarray  # one row per chunk, unit length
    query_vectors: dict[str, np.ndarray]
    halves: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    @property
    def page_ids(self) -> list[str]:
        return [chunk.page_id for chunk in self.chunks]


def lab_arguments(description: str) -> argparse.ArgumentParser:
    """The options every lab-set harness takes: the set folders, the half, the vector cache."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("sets", type=Path, nargs="+", help="set folders (corpus/, queries.jsonl, qrels.tsv)")
    parser.add_argument("--half", choices=HALVES, default="tune")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where vectors are kept between runs")
    return parser


def open_lab_sets(args: argparse.Namespace) -> tuple[list[LabSet], Embedder]:
    """Every set of `lab_arguments`' `args`, with the default embedder (their cached vectors' own)."""
    settings = Settings()
    apply_runtime_env(settings)
    embedder = embedder_for(settings)
    return [load_lab_set(folder, settings, embedder, args.cache) for folder in args.sets], embedder


def load_lab_set(folder: Path, settings: Settings, embedder: Embedder, cache: Path) -> LabSet:
    """`folder` holds corpus/, queries.jsonl and qrels.tsv (halves split here when it has none)."""
    data = load_beir(folder / "corpus", folder / "queries.jsonl", folder / "qrels.tsv")
    chunks = build_chunks(corpus_pages(data, f"eval:{folder.name}"), settings)
    texts = [chunk.embedding_text for chunk in chunks]
    vectors = _cached(cache, folder.name, "chunks", texts, embedder.embed_documents)
    judged = [qid for qid in data.queries if qid in data.qrels]
    rows = _cached(
        cache,
        folder.name,
        "queries",
        [data.queries[q] for q in judged],
        lambda qs: np.vstack([embedder.embed_query(q) for q in qs]),
    )
    halves = {half: {q: data.qrels[q] for q in judged if half_of(q) == half} for half in HALVES}
    return LabSet(folder.name, data, chunks, vectors, dict(zip(judged, rows, strict=True)), halves)


def _cached(cache: Path, name: str, kind: str, texts: list[str], embed) -> np.ndarray:
    digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    path = cache / f"{name}-{kind}-{digest}.npy"
    if path.exists():
        return np.load(path)
    cache.mkdir(parents=True, exist_ok=True)
    vectors = np.vstack([embed(texts[i : i + 256]) for i in range(0, len(texts), 256)]).astype(np.float32)
    np.save(path, vectors)
    return vectors


class CachedEmbedder:
    """The embedder, answering from a set's cached vectors where it has them.

    Lets the product's own path (`evaluate_pages`: chunk, index, `Retriever`) be scored on a
    set without embedding it again; a text not in the cache is embedded by the real model."""

    def __init__(self, inner: Embedder, lab: LabSet) -> None:
        self._inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self._documents = {chunk.embedding_text: row for chunk, row in zip(lab.chunks, lab.vectors, strict=True)}
        self._queries = {lab.data.queries[qid]: row for qid, row in lab.query_vectors.items()}

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._documents]
        if missing:
            self._documents.update(zip(missing, self._inner.embed_documents(missing), strict=True))
        return np.vstack([self._documents[t] for t in texts]) if texts else self._inner.embed_documents([])

    def embed_query(self, text: str) -> np.ndarray:
        if text not in self._queries:
            self._queries[text] = self._inner.embed_query(text)
        return self._queries[text]

    def embed_short(self, texts: list[str]) -> np.ndarray:
        return self._inner.embed_short(texts)
