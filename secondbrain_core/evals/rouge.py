"""ROUGE-1, ROUGE-2 and ROUGE-L F1 from the `rouge-score` package, with the Porter stemmer.

Published figures (the course's, papers') use `rouge_score.RougeScorer(..., use_stemmer=True)`,
so ours do too and compare with theirs. Its tokenizer lowercases, keeps runs of ASCII letters
and digits (non-Latin text tokenizes to nothing and scores 0) and stems words longer than three
letters. ROUGE-L is the sentence-level variant (`rougeL`, one LCS over the whole text), not
`rougeLsum`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache

from rouge_score import rouge_scorer, tokenizers

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


@cache
def _scorer() -> rouge_scorer.RougeScorer:
    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)


@cache
def _tokenizer() -> tokenizers.DefaultTokenizer:
    return tokenizers.DefaultTokenizer(use_stemmer=True)


def tokenize(text: str) -> list[str]:
    """The tokens ROUGE compares: lowercased, ASCII alphanumeric, stemmed."""
    return _tokenizer().tokenize(text)


def ngrams(tokens: list[str], n: int) -> Counter:
    return rouge_scorer._create_ngrams(tokens, n)


def _as_score(score) -> Score:
    return Score(score.precision, score.recall, score.fmeasure)


def rouge_n(candidate: str, reference: str, n: int) -> Score:
    """Clipped n-gram overlap: each reference n-gram matches at most as often as it occurs."""
    return _as_score(rouge_scorer._score_ngrams(ngrams(tokenize(reference), n), ngrams(tokenize(candidate), n)))


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence of two token lists."""
    return rouge_scorer._lcs_table(a, b)[-1][-1]


def rouge_l(candidate: str, reference: str) -> Score:
    return _as_score(rouge_scorer._score_lcs(tokenize(reference), tokenize(candidate)))


def rouge_scores(candidate: str, reference: str) -> dict[str, float]:
    """The F1 of ROUGE-1, ROUGE-2 and ROUGE-L, keyed as `rouge-score` names them."""
    scores = _scorer().score(reference, candidate)
    return {name: scores[name].fmeasure for name in ROUGE_TYPES}
