"""Hybrid fusion against hand-computed cases: ties, a ranker returning nothing, one hit far
ahead, the adaptive weight, and the credit a page's chunks lend each other."""

from __future__ import annotations

import math

import pytest

from secondbrain_core.rag.fusion import (
    agreement,
    dense_prior,
    fuse_hybrid,
    fusion_options,
    head_peak,
    peaked_weight,
    query_coverage,
    rrf,
    zero_filled,
)
from secondbrain_core.settings import Settings

SQRT3 = math.sqrt(3)  # z of one hit at 10 over three at 1: (10 - 3.25) / 3.897
# bm25: one hit far ahead of three tied ones; dense: an even slope that ranks it last
FAR_AHEAD = [("a", 10.0), ("b", 1.0), ("c", 1.0), ("d", 1.0)]
SLOPE = [("b", 0.9), ("c", 0.8), ("d", 0.7), ("a", 0.6)]
SLOPE_PEAK = 3 / math.sqrt(5)  # (0.9 - 0.75) / sqrt(0.0125)


def scores(fused: list) -> dict:
    return dict(fused)


def test_rrf_ties_keep_the_order_items_were_first_seen() -> None:
    fused = rrf([["a", "b"], ["b", "a"]], k=60)
    assert [item for item, _ in fused] == ["a", "b"]
    assert fused[0][1] == fused[1][1] == pytest.approx(1 / 61 + 1 / 62)


@pytest.mark.parametrize("method", ["rrf", "zscore", "adaptive"])
def test_a_ranker_returning_nothing_leaves_the_other_ranking(method: str) -> None:
    fused = fuse_hybrid([], [("x", 0.9), ("y", 0.5)], method=method, dense_weight=0.5)
    assert [item for item, _ in fused] == ["x", "y"]
    if method == "rrf":
        assert scores(fused) == pytest.approx({"x": 1 / 61, "y": 1 / 62})
    if method == "zscore":  # mean 0.7, spread 0.2: z = +1 and -1; the empty ranker adds 0
        assert scores(fused) == pytest.approx({"x": 1.0, "y": -1.0})
    assert fuse_hybrid([], [], method=method) == []


def test_one_hit_far_ahead() -> None:
    assert head_peak(FAR_AHEAD) == pytest.approx(SQRT3)
    assert head_peak(SLOPE) == pytest.approx(SLOPE_PEAK)
    # a fixed dense weight of 0.8 lets dense's slope outvote BM25's standout hit
    fixed = fuse_hybrid(FAR_AHEAD, SLOPE, method="zscore", dense_weight=0.8)
    assert fixed[0][0] == "b"
    assert scores(fixed)["a"] == pytest.approx(0.4 * SQRT3 - 1.6 * SLOPE_PEAK)
    # adaptive: every query term in BM25's best chunk (prior 0.3), then each ranker's peak
    w = 0.3 * SLOPE_PEAK / (0.3 * SLOPE_PEAK + 0.7 * SQRT3)
    adaptive = fuse_hybrid(FAR_AHEAD, SLOPE, method="adaptive", coverage=1.0, dense_weight_range=(0.3, 0.9))
    assert adaptive[0][0] == "a"
    assert scores(adaptive)["a"] == pytest.approx(2 * (1 - w) * SQRT3 - 2 * w * SLOPE_PEAK)
    assert scores(adaptive)["b"] == pytest.approx(2 * (1 - w) * (-1 / SQRT3) + 2 * w * SLOPE_PEAK)


def test_bm25_zero_filled_head_hears_a_lone_hit_among_the_chunks_that_scored_zero() -> None:
    two_hits = [("a", 4.0), ("b", 2.0)]
    dense = [("c", 0.9), ("d", 0.8), ("b", 0.7), ("a", 0.6)]  # z +3/sqrt5 ... -3/sqrt5
    dense_top = 3 / math.sqrt(5)
    # over its own two hits BM25's best gets z = 1, and dense's best outvotes it
    plain = fuse_hybrid(two_hits, dense, method="zscore", dense_weight=0.5)
    assert plain[0][0] == "c" and scores(plain)["a"] == pytest.approx(1 - dense_top)
    # the eight chunks it did not return scored 0: mean 0.6, spread sqrt(1.64)
    spread = math.sqrt(1.64)
    filled = fuse_hybrid(two_hits, dense, method="zscore", dense_weight=0.5, bm25_fill=10)
    assert [item for item, _ in filled] == ["a", "c", "b", "d"]  # no placeholder is ever ranked
    assert scores(filled)["a"] == pytest.approx(3.4 / spread - dense_top)
    assert scores(filled)["c"] == pytest.approx(-0.6 / spread + dense_top)  # unreturned: the zeros' z
    assert head_peak(zero_filled(two_hits, 50, 10)) == pytest.approx(3.4 / spread)
    # the fill never passes the head, and a head already full is left as it is
    assert len(zero_filled(two_hits, 5, 50)) == 5
    assert zero_filled(FAR_AHEAD, 50, 3) == FAR_AHEAD


def test_adaptive_weight_parts() -> None:
    assert query_coverage({"tax": 2.0, "form": 1.0, "deadline": 1.0}, {"tax", "deadline", "other"}) == 0.75
    assert query_coverage({}, {"tax"}) == 0.0
    assert dense_prior(1.0, 0.3, 0.9) == pytest.approx(0.3)
    assert dense_prior(0.0, 0.3, 0.9) == pytest.approx(0.9)
    assert dense_prior(None, 0.3, 0.9) == pytest.approx(0.6), "unknown coverage: the middle"
    assert dense_prior(1.7, 0.3, 0.9) == pytest.approx(0.3), "clamped"
    assert peaked_weight(0.5, 2.0, 2.0) == pytest.approx(0.5)
    assert peaked_weight(0.5, 3.0, 1.0) == pytest.approx(0.25)
    assert peaked_weight(0.6, None, 5.0) == 0.6, "a ranker without a peak leaves the prior"
    assert head_peak([("only", 4.0)]) is None and head_peak([("a", 1.0), ("b", 1.0)]) is None


def test_page_credit_lends_a_page_its_best_chunks_vote() -> None:
    # bm25 ranks chunk 1 of page P, dense ranks chunk 2 of P: z = +1 / -1 in each head
    bm25 = [("P#1", 3.0), ("Q#1", 1.0)]
    dense = [("P#2", 0.9), ("R#1", 0.5)]
    pages = {"P#1": "P", "P#2": "P", "Q#1": "Q", "R#1": "R"}
    plain = scores(fuse_hybrid(bm25, dense, method="zscore", dense_weight=0.5))
    assert plain == pytest.approx({"P#1": 0.0, "P#2": 0.0, "Q#1": -2.0, "R#1": -2.0})
    half = scores(fuse_hybrid(bm25, dense, method="zscore", dense_weight=0.5, pages=pages, page_credit=0.5))
    # missing -1 raised half way to P's best (+1): 0; Q and R have no chunk in the other head
    assert half == pytest.approx({"P#1": 1.0, "P#2": 1.0, "Q#1": -2.0, "R#1": -2.0})
    full = scores(fuse_hybrid(bm25, dense, method="zscore", dense_weight=0.5, pages=pages, page_credit=1.0))
    assert full["P#1"] == full["P#2"] == pytest.approx(2.0)
    rrf_half = scores(fuse_hybrid(bm25, dense, method="rrf", pages=pages, page_credit=0.5))
    assert rrf_half["P#1"] == pytest.approx(1 / 61 + 0.5 / 61), "rrf: half of dense's vote for P#2"


# bm25 sure of "a", dense of "b", they share "b": the small case the mixes below are computed on
SHARED = ([("a", 3.0), ("b", 1.0)], [("b", 0.9), ("c", 0.5)])


def test_agreement_is_the_share_of_first_pages_both_rankers_hold() -> None:
    assert agreement([("a", 3), ("b", 2), ("c", 1)], [("b", 0.9), ("c", 0.8), ("d", 0.7)]) == pytest.approx(2 / 3)
    pages = {"P#1": "P", "P#2": "P", "Q#1": "Q", "R#1": "R"}
    assert agreement([("P#1", 3), ("Q#1", 1)], [("P#2", 0.9), ("R#1", 0.5)], pages) == 0.5, "pages, not chunks"
    assert agreement([], [("x", 0.9)]) == 0.0, "a ranker returning nothing agrees with nobody"
    assert agreement([("a", 1)] * 3, [("a", 2)]) == 1.0


def test_combsum_and_combmnz_by_hand() -> None:
    # min-max per ranker: bm25 a 1, b 0; dense b 1, c 0; missing 0
    assert fuse_hybrid(*SHARED, method="combsum") == [("a", 1.0), ("b", 1.0), ("c", 0.0)], "tie: first seen"
    assert fuse_hybrid(*SHARED, method="combmnz") == [("b", 2.0), ("a", 1.0), ("c", 0.0)], "b: both rankers"
    # one hit far ahead: a 1 + 0, b 0 + 1, c 0 + 2/3, d 0 + 1/3
    far = scores(fuse_hybrid(FAR_AHEAD, SLOPE, method="combsum"))
    assert far == pytest.approx({"a": 1.0, "b": 1.0, "c": 2 / 3, "d": 1 / 3})
    assert scores(fuse_hybrid(FAR_AHEAD, SLOPE, method="combmnz"))["c"] == pytest.approx(4 / 3)
    assert fuse_hybrid([], [("x", 0.9), ("y", 0.5)], method="combmnz") == [("x", 1.0), ("y", 0.0)]
    assert fuse_hybrid([("t", 2.0), ("u", 2.0)], [], method="combsum") == [("t", 1.0), ("u", 1.0)], "all tied"


def test_mix_blends_plain_rrf_and_adaptive_each_scaled_to_one() -> None:
    # adaptive, coverage unknown: prior 0.6; both peaks z = 1, so w = 0.6 (weights 0.8 / 1.2);
    # z: a +1 / missing -1, b -1 / +1, c missing / -1: a -0.4, b 0.4, c -2 (the floor) -> 2/3, 1, 0
    # plain RRF: a 1/61, b 1/61 + 1/62, c 1/62, floor 0 -> 62/123, 1, 61/123
    half = scores(fuse_hybrid(*SHARED, method="mix", rrf_share=0.5))
    assert half == pytest.approx({"b": 1.0, "a": 0.5 * 62 / 123 + 0.5 * 2 / 3, "c": 0.5 * 61 / 123})
    assert fuse_hybrid(*SHARED, method="mix") == fuse_hybrid(*SHARED, method="mix", rrf_share=0.5), (
        "no share given: the rankers' agreement, here one of two first pages"
    )
    plain = [item for item, _ in fuse_hybrid(FAR_AHEAD, SLOPE, method="rrf")]
    assert [item for item, _ in fuse_hybrid(FAR_AHEAD, SLOPE, method="mix", rrf_share=1.0)] == plain
    adaptive = fuse_hybrid(FAR_AHEAD, SLOPE, method="adaptive", coverage=1.0)
    only = fuse_hybrid(FAR_AHEAD, SLOPE, method="mix", rrf_share=0.0, coverage=1.0)
    assert [item for item, _ in only] == [item for item, _ in adaptive] and only[0] == ("a", 1.0)
    # a ranker returning nothing: no agreement, the adaptive half alone
    assert fuse_hybrid([], [("x", 0.9), ("y", 0.5)], method="mix") == [("x", 1.0), ("y", 0.0)]


@pytest.mark.parametrize("method", ["mix", "combsum", "combmnz"])
def test_new_fusions_rank_the_head_alike_at_any_depth(method: str) -> None:
    bm25 = [(f"b{i}", 100.0 - i) for i in range(120)]
    dense = [(f"b{i * 3}", 1.0 - i / 200) for i in range(120)]
    shallow = fuse_hybrid(bm25[:50], dense[:50], method=method, rrf_share=0.4)
    deep = fuse_hybrid(bm25, dense, method=method, rrf_share=0.4)
    assert shallow[:10] == deep[:10]


def test_settings_name_the_fusion(settings: Settings) -> None:
    options = fusion_options(settings)
    assert options["method"] == "adaptive" and options["page_credit"] == 0.5
    assert options["dense_weight_range"] == (0.3, 0.9)
    with pytest.raises(ValueError, match="unknown fusion"):
        fuse_hybrid(FAR_AHEAD, SLOPE, method="max")
