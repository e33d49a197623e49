"""The local (best-sentence) rerank's parts against hand-computed cases: sentence split, best
sentence per candidate, the z-score combination with the fused order; and the whole of it on MiniLM."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from secondbrain_core.rag.embedders import embedder_for
from secondbrain_core.rag.pipeline import build_chunks, sync_index
from secondbrain_core.rag.rerank import (
    LOCAL_RERANK_DEPTH,
    MAX_SENTENCES,
    best_sentence_scores,
    local_rerank,
    sentence_rerank_order,
    sentences,
)
from secondbrain_core.rag.search import Retriever, SearchHit
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page


def test_sentences_split_on_ends_and_lines_and_fall_back_to_the_text() -> None:
    assert sentences("First one. Second?\nThird line\n\nok") == ["First one.", "Second?", "Third line"]
    assert sentences("a") == ["a"]  # nothing of three characters: the text itself
    assert len(sentences(". ".join(f"s{i:03d}" for i in range(100)))) == MAX_SENTENCES


def test_best_sentence_is_the_highest_cosine_and_an_empty_candidate_scores_zero() -> None:
    query = np.array([1.0, 0.0])
    rows = [np.array([[0.0, 1.0], [0.6, 0.8]]), np.zeros((0, 2)), np.array([[1.0, 0.0]])]
    assert best_sentence_scores(query, rows) == [0.6, 0.0, 1.0]


def test_rerank_order_adds_the_weighted_sentence_z_to_the_fused_z() -> None:
    fused = [3.0, 2.0, 1.0]  # z: 1.2247, 0, -1.2247
    best = [0.1, 0.1, 0.9]  # z: -0.7071, -0.7071, 1.4142
    assert sentence_rerank_order(fused, best, 0.0) == [0, 1, 2]
    # weight 0.5: 0.871, -0.354, -0.518 -> fused order kept
    assert sentence_rerank_order(fused, best, 0.5) == [0, 1, 2]
    # weight 2: -0.19, -1.41, 1.60 -> the third rises to first, the first stays above the second
    assert sentence_rerank_order(fused, best, 2.0) == [2, 0, 1]


def test_rerank_ties_keep_the_fused_order_and_no_candidates_is_no_order() -> None:
    assert sentence_rerank_order([1.0, 1.0, 1.0], [0.5, 0.5, 0.5], 1.0) == [0, 1, 2]
    assert sentence_rerank_order([], [], 1.0) == []


def test_local_rerank_lifts_the_hit_whose_one_sentence_answers(settings: Settings) -> None:
    embedder = embedder_for(settings)  # the real MiniLM: the point is what its sentence vectors say
    hit = {"page_id": "p", "title": "t", "url": "", "chunk_id": "c"}
    about = SearchHit(text="Tables live in files. Indexes speed up reads of those tables.", score=2.0, **hit)
    answer = SearchHit(text="Backups matter. VACUUM FULL gives disk space back to the system.", score=1.0, **hit)
    query = embedder.embed_query("reclaim disk space")
    # compared by text: the reranked hits carry the rerank's score
    assert [h.text for h in local_rerank(query, [about, answer], embedder, weight=2.0)] == [answer.text, about.text]
    assert [h.text for h in local_rerank(query, [about, answer], embedder, weight=0.0)] == [about.text, answer.text]


def test_the_setting_reranks_hybrid_search_and_leaves_other_modes(settings: Settings) -> None:
    embedder = embedder_for(settings)
    notes = {
        "cats": "Cats sleep sixteen hours a day. Feed them twice a day.",
        "disk": "Tables live in files. VACUUM FULL gives disk space back to the system.",
        "backup": "Backups matter. Test a restore of the disk image every month.",
        "garden": "Water tomato plants deeply. Disk harrows break up the soil.",
    }
    edited = datetime(2024, 1, 1, tzinfo=UTC)
    pages = [
        Page(id=pid, source="notes", title=pid, url="", markdown=text, last_edited_time=edited)
        for pid, text in notes.items()
    ]
    sync_index(build_chunks(pages, settings), settings, embedder)
    retriever = Retriever(settings, embedder)
    query = "reclaim disk space"
    settings.local_rerank = False  # the fused order the rerank starts from
    fused = retriever.search(query, mode="hybrid", k=50)
    bm25 = retriever.search(query, mode="bm25", k=4)

    settings.local_rerank, settings.local_rerank_weight = True, 2.0
    expected = local_rerank(embedder.embed_query(query), fused[:LOCAL_RERANK_DEPTH], embedder, 2.0)
    reranked = retriever.search(query, mode="hybrid", k=3)  # from the sentence vectors the index stored
    assert [h.chunk_id for h in reranked] == [h.chunk_id for h in expected[:3]]
    assert [h.score for h in reranked] == pytest.approx([h.score for h in expected[:3]], abs=1e-3)  # float16
    assert retriever.search(query, mode="bm25", k=4) == bm25
