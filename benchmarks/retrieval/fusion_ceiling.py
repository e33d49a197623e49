"""How far any per-query fusion weight could go, and whether a learned one carries to an unseen set.

    python benchmarks/retrieval/fusion_ceiling.py /tmp/ir/manpages_names ... [--half tune]

Per judged query of each set: nDCG@10 of z-score fusion (page credit 0.5, as the default) at
each dense weight of `GRID`, of plain RRF, of bm25 and dense alone, and of the current default.
Then, in the worst-case terms of `fusion_round3` (min over sets of min(row / max(bm25, dense),
row / plain RRF)):
- ceilings: a per-query oracle that knows, for each query, the best weight of the grid (or the
  best of the grid and RRF, or the better single ranker): what no real rule can beat;
- a learned weight, scored leave-one-set-out (trained on the other sets' queries, each set
  weighing the same, applied to the held-out set, as a rule meets a user's notes it never saw):
  a logistic model of "dense-heavy (0.8) beats BM25-heavy (0.2)" from the query's features
  (`features`), weighted by how much it matters, mapped to a weight between the two.
Exploratory: nothing here is a product setting.
"""

from __future__ import annotations

import numpy as np
from fusion_candidates import rankings
from fusion_round3 import CURRENT
from lab_sets import lab_arguments, open_lab_sets
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from secondbrain_core.evals.metrics import ndcg_at_k
from secondbrain_core.evals.retrieval import rank_docs
from secondbrain_core.rag.fusion import agreement, fuse_hybrid, head_peak, mean_and_spread

GRID = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])


def top_gap(ranking: list) -> float:
    """(first - second) / spread of the ranker's first 50 scores; 0 when that says nothing."""
    top = [score for _, score in ranking[:50]]
    if len(top) < 2:
        return 0.0
    _, spread = mean_and_spread(top)
    return (top[0] - top[1]) / spread if spread > 0 else 0.0


def features(query: str, bm25: list, dense: list, pages: list, coverage: float) -> list[float]:
    """What a rule can read before choosing: coverage, each ranker's peak and gap, their
    agreement, the query's length, dense's best cosine."""
    return [
        coverage,
        head_peak(bm25) or 0.0,
        head_peak(dense) or 0.0,
        top_gap(bm25),
        top_gap(dense),
        agreement(bm25, dense, pages),
        float(len(query.split())),
        dense[0][1] if dense else 0.0,
    ]


def per_query(labs: list, half: str) -> dict[str, dict[str, np.ndarray]]:
    """Per set: the query features and nDCG@10 of every row (grid weights, rrf, bm25, dense, current)."""
    out = {}
    for lab in labs:
        bm25, dense, coverage = rankings(lab, half)
        pages = lab.page_ids
        rows: dict[str, list] = {"features": [], "grid": [], "rrf": [], "bm25": [], "dense": [], "current": []}
        for qid in bm25:
            judged = lab.halves[half][qid]

            def ndcg(run: list, judged: dict = judged, pages: list = pages) -> float:
                return ndcg_at_k(rank_docs([pages[i] for i, _ in run]), judged, 10)

            b, d = bm25[qid], dense[qid]
            fused = [fuse_hybrid(b, d, method="zscore", dense_weight=w, pages=pages, page_credit=0.5) for w in GRID]
            rows["grid"].append([ndcg(run) for run in fused])
            rows["rrf"].append(ndcg(fuse_hybrid(b, d, method="rrf")))
            rows["bm25"].append(ndcg(b))
            rows["dense"].append(ndcg(d))
            rows["current"].append(ndcg(fuse_hybrid(b, d, pages=pages, coverage=coverage[qid], **CURRENT)))
            rows["features"].append(features(lab.data.queries[qid], b, d, pages, coverage[qid]))
        out[lab.name] = {name: np.array(values) for name, values in rows.items()}
    return out


def learned_loso(data: dict[str, dict[str, np.ndarray]], low: float = 0.2, high: float = 0.8) -> dict[str, float]:
    """Each set's mean nDCG@10 under a weight learned on the other sets only."""
    grid = list(GRID)
    result = {}
    for held in data:
        train = [s for s in data if s != held]
        x = np.vstack([data[s]["features"] for s in train])
        columns = grid.index(high), grid.index(low)
        diff = np.concatenate([data[s]["grid"][:, columns[0]] - data[s]["grid"][:, columns[1]] for s in train])
        per_set = np.concatenate([np.full(len(data[s]["rrf"]), 1.0 / len(data[s]["rrf"])) for s in train])
        keep = diff != 0
        model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
        model.fit(x[keep], diff[keep] > 0, logisticregression__sample_weight=(per_set * np.abs(diff))[keep] * 1000)
        weight = low + (high - low) * model.predict_proba(data[held]["features"])[:, 1]
        column = np.abs(GRID[None, :] - weight[:, None]).argmin(axis=1)
        result[held] = float(np.mean(data[held]["grid"][np.arange(len(column)), column]))
    return result


def main() -> None:
    args = lab_arguments(__doc__.splitlines()[0]).parse_args()
    data = per_query(open_lab_sets(args)[0], args.half)
    sets = list(data)
    rows = {
        "current default": {s: data[s]["current"].mean() for s in sets},
        "plain RRF": {s: data[s]["rrf"].mean() for s in sets},
        **{f"zscore +page0.5 @{w:.1f}": {s: data[s]["grid"][:, j].mean() for s in sets} for j, w in enumerate(GRID)},
        "oracle: best grid weight per query": {s: data[s]["grid"].max(axis=1).mean() for s in sets},
        "oracle: best of grid and RRF": {
            s: np.maximum(data[s]["grid"].max(axis=1), data[s]["rrf"]).mean() for s in sets
        },
        "oracle: better of bm25, dense": {s: np.maximum(data[s]["bm25"], data[s]["dense"]).mean() for s in sets},
        "learned weight 0.2-0.8, leave-one-set-out": learned_loso(data),
    }
    print("| row | " + " | ".join(sets) + " | worst | mean |\n" + "|---" * (len(sets) + 3) + "|")
    for name, by_set in rows.items():
        ratios = [
            min(by_set[s] / max(data[s]["bm25"].mean(), data[s]["dense"].mean()), by_set[s] / data[s]["rrf"].mean())
            for s in sets
        ]
        cells = " | ".join(f"{by_set[s]:.4f}" for s in sets)
        print(f"| {name} | {cells} | {min(ratios):.4f} | {np.mean(ratios):.4f} |")


if __name__ == "__main__":
    main()
