"""ROUGE-1, ROUGE-2 and ROUGE-L F1, as pure functions (the standard definitions of Lin, 2004).

Written here rather than depending on `rouge-score` (not installed). Tokens are lowercased
runs of Unicode word characters: like `rouge-score`'s default tokenizer (no stemming) for
English, but non-Latin notes still score instead of tokenizing to nothing. ROUGE-L is the
sentence-level variant (`rougeL`, one LCS over the whole text), not `rougeLsum`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def tokenize(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _score(overlap: int, candidate_total: int, reference_total: int) -> Score:
    if not overlap:
        return Score(0.0, 0.0, 0.0)
    precision, recall = overlap / candidate_total, overlap / reference_total
    return Score(precision, recall, 2 * precision * recall / (precision + recall))


def ngrams(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def rouge_n(candidate: str, reference: str, n: int) -> Score:
    """Clipped n-gram overlap: each reference n-gram matches at most as often as it occurs."""
    cand, ref = ngrams(tokenize(candidate), n), ngrams(tokenize(reference), n)
    return _score(sum((cand & ref).values()), sum(cand.values()), sum(ref.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    """Longest common subsequence by dynamic programming, two rows of memory."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(candidate: str, reference: str) -> Score:
    cand, ref = tokenize(candidate), tokenize(reference)
    return _score(lcs_length(cand, ref), len(cand), len(ref))


def rouge_scores(candidate: str, reference: str) -> dict[str, float]:
    """The F1 of ROUGE-1, ROUGE-2 and ROUGE-L, keyed as `rouge-score` names them."""
    return {
        "rouge1": rouge_n(candidate, reference, 1).f1,
        "rouge2": rouge_n(candidate, reference, 2).f1,
        "rougeL": rouge_l(candidate, reference).f1,
    }
