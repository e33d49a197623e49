"""Round 5 of issue 11: BM25's unreturned chunks scored 0, on ten sets (two not in English).

    python benchmarks/retrieval/fusion_round5.py /tmp/ir/manpages_names ... /tmp/ir/manpages_fr --half tune

BM25 returns only chunks holding a query term; every other chunk scores exactly 0. The fusion
standardizes a ranker's scores over its head, so a query whose words two chunks hold gets a head
of two, and the right one z = 1: as loud as any guess among dense's fifty. Among the fifty it
would have had (48 of them at 0), it stands far above. In a German person's notes (the blind
set personal7) German questions found by BM25 at rank 1 were outvoted by the English-only dense
ranker this way. The candidates fill BM25's head with zeros (`fuse_hybrid(bm25_fill=...)`).

THE RULE (written before any candidate of this round was scored, 2026-12-06 23:25 UTC): round 3's
rule (`fusion_round3.worth` and `winner`) over ten tune halves: the eight judged sets and the
two translated man-page sets (`build_manpages_translated.py`, German and French). The current
default stays unless a candidate's worst case is more than 0.001 above its own. Then the test
halves are scored once, every candidate on every set, and reported as they come.
"""

from __future__ import annotations

from fusion_round3 import CURRENT, DEFAULT, PLAIN, Candidate, fixed, run_round

from secondbrain_core.rag.fusion import CANDIDATES as HEAD
from secondbrain_core.rag.fusion import dense_prior, fuse_hybrid, head_peak, peaked_weight


def filled_votes_only(bm25, dense, pages, coverage):
    """The default's weight (peaks of the rankings as returned), BM25's z-scores over a zero-filled head."""
    weight = peaked_weight(dense_prior(coverage, *CURRENT["dense_weight_range"]), head_peak(bm25), head_peak(dense))
    options = {"pages": pages, "page_credit": CURRENT["page_credit"], "bm25_fill": HEAD}
    return fuse_hybrid(bm25, dense, method="zscore", dense_weight=weight, **options)


ROUND5: dict[str, Candidate] = {
    PLAIN: fixed(method="rrf"),
    DEFAULT: fixed(**CURRENT),
    "adaptive +page0.5, BM25 zero-filled": fixed(**CURRENT, bm25_fill=HEAD),
    "adaptive +page0.5, BM25 zero-filled in votes only": filled_votes_only,
    "zscore@0.5 +page0.5, BM25 zero-filled": fixed(method="zscore", page_credit=0.5, bm25_fill=HEAD),
}


def main() -> None:
    run_round(__doc__.splitlines()[0], ROUND5)


if __name__ == "__main__":
    main()
