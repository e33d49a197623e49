"""Ranking metrics over graded relevance judgments, as BEIR and trec_eval compute them.

Pure functions on plain ids so they can be checked by hand: a *run* is, per query, the doc ids
ranked best first; *qrels* map each query to `{doc_id: grade}` (grade > 0 means relevant).

nDCG uses linear gain (the grade itself) and the standard `1 / log2(rank + 1)` discount; the
ideal DCG comes from the qrels (all judged docs sorted by grade), not from the run, so a run
that misses a relevant doc is penalised even if it never retrieved it. These are the
`ndcg_cut` semantics of trec_eval that BEIR reports, so our numbers compare with published ones.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

Qrels = Mapping[str, Mapping[str, int]]
Run = Mapping[str, Sequence[str]]


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain of gains listed in rank order (rank 1 first)."""
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int) -> float:
    """nDCG@k of one ranking; 0.0 when the query has no relevant doc (nothing to find)."""
    ideal = dcg(sorted((g for g in judged.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    gains = [max(judged.get(doc, 0), 0) for doc in ranked[:k]]
    return dcg(gains) / ideal


def recall_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int) -> float:
    """Share of the relevant docs (grade > 0) found in the top k."""
    relevant = {doc for doc, grade in judged.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def mrr_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int) -> float:
    """1 / rank of the first relevant doc in the top k, else 0."""
    for rank, doc in enumerate(ranked[:k], start=1):
        if judged.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


METRICS = {"ndcg": ndcg_at_k, "recall": recall_at_k, "mrr": mrr_at_k}
DEFAULT_CUTOFFS = ("ndcg@10", "recall@10", "recall@100", "mrr@10")


def evaluate_run(run: Run, qrels: Qrels, names: Sequence[str] = DEFAULT_CUTOFFS) -> dict[str, float]:
    """Mean of each `metric@k` over the judged queries that have a relevant doc.

    Queries without any relevant judgment are left out (as BEIR does): they cannot be
    answered, so they would only dilute the mean. A judged query missing from the run scores 0.
    """
    queries = [q for q, judged in qrels.items() if any(g > 0 for g in judged.values())]
    result: dict[str, float] = {}
    for name in names:
        metric, _, cutoff = name.partition("@")
        if metric not in METRICS or not cutoff.isdigit():
            raise ValueError(f"unknown metric {name!r}: use ndcg@K, recall@K or mrr@K")
        fn, k = METRICS[metric], int(cutoff)
        scores = [fn(run.get(q, ()), qrels[q], k) for q in queries]
        result[name] = sum(scores) / len(scores) if scores else 0.0
    return result
