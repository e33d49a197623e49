"""Index build throughput against the embedder's raw throughput on the same texts.

    python benchmarks/index_throughput.py            # the sample knowledge base

The embedder is the floor: the target is a full index build (chunking, context, embedding,
usearch, BM25, chunk table, manifest) within 1.5x the time of embedding the same chunk texts
alone. Both are measured in one run, after one untimed pass over the same texts (the model
loaded and its kernels built for these input shapes), in a temp home. With
the local rerank on (`SECONDBRAIN_LOCAL_RERANK=true`, off by default), the build also embeds
every chunk's sentences for the sentence store (`rag/sentence_store.py`); its seconds are
reported apart.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from secondbrain_core.rag.backend import EMBED_BATCH
from secondbrain_core.rag.embedders import Embedder, embedder_for
from secondbrain_core.rag.pipeline import build_chunks, sync_index
from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import SAMPLE_SOURCE, Settings
from secondbrain_core.sources.registry import open_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=SAMPLE_SOURCE, help="a source spec (default: the sample KB)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="secondbrain-throughput-") as tmp:
        settings = Settings(home=Path(tmp))
        apply_runtime_env(settings)
        source = open_source(args.source, settings)
        pages = [source.fetch_page(stub) for stub in source.list_pages()]
        embedder = embedder_for(settings)
        texts = [c.embedding_text for c in build_chunks(pages, settings)]
        embed_batches(texts, embedder)  # warm-up: bf16 kernels are built per input shape on first use

        started = time.perf_counter()
        report = sync_index(build_chunks(pages, settings), settings, embedder)
        seconds_index = time.perf_counter() - started

        started = time.perf_counter()
        embed_batches(texts, embedder)
        seconds_embed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                "pages": len(pages),
                "chunks": report.manifest.counts["chunks"],
                "index_seconds": round(seconds_index, 2),
                "of_which_sentence_store_seconds": report.seconds_sentences,
                "sentences": report.sentences_embedded,
                "raw_embedding_seconds": round(seconds_embed, 2),
                "index_chunks_per_s": round(len(texts) / seconds_index, 1),
                "raw_embedding_chunks_per_s": round(len(texts) / seconds_embed, 1),
                "ratio": round(seconds_index / seconds_embed, 3),
                "target_ratio": 1.5,
            }
        )
    )


def embed_batches(texts: list[str], embedder: Embedder) -> None:
    """`texts` through the embedder in the batches an index build sends."""
    for i in range(0, len(texts), EMBED_BATCH):
        embedder.embed_documents(texts[i : i + EMBED_BATCH])


if __name__ == "__main__":
    main()
