"""Sentence vectors stored at index time for the local rerank (`rag/sentence_store.py`): they are
the vectors the query-time rerank would embed, an incremental build embeds only new chunks'
sentences and drops removed ones, an index without them reranks the same by embedding, and a
build that dies leaves the previous generation's store readable."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hash_embedder import HashEmbedder

from secondbrain_core.rag.chunk_table import chunk_key
from secondbrain_core.rag.chunking import Chunk
from secondbrain_core.rag.embedders import embedder_for
from secondbrain_core.rag.local_index import LocalIndex
from secondbrain_core.rag.manifest import files_dir, read_manifest
from secondbrain_core.rag.pipeline import build_chunks, sync_index
from secondbrain_core.rag.rerank import sentences
from secondbrain_core.rag.search import Retriever, SearchHit
from secondbrain_core.rag.sentence_store import ROWS_FILE, VECTORS_FILE, SentenceStore
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page

NOTES = {
    "cats": "Cats sleep sixteen hours a day. Feed them twice a day. They purr on the windowsill.",
    "tables": "Tables live in files on disk. Disk pages hold the rows of a table. "
    "Indexes speed up reads of disk tables.",
    "vacuum": "Backups matter. Rotate the logs weekly. VACUUM FULL gives space back to the operating system.",
    "garden": "Water tomato plants deeply. Disk harrows break up the soil.",
    "backup": "Test a restore of the disk image every month. Keep one copy off site.",
}


class CountingEmbedder(HashEmbedder):
    """HashEmbedder that records every text `embed_short` is given, and can fail there."""

    def __init__(self) -> None:
        self.short: list[str] = []
        self.fail = False

    def embed_short(self, texts: list[str]) -> np.ndarray:
        if self.fail:
            raise RuntimeError("embedder died mid-build")
        self.short.extend(texts)
        return self.embed_documents(texts)


def pages(notes: dict[str, str]) -> list[Page]:
    edited = datetime(2024, 1, 1, tzinfo=UTC)
    return [
        Page(id=pid, source="notes", title=pid, url="", markdown=text, last_edited_time=edited)
        for pid, text in notes.items()
    ]


def store(settings: Settings) -> SentenceStore | None:
    return SentenceStore.load(files_dir(settings, read_manifest(settings)))


def ids(hits: list[SearchHit]) -> list[str]:
    """The order of hits; their reranked scores move in the third decimal with float16 vectors."""
    return [hit.chunk_id for hit in hits]


def by_key(chunks: list[Chunk]) -> dict[int, Chunk]:
    return {chunk_key(c.chunk_id): c for c in chunks}


@pytest.fixture
def reranking(settings: Settings) -> Settings:
    settings.local_rerank = True
    return settings


def test_stored_vectors_are_the_query_time_ones_and_rerank_the_same_without_them(reranking: Settings) -> None:
    embedder = embedder_for(reranking)  # the real MiniLM: float16 must not move its order
    chunks = build_chunks(pages(NOTES), reranking)
    report = sync_index(chunks, reranking, embedder)
    kept = store(reranking)
    assert kept is not None and report.sentences_embedded == len(kept.vectors)
    for key, chunk in by_key(chunks).items():
        [rows] = kept.matrices([key])
        assert np.abs(rows - embedder.embed_short(sentences(chunk.text))).max() < 2e-3

    queries = ("give space back", "break up soil", "reads of tables")  # each reordered by the rerank
    retriever = Retriever(reranking, embedder)
    with_store = [ids(retriever.search(q, mode="hybrid", k=5)) for q in queries]
    generation = files_dir(reranking, read_manifest(reranking))
    (generation / ROWS_FILE).unlink()  # an index built before the store existed
    (generation / VECTORS_FILE).unlink()
    fallback = Retriever(reranking, embedder)
    assert fallback._backend.sentence_vectors([next(iter(by_key(chunks)))]) is None
    assert [ids(fallback.search(q, mode="hybrid", k=5)) for q in queries] == with_store
    reranking.local_rerank = False
    unranked = [ids(fallback.search(q, mode="hybrid", k=5)) for q in queries]
    assert all(a != b for a, b in zip(unranked, with_store, strict=True))  # the rerank did reorder each


def test_incremental_build_embeds_only_new_chunks_and_drops_removed_ones(reranking: Settings) -> None:
    embedder = CountingEmbedder()
    first = build_chunks(pages(NOTES), reranking)
    sync_index(first, reranking, embedder)
    assert sorted(embedder.short) == sorted(s for c in first for s in sentences(c.text))
    before = store(reranking)

    edited = {k: v for k, v in NOTES.items() if k != "garden"} | {"bikes": "Oil the chain. Pump the tyres weekly."}
    second = build_chunks(pages(edited), reranking)
    embedder.short.clear()
    report = sync_index(second, reranking, embedder)
    added = [c for c in second if c.page_id == "bikes"]
    assert embedder.short == [s for c in added for s in sentences(c.text)]
    assert report.sentences_embedded == len(embedder.short)

    after = store(reranking)
    assert sorted(after.rows[:, 0].tolist()) == sorted(by_key(second))
    gone = [key for key, c in by_key(first).items() if c.page_id == "garden"]
    assert after.matrices(gone) is None
    kept = [key for key, c in by_key(second).items() if c.page_id != "bikes"]
    assert all(np.array_equal(a, b) for a, b in zip(after.matrices(kept), before.matrices(kept), strict=True))
    index = LocalIndex(reranking)
    index.refresh()
    assert [len(m) for m in index.sentence_vectors(list(by_key(second)))] == [len(sentences(c.text)) for c in second]


def test_no_store_with_the_rerank_off_and_the_next_build_with_it_on_fills_it(settings: Settings) -> None:
    settings.local_rerank = False
    embedder = CountingEmbedder()
    chunks = build_chunks(pages(NOTES), settings)
    sync_index(chunks, settings, embedder)
    assert store(settings) is None and embedder.short == []

    settings.local_rerank = True
    sync_index(chunks, settings, embedder)  # same chunks: nothing re-embedded but their sentences
    assert len(store(settings)) == len(chunks)
    assert sorted(embedder.short) == sorted(s for c in chunks for s in sentences(c.text))


def test_a_build_dying_mid_store_leaves_the_previous_generation_readable(reranking: Settings) -> None:
    embedder = CountingEmbedder()
    first = build_chunks(pages(NOTES), reranking)
    sync_index(first, reranking, embedder)
    retriever = Retriever(reranking, embedder)
    expected = retriever.search("disk space", mode="hybrid", k=5)

    embedder.fail = True
    with pytest.raises(RuntimeError, match="died"):
        sync_index(build_chunks(pages(NOTES | {"bikes": "Oil the chain."}), reranking), reranking, embedder)
    assert read_manifest(reranking).counts["chunks"] == len(first)
    assert len(store(reranking)) == len(first)
    assert Retriever(reranking, embedder).search("disk space", mode="hybrid", k=5) == expected
    assert expected == sorted(expected, key=lambda hit: -hit.score)  # scored as reranked
