"""Round 3 of issue 11: fusions that mix rank and score, or read the rankers' agreement, on every set.

    python benchmarks/retrieval/fusion_round3.py /tmp/ir/manpages_names ... --half tune --json /tmp/ir11/r3-tune.json

THE RULE (written and committed before any round-3 score was seen, 2026-12-06 00:00 UTC):
- Sets: the eight judged sets' `tune` halves (manpages_names, pgnotes, python_faq, python_index,
  django_faq, exact_facts, debian_tags, python_modules); nothing is chosen on a `test` half.
- A candidate's worth is its worst case: the minimum over those sets of
  min(hybrid / max(bm25, dense), hybrid / plain RRF) in nDCG@10, the two targets of the issue in
  one number (plain RRF = equal-weight RRF, k 60, of the same two rankings).
- The current default (`adaptive` 0.3-0.9, page credit 0.5) stays unless some candidate's worth
  is more than 0.001 above its own. Otherwise the highest worth wins; candidates within 0.001 of
  it are tied, and a tie goes to the higher mean over sets of the same per-set ratio.
- Then the `test` halves are scored once, every candidate on every set, and reported as they come.

Candidates (each a `fuse_hybrid` call, the product's code, on the rankings `fusion_candidates`
reads): plain RRF with k 10/20/30/60; z-score at equal weight; the current `adaptive`; `adaptive`
with the z-scores and peaks read over the first 10 or 20 hits only (a head-only window); CombSUM
and CombMNZ over min-max scores; `mix` (plain RRF and `adaptive`, each scaled to [0, 1]) at a
fixed RRF share of 0.25/0.5/0.75, or at a share read from the rankers' agreement on their first
ten pages (`agreement`: the share itself, twice it, or a switch at 0.3 or 0.5), or from their
agreement on their top hit (is BM25's first page among dense's first ten, and the reverse:
0, 0.5 or 1); and `adaptive` whose dense weight moves toward 0.5 as far as the rankers agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fusion_candidates import metrics, rankings
from lab_sets import LabSet, lab_arguments, open_lab_sets

from secondbrain_core.rag.fusion import agreement, dense_prior, fuse_hybrid, head_peak, peaked_weight

PLAIN = "rrf k60 (plain)"
DEFAULT = "adaptive 0.3-0.9 +page0.5 (current)"
CURRENT = {"method": "adaptive", "dense_weight_range": (0.3, 0.9), "page_credit": 0.5}
# A candidate: (bm25, dense, pages, coverage) -> fused ranking
Candidate = Callable[[list, list, list, float], list]


def fixed(**options) -> Candidate:
    return lambda bm25, dense, pages, coverage: fuse_hybrid(bm25, dense, pages=pages, coverage=coverage, **options)


def top_hit_agreement(bm25: list, dense: list, pages: list) -> float:
    """Half for BM25's first page among dense's first ten pages, half for the reverse."""
    if not bm25 or not dense:
        return 0.0
    tens = [{pages[i] for i, _ in ranking[:10]} for ranking in (bm25, dense)]
    return 0.5 * (pages[bm25[0][0]] in tens[1]) + 0.5 * (pages[dense[0][0]] in tens[0])


def mixed(share: Callable[[list, list, list], float]) -> Candidate:
    """`mix` (plain RRF and the current adaptive) at an RRF share read from the two rankings."""

    options = {key: value for key, value in CURRENT.items() if key != "method"}

    def fuse(bm25, dense, pages, coverage):
        share_now = share(bm25, dense, pages)
        return fuse_hybrid(bm25, dense, pages=pages, coverage=coverage, method="mix", rrf_share=share_now, **options)

    return fuse


def agreeing_weight(bm25, dense, pages, coverage):
    """`adaptive`'s dense weight moved toward 0.5 as far as the rankers agree."""
    a = agreement(bm25, dense, pages)
    w = peaked_weight(dense_prior(coverage, 0.3, 0.9), head_peak(bm25), head_peak(dense))
    return fuse_hybrid(bm25, dense, method="zscore", dense_weight=a * 0.5 + (1 - a) * w, pages=pages, page_credit=0.5)


CANDIDATES: dict[str, Candidate] = {
    PLAIN: fixed(method="rrf"),
    **{f"rrf k{k}": fixed(method="rrf", k=k) for k in (10, 20, 30)},
    "zscore@0.5": fixed(method="zscore"),
    DEFAULT: fixed(**CURRENT),
    **{f"adaptive head{h} +page0.5": fixed(**CURRENT, head=h) for h in (10, 20)},
    "combsum": fixed(method="combsum"),
    "combsum +page0.5": fixed(method="combsum", page_credit=0.5),
    "combmnz": fixed(method="combmnz"),
    **{f"mix rrf {s}": mixed(lambda b, d, p, s=s: s) for s in (0.25, 0.5, 0.75)},
    "mix agreement": mixed(lambda b, d, p: agreement(b, d, p)),
    "mix 2x agreement": mixed(lambda b, d, p: min(1.0, 2 * agreement(b, d, p))),
    **{f"mix switch agreement>={t}": mixed(lambda b, d, p, t=t: float(agreement(b, d, p) >= t)) for t in (0.3, 0.5)},
    "mix top-hit agreement": mixed(top_hit_agreement),
    "adaptive weight to 0.5 by agreement": agreeing_weight,
}


def table(
    labs: list[LabSet], half: str, candidates: dict[str, Candidate] = CANDIDATES
) -> dict[str, dict[str, dict[str, float]]]:
    """Metrics per row (bm25, dense, every candidate) and set."""
    rows: dict[str, dict[str, dict[str, float]]] = {"bm25": {}, "dense": {}, **{name: {} for name in candidates}}
    for lab in labs:
        bm25, dense, coverage = rankings(lab, half)
        pages = lab.page_ids
        rows["bm25"][lab.name], rows["dense"][lab.name] = metrics(lab, half, bm25), metrics(lab, half, dense)
        for name, fuse in candidates.items():
            run = {q: fuse(bm25[q], dense[q], pages, coverage[q]) for q in bm25}
            rows[name][lab.name] = metrics(lab, half, run)
        print(lab.name, {n: round(r[lab.name]["ndcg@10"], 4) for n, r in rows.items()}, flush=True)
    return rows


def worth(rows: dict[str, dict[str, dict[str, float]]], name: str) -> tuple[float, float]:
    """The rule's (worst, mean) over sets of min(row / max(bm25, dense), row / plain RRF), nDCG@10."""
    ratios = []
    for s, m in rows[name].items():
        best = max(rows["bm25"][s]["ndcg@10"], rows["dense"][s]["ndcg@10"])
        ratios.append(min(m["ndcg@10"] / best, m["ndcg@10"] / rows[PLAIN][s]["ndcg@10"]))
    return min(ratios), sum(ratios) / len(ratios)


def winner(
    rows: dict[str, dict[str, dict[str, float]]], candidates: dict[str, Candidate] = CANDIDATES, default: str = DEFAULT
) -> str:
    """The rule above: the `default` unless beaten by more than 0.001; then the highest
    worst case, ties (0.001) to the higher mean."""
    scored = {name: worth(rows, name) for name in candidates}
    top = max(w for w, _ in scored.values())
    if top - scored[default][0] <= 0.001:
        return default
    return max((name for name, (w, _) in scored.items() if top - w <= 0.001), key=lambda name: scored[name][1])


def markdown(rows: dict[str, dict[str, dict[str, float]]]) -> str:
    sets = list(rows["bm25"])
    lines = ["| candidate | " + " | ".join(sets) + " | worst | mean |", "|---" * (len(sets) + 3) + "|"]
    for name, by_set in rows.items():
        cells = " | ".join(f"{by_set[s]['ndcg@10']:.4f}" for s in sets)
        w, mean = worth(rows, name)
        lines.append(f"| {name} | {cells} | {w:.4f} | {mean:.4f} |")
    return "\n".join(lines)


def run_round(description: str, candidates: dict[str, Candidate]) -> None:
    """The command line of a round: every candidate on the sets' half, the table, the rule's winner."""
    parser = lab_arguments(description)
    parser.add_argument("--json", type=Path, help="also write every row's metrics per set here")
    args = parser.parse_args()
    labs, _ = open_lab_sets(args)
    rows = table(labs, args.half, candidates)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print(markdown(rows))
    print(f"\nwinner by the rule ({args.half} half): {winner(rows, candidates)}")


def main() -> None:
    run_round(__doc__.splitlines()[0], CANDIDATES)


if __name__ == "__main__":
    main()
