"""Every fusion candidate on every set's tune half, and the worst case that chooses among them.

    python benchmarks/retrieval/fusion_candidates.py /tmp/ir/manpages_names /tmp/ir/pgnotes ... [--half tune]

Each set's chunks and vectors come from `lab_sets` (built once, cached); BM25 is the product's
`KeywordIndex` over the same chunk texts and dense is exact search over the cached vectors, each
read 200 chunks deep as the evaluation reads them. Every candidate is a `fuse_hybrid` setting
(the product's own code), scored doc-level like `secondbrain eval retrieval` (a page ranks at
its best chunk). The table ends with the two worst-case columns the rule reads: the minimum over
sets of hybrid / max(bm25, dense), and of hybrid / plain RRF.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
from lab_sets import LabSet, lab_arguments, open_lab_sets

from secondbrain_core.evals.metrics import evaluate_run
from secondbrain_core.evals.retrieval import rank_docs
from secondbrain_core.rag.fusion import dense_prior, fuse_hybrid, peaked_weight, query_coverage
from secondbrain_core.rag.keyword import KeywordIndex

DEPTH = 200
PLAIN = "rrf@0.5 (plain)"
CANDIDATES: dict[str, dict] = {
    PLAIN: {"method": "rrf", "dense_weight": 0.5},
    "rrf@0.6": {"method": "rrf", "dense_weight": 0.6},
    **{f"zscore@{w}": {"method": "zscore", "dense_weight": w} for w in (0.4, 0.5, 0.6, 0.7, 0.8)},
    "zscore@0.5 head100": {"method": "zscore", "dense_weight": 0.5, "head": 100},
    **{f"zscore@0.5 +page{c}": {"method": "zscore", "dense_weight": 0.5, "page_credit": c} for c in (0.5, 1.0)},
    "peak 0.5 (adaptive 0.5-0.5)": {"method": "adaptive", "dense_weight_range": (0.5, 0.5)},
    **{
        f"adaptive {lo}-{hi}": {"method": "adaptive", "dense_weight_range": (lo, hi)}
        for lo, hi in ((0.4, 0.8), (0.5, 0.8), (0.3, 0.9))
    },
    **{
        f"adaptive 0.3-0.9 +page{c}": {"method": "adaptive", "dense_weight_range": (0.3, 0.9), "page_credit": c}
        for c in (0.5, 1.0)
    },
}

# Round 2 (issue 11, 2026-12-02): other ways to read a ranker's confidence than its top z in the
# head: "gap" = (first - second) / spread, "zgap" = top z + gap; each raised to `gamma` (a
# sharper trust in the more confident ranker). Not product settings: exploratory rows.
PEAK_VARIANTS: dict[str, tuple[tuple[float, float], str, float]] = {
    f"adaptive {lo}-{hi} {peak} g{gamma}": ((lo, hi), peak, gamma)
    for lo, hi in ((0.3, 0.9), (0.4, 0.8), (0.5, 0.5))
    for peak in ("z", "gap", "zgap")
    for gamma in (1.0, 2.0, 3.0)
    if (lo, peak, gamma) != (0.3, "z", 1.0)  # that one is the product's adaptive 0.3-0.9
}


def confidence(ranking: list[tuple[int, float]], kind: str, head: int = 50) -> float | None:
    """A ranker's confidence in its first hit, read the `kind` way (None: its head tells nothing)."""
    top = [score for _, score in ranking[:head]]
    if len(top) < 2:
        return None
    mean = math.fsum(top) / len(top)
    spread = math.sqrt(math.fsum((x - mean) ** 2 for x in top) / len(top))
    if spread <= 1e-12:
        return None
    z, gap = (top[0] - mean) / spread, (top[0] - top[1]) / spread
    return {"z": z, "gap": gap, "zgap": z + gap}[kind]


def peak_variant(bm25, dense, pages, coverage, variant: tuple[tuple[float, float], str, float]):
    """`adaptive` with page credit 0.5, its peaks read the variant's way."""
    (low, high), kind, gamma = variant
    peaks = [confidence(bm25, kind), confidence(dense, kind)]
    if None not in peaks:
        peaks = [max(p, 0.0) ** gamma for p in peaks]
    weight = peaked_weight(dense_prior(coverage, low, high), *peaks)
    return fuse_hybrid(bm25, dense, method="zscore", dense_weight=weight, pages=pages, page_credit=0.5)


def rankings(lab: LabSet, half: str) -> tuple[dict, dict, dict]:
    """Per judged query of `half`: BM25 and dense (chunk index, score) lists, and BM25's coverage."""
    texts = [chunk.embedding_text for chunk in lab.chunks]
    with tempfile.TemporaryDirectory() as tmp:
        index = KeywordIndex.build(Path(tmp) / "bm25", np.arange(len(texts)), texts)
    bm25, dense, coverage = {}, {}, {}
    for qid in lab.halves[half]:
        query = lab.data.queries[qid]
        bm25[qid] = index.search(query, DEPTH)
        similarities = lab.vectors @ lab.query_vectors[qid]
        top = np.argsort(-similarities, kind="stable")[:DEPTH]
        dense[qid] = [(int(i), float(similarities[i])) for i in top]
        found = index.terms(texts[bm25[qid][0][0]]) if bm25[qid] else set()
        coverage[qid] = query_coverage(index.term_weights(query), found)
    return bm25, dense, coverage


def metrics(lab: LabSet, half: str, chunk_runs: dict[str, list[tuple[int, float]]]) -> dict[str, float]:
    """Doc-level metrics of chunk rankings, as `secondbrain eval retrieval` scores them."""
    pages = lab.page_ids
    run = {qid: rank_docs([pages[i] for i, _ in ranked]) for qid, ranked in chunk_runs.items()}
    return evaluate_run(run, lab.halves[half])


def score(lab: LabSet, half: str, chunk_runs: dict[str, list[tuple[int, float]]]) -> float:
    return metrics(lab, half, chunk_runs)["ndcg@10"]


def table(labs: list[LabSet], half: str) -> dict[str, dict[str, float]]:
    """nDCG@10 per candidate (rows) and set (columns), bm25 and dense alone first."""
    rows: dict[str, dict[str, float]] = {"bm25": {}, "dense": {}, **{name: {} for name in CANDIDATES}}
    for lab in labs:
        bm25, dense, coverage = rankings(lab, half)
        pages = lab.page_ids
        rows["bm25"][lab.name], rows["dense"][lab.name] = score(lab, half, bm25), score(lab, half, dense)
        for name, options in CANDIDATES.items():
            fused = {q: fuse_hybrid(bm25[q], dense[q], pages=pages, coverage=coverage[q], **options) for q in bm25}
            rows[name][lab.name] = score(lab, half, fused)
        for name, variant in PEAK_VARIANTS.items():
            fused = {q: peak_variant(bm25[q], dense[q], pages, coverage[q], variant) for q in bm25}
            rows.setdefault(name, {})[lab.name] = score(lab, half, fused)
    return rows


def markdown(rows: dict[str, dict[str, float]]) -> str:
    sets = list(rows["bm25"])
    best = {s: max(rows["bm25"][s], rows["dense"][s]) for s in sets}
    lines = [
        "| candidate | " + " | ".join(sets) + " | min hybrid/best | min hybrid/RRF |",
        "|---" * (len(sets) + 3) + "|",
    ]
    for name, by_set in rows.items():
        worst = min(by_set[s] / best[s] for s in sets)
        versus_rrf = min(by_set[s] / rows[PLAIN][s] for s in sets)
        cells = " | ".join(f"{by_set[s]:.4f}" for s in sets)
        lines.append(f"| {name} | {cells} | {worst:.4f} | {versus_rrf:.4f} |")
    return "\n".join(lines)


def main() -> None:
    args = lab_arguments(__doc__.splitlines()[0]).parse_args()
    labs, _ = open_lab_sets(args)
    print(markdown(table(labs, args.half)))


if __name__ == "__main__":
    main()
