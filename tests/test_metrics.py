"""Ranking metrics against values worked out by hand (log2(2)=1, log2(3)=1.585, log2(4)=2)."""

from __future__ import annotations

import math

import pytest

from secondbrain_core.evals.metrics import evaluate_run, mrr_at_k, ndcg_at_k, recall_at_k

JUDGED = {"a": 2, "b": 1, "c": 0}


def test_ndcg_perfect_ranking_is_one() -> None:
    assert ndcg_at_k(["a", "b", "x"], JUDGED, 10) == pytest.approx(1.0)


def test_ndcg_swapped_grades_by_hand() -> None:
    # DCG = 1/1 + 2/log2(3); IDCG = 2/1 + 1/log2(3)
    expected = (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
    assert ndcg_at_k(["b", "a"], JUDGED, 10) == pytest.approx(expected)
    assert ndcg_at_k(["b", "a"], JUDGED, 10) == pytest.approx(0.8597, abs=1e-4)


def test_ndcg_ideal_comes_from_qrels_not_run() -> None:
    # only "a" retrieved, at rank 2: DCG = 2/log2(3) = 1.2619; IDCG = 2 + 1/log2(3) = 2.6309
    assert ndcg_at_k(["x", "a"], JUDGED, 10) == pytest.approx(1.2619 / 2.6309, abs=1e-4)


def test_ndcg_cutoff_drops_lower_ranks() -> None:
    # k=1: IDCG = 2; the run's first doc is non-relevant
    assert ndcg_at_k(["x", "a"], JUDGED, 1) == 0.0
    assert ndcg_at_k(["b", "a"], JUDGED, 1) == pytest.approx(0.5)


def test_ndcg_zero_grade_and_no_relevant() -> None:
    assert ndcg_at_k(["c"], JUDGED, 10) == 0.0
    assert ndcg_at_k(["c"], {"c": 0}, 10) == 0.0


def test_recall_counts_only_positive_grades() -> None:
    assert recall_at_k(["a", "c", "x"], JUDGED, 10) == pytest.approx(0.5)
    assert recall_at_k(["x", "b", "a"], JUDGED, 2) == pytest.approx(0.5)
    assert recall_at_k(["x", "b", "a"], JUDGED, 3) == pytest.approx(1.0)


def test_mrr_first_relevant_rank() -> None:
    assert mrr_at_k(["x", "c", "b", "a"], JUDGED, 10) == pytest.approx(1 / 3)
    assert mrr_at_k(["x", "c", "b"], JUDGED, 2) == 0.0


def test_evaluate_run_means_over_judged_queries() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 2}, "q3": {"z": 0}}
    run = {"q1": ["a"], "q2": ["x", "b"], "unjudged": ["a"]}
    scores = evaluate_run(run, qrels, ["ndcg@10", "recall@1", "mrr@10"])
    # q3 has no relevant doc and is left out; q2 finds "b" at rank 2
    assert scores["ndcg@10"] == pytest.approx((1 + 1 / math.log2(3)) / 2)
    assert scores["recall@1"] == pytest.approx(0.5)
    assert scores["mrr@10"] == pytest.approx(0.75)


def test_evaluate_run_missing_query_scores_zero() -> None:
    assert evaluate_run({}, {"q1": {"a": 1}}, ["mrr@10"]) == {"mrr@10": 0.0}


def test_unknown_metric_is_rejected() -> None:
    with pytest.raises(ValueError, match="map@10"):
        evaluate_run({}, {}, ["map@10"])
