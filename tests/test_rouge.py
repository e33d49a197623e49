"""ROUGE (the `rouge-score` package, stemmed) against values worked out by hand."""

from __future__ import annotations

import pytest

from secondbrain_core.evals.rouge import lcs_length, rouge_l, rouge_n, rouge_scores, tokenize

CAND = "the cat sat on the mat"
REF = "the cat lay on the mat"


def test_tokenize_lowercases_drops_punctuation_and_stems() -> None:
    assert tokenize("The Cat, sat! Café-42") == ["the", "cat", "sat", "caf", "42"]
    assert tokenize("Running indexes") == ["run", "index"]


def test_stemming_matches_word_forms() -> None:
    # published ROUGE uses the Porter stemmer: "creates tables" and "create table" match fully
    assert rouge_scores("creates tables", "create table")["rougeL"] == pytest.approx(1.0)


def test_rouge1_counts_clipped_unigram_overlap() -> None:
    # unigrams: the×2 cat on mat match, sat≠lay → 5 of 6 each way
    score = rouge_n(CAND, REF, 1)
    assert score.precision == pytest.approx(5 / 6)
    assert score.recall == pytest.approx(5 / 6)
    assert score.f1 == pytest.approx(5 / 6)


def test_rouge2_bigrams() -> None:
    # cand bigrams: the-cat cat-sat sat-on on-the the-mat; ref shares the-cat, on-the, the-mat → 3/5
    assert rouge_n(CAND, REF, 2).f1 == pytest.approx(3 / 5)


def test_clipping_repeated_words() -> None:
    # candidate "the the the" vs reference "the cat": only one "the" may match → P=1/3, R=1/2
    score = rouge_n("the the the", "the cat", 1)
    assert score.precision == pytest.approx(1 / 3)
    assert score.recall == pytest.approx(1 / 2)
    assert score.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))


def test_lcs_and_rouge_l() -> None:
    assert lcs_length(list("abcbdab"), list("bdcaba")) == 4  # the textbook example
    # LCS of "a b c d e" and "a c e f": a c e → P=3/5, R=3/4
    score = rouge_l("a b c d e", "a c e f")
    assert score.precision == pytest.approx(3 / 5)
    assert score.recall == pytest.approx(3 / 4)
    assert score.f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)


def test_empty_and_identical() -> None:
    assert rouge_scores("", "anything here") == {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    assert rouge_scores(REF, REF) == {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}
