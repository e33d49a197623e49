"""Search-path latency at 100k chunks: hybrid (and bm25/dense) p50/p95, query embedding included.

The corpus is synthetic — 100k chunks of Zipf-distributed words in sentences of
`WORDS_PER_SENTENCE`, with clustered random unit vectors for the chunks and their sentences —
because embedding 100k real chunks with MiniLM takes far longer than the question needs; the
index is built by the real `sync_index` (chunk table, BM25, usearch, and with `--local-rerank`
the sentence store) and searched by the real `Retriever`, with real MiniLM embedding of each
query, one query at a time. `--local-rerank` also times hybrid with `SECONDBRAIN_LOCAL_RERANK`
on, reading the stored sentence vectors (`rag/sentence_store.py`), and reports the store's size.

Usage:
    python benchmarks/query_latency.py --chunks 100000 --queries 200 [--local-rerank]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from secondbrain_core.rag.chunking import Chunk, chunk_id_for
from secondbrain_core.rag.embedders import embedder_for
from secondbrain_core.rag.manifest import files_dir, read_manifest
from secondbrain_core.rag.pipeline import sync_index
from secondbrain_core.rag.search import MODES, Retriever
from secondbrain_core.rag.sentence_store import ROWS_FILE, VECTORS_FILE, SentenceStore
from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import Settings

DIM = 384
VOCABULARY = 30_000
WORDS_PER_CHUNK = 120
WORDS_PER_SENTENCE = 12  # 10 sentences a chunk, about what a real ~256-token chunk has


class PrecomputedEmbedder:
    """Stands in for MiniLM at build time only: clustered random unit vectors, same name/dimension."""

    name = "minilm"
    dimension = DIM

    def __init__(self, seed: int = 0) -> None:
        self._rng = np.random.default_rng(seed)
        self._centres = self._rng.standard_normal((1000, DIM)).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        labels = self._rng.integers(0, len(self._centres), len(texts))
        vectors = self._centres[labels] + 0.6 * self._rng.standard_normal((len(texts), DIM)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed_short(self, texts: list[str]) -> np.ndarray:
        """The sentence store's vectors at build time: the same clustered random unit vectors."""
        return self.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        raise NotImplementedError("queries use the real MiniLM")


def synthetic_chunks(n: int, rng: np.random.Generator) -> tuple[list[Chunk], list[str]]:
    words = np.array([f"w{i}" for i in range(VOCABULARY)])
    ranks = np.minimum(rng.zipf(1.2, size=(n, WORDS_PER_CHUNK)), VOCABULARY) - 1
    edited = datetime(2024, 1, 1, tzinfo=UTC).isoformat()
    chunks = []
    for i in range(n):
        row = words[ranks[i]]
        text = " ".join(
            " ".join(row[j : j + WORDS_PER_SENTENCE]) + "." for j in range(0, WORDS_PER_CHUNK, WORDS_PER_SENTENCE)
        )
        page_id = f"page{i // 8}"
        chunks.append(
            Chunk(
                chunk_id=chunk_id_for(page_id, [], text, "", i),
                page_id=page_id,
                source="synthetic",
                title=f"Page {i // 8}",
                url="",
                heading_path=[],
                position=i % 8,
                text=text,
                metadata={"source": "synthetic", "tags": [], "last_edited_time": edited},
            )
        )
    queries = [" ".join(words[rng.integers(0, 2000, 4)]) for _ in range(1000)]
    return chunks, queries


def percentiles(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(float(np.percentile(samples, 50)), 2),
        "p95_ms": round(float(np.percentile(samples, 95)), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--local-rerank",
        action="store_true",
        help="build the sentence store and also time hybrid with the local rerank reading it",
    )
    parser.add_argument(
        "--home",
        type=Path,
        help="keep the built index in this folder and reuse it when it already holds one of --chunks chunks",
    )
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(home=args.home or Path(scratch), context_mode="none", local_rerank=args.local_rerank)
        apply_runtime_env(settings)
        chunks, queries = synthetic_chunks(args.chunks, rng)
        build: dict[str, float] | None = None
        manifest = read_manifest(settings)
        if manifest is None or manifest.counts.get("chunks") != args.chunks:
            started = time.perf_counter()
            report = sync_index(chunks, settings, PrecomputedEmbedder())
            seconds = time.perf_counter() - started - report.seconds_embedding
            build = {
                "index_build_s_without_embedding": round(seconds, 1),
                "of_which_sentence_store_s": report.seconds_sentences,
            }

        embedder = embedder_for(settings)
        retriever = Retriever(settings.model_copy(update={"local_rerank": False}), embedder)
        reranking = Retriever(settings, embedder) if args.local_rerank else None
        for query in queries[:20]:
            retriever.search(query, mode="hybrid")  # load the model, warm caches
            if reranking is not None:
                reranking.search(query, mode="hybrid")

        # modes interleaved per query, so a burst of load on the shared box hits all alike
        names = ("query_embedding", *MODES, *(["hybrid+local_rerank"] if args.local_rerank else []))
        samples: dict[str, list[float]] = {name: [] for name in names}
        for query in queries[: args.queries]:
            t0 = time.perf_counter()
            embedder.embed_query(query)
            samples["query_embedding"].append((time.perf_counter() - t0) * 1000)
            for mode in MODES:
                t0 = time.perf_counter()
                retriever.search(query, mode=mode, k=10)
                samples[mode].append((time.perf_counter() - t0) * 1000)
            if reranking is not None:
                t0 = time.perf_counter()
                reranking.search(query, mode="hybrid", k=10)
                samples["hybrid+local_rerank"].append((time.perf_counter() - t0) * 1000)
        results = {name: percentiles(values) for name, values in samples.items()}
        store = sentence_store_size(settings) if args.local_rerank else None
    print(
        json.dumps(
            {
                "chunks": args.chunks,
                "cpus": os.cpu_count(),
                "build": build,
                "sentence_store": store,
                "load_average": os.getloadavg(),
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "latency": results,
            },
            indent=2,
        )
    )


def sentence_store_size(settings: Settings) -> dict[str, float]:
    """Sentences stored and the bytes of the current generation's sentence files (memory-mapped
    by a search: resident only where candidates' rows were read)."""
    directory = files_dir(settings, read_manifest(settings))
    store = SentenceStore.load(directory)
    return {
        "chunks": len(store),
        "sentences": len(store.vectors),
        "disk_mb": round(sum((directory / name).stat().st_size for name in (ROWS_FILE, VECTORS_FILE)) / 2**20, 1),
    }


if __name__ == "__main__":
    main()
