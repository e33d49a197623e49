"""Hybrid fusion of BM25 and dense rankings: by rank (RRF), by standardized score (z-score), or
by z-score with weights read from the query and the two rankings (`adaptive`, the default).

RRF needs no score scaling but hears every ranker equally loud on every query: a query only
BM25 can answer (an exact name, an error code) is outvoted by dense's confident-looking wrong
guesses, and a question whose words never appear in its answer is dragged down by BM25.
Z-score fusion lets each ranker speak as loud as its own evidence on that query: each
ranker's scores are standardized over its own candidates, so a score far above the rest (a
rare term's exact hit, one clearly closest vector) gets a large lead, while candidates bunched
together get similar, modest ones.

A fixed dense weight is a bet on the kind of query: 0.8 won on FAQ questions, whose words
rarely occur in their answers, and lost on keyword queries over short notes, where BM25 leads
(issue 11). `adaptive` sets the weight per query from two things that tell which kind it is:
- coverage: the share of the query's term weight (IDF) that BM25's best chunk holds. All of
  it (a topic or tag typed as written in the notes, an exact name) and BM25 is worth hearing:
  the dense prior is `low`; none of it (a question in other words) and it is `high`.
- peakedness: each ranker's top z within its head. A ranker whose first hit stands far above
  its other candidates is sure of it; one whose hits are bunched is guessing. The prior's two
  shares are scaled by the two peaks: w = p * peak_dense / (p * peak_dense + (1 - p) * peak_bm25).
The rule and its constants were chosen by the worst case over six sets' tune halves
(benchmarks/RESULTS.md, "Fusion, issue 11"), not on one set, and kept in round 3 against
fusions that mix rank and score: `mix` (plain RRF and `adaptive` blended, by a fixed share or by
how far the rankers agree on their first pages, `agreement`) and CombSUM/CombMNZ over min-max scores.
Those stay here, measured and tested, for `fuse_hybrid` callers and the benchmarks; none won.

All fuse each ranker's first `CANDIDATES` hits (the head); a deeper hit counts as much as a
missing one. Without that the order of the first ten would depend on how deep the caller
asked (a z-score's mean and spread, RRF's vote from rank 120): `search -k 10` and an
evaluation that asks for 200 chunks would rank differently. Hits below every head are
ordered after them by their full-depth fusion.

A page is one thing to the user but several chunks to the rankers: BM25 may rank the
paragraph that names the query's words and dense the one that explains them, two chunks of
one page, each then heard by one ranker only. With `pages` and `page_credit`, a head chunk one
ranker did not return in its head gets `page_credit` of the way from that ranker's missing
value up to its best vote for a chunk of the same page: the page's evidence, discounted
because it is about a neighbour of the chunk, not the chunk itself.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from secondbrain_core.settings import Settings

FUSIONS: tuple[str, ...] = ("adaptive", "rrf", "zscore", "mix", "combsum", "combmnz")
CANDIDATES = 50  # per ranker: what fusion weighs and what the reranker reads
Scored = Sequence[tuple[Hashable, float]]
# one ranker's vote: per-item value and the value of an item it did not return
Vote = tuple[dict[Hashable, float], float]


@dataclass
class Fused:
    """A fusion before it is sorted: each item's head score and full-depth score (the
    tie-break), and the floors, what an item no ranker returned would get in each."""

    order: list[Hashable]  # first-seen order: the last tie-break
    head: dict[Hashable, float]
    full: dict[Hashable, float]
    head_floor: float
    full_floor: float

    def ranked(self) -> list[tuple[Hashable, float]]:
        """Items by head score, then full-depth score, then first-seen order."""
        index = {item: i for i, item in enumerate(self.order)}
        return [
            (item, self.head[item])
            for item in sorted(self.order, key=lambda item: (-self.head[item], -self.full[item], index[item]))
        ]

    def scaled(self) -> Fused:
        """Both scores mapped so the floor is 0 and the best item 1 (all 0 when nothing is above
        the floor): the same scale whatever the fusion's units, and the same at any depth,
        because the floor and the head's best do not depend on how deep the rankers were read."""

        def scale(scores: dict[Hashable, float], floor: float) -> dict[Hashable, float]:
            span = max(scores.values(), default=floor) - floor
            return {item: (v - floor) / span if span > 0 else 0.0 for item, v in scores.items()}

        return Fused(self.order, scale(self.head, self.head_floor), scale(self.full, self.full_floor), 0.0, 0.0)

    def times_voters(self, heads: Sequence[set], fulls: Sequence[set]) -> Fused:
        """CombMNZ: each score times the number of rankers that returned the item (in their head
        for the head score)."""
        head = {item: v * sum(item in h for h in heads) for item, v in self.head.items()}
        full = {item: v * sum(item in f for f in fulls) for item, v in self.full.items()}
        return Fused(self.order, head, full, 0.0, 0.0)


def rrf(
    rankings: Sequence[Sequence[Hashable]],
    k: int = 60,
    weights: Sequence[float] | None = None,
    head: int | None = None,
) -> list[tuple[Hashable, float]]:
    """Items by descending sum of weight / (k + rank) over the rankings (rank starts at 1).

    Equal weights (the default) are plain RRF. Ranks below `head` vote nothing. Ties keep the
    order in which items were first seen, so results are deterministic.
    """
    weights = weights if weights is not None else [1.0] * len(rankings)
    votes = [_rrf_votes(ranking, k, head) for ranking in rankings]
    return _combine(rankings, votes, weights).ranked()


def zscore_fusion(
    rankings: Sequence[Scored], weights: Sequence[float], head: int | None = None
) -> list[tuple[Hashable, float]]:
    """Items by descending weighted sum of their z-scores within each ranker's first `head` hits.

    An item a ranker did not return, or returned below its head, gets that ranker's lowest
    z-score in the head (it ranked below all of them). A ranker with one candidate, or all
    scores equal, gives its candidates z = 1 and the missing 0: it found something, but says
    nothing about the order.
    """
    votes = [_zscore_votes(ranking, head) for ranking in rankings]
    return _combine([[item for item, _ in ranking] for ranking in rankings], votes, weights).ranked()


def fuse_hybrid(
    bm25: Scored,
    dense: Scored,
    *,
    method: str = "rrf",
    k: int = 60,
    dense_weight: float = 0.5,
    head: int | None = CANDIDATES,
    pages: Mapping[Hashable, Hashable] | None = None,
    page_credit: float = 0.0,
    coverage: float | None = None,
    dense_weight_range: tuple[float, float] = (0.3, 0.9),
    rrf_share: float | None = None,
    bm25_fill: int = 0,
) -> list[tuple[Hashable, float]]:
    """BM25 and dense (item, score) rankings fused; `dense_weight` 0.5 gives both an equal vote.

    Weights are scaled so that 0.5 with `rrf` reproduces plain RRF scores exactly. `pages` maps
    items to their page for `page_credit` (0: items are strangers, the plain fusions).
    `adaptive` ignores `dense_weight`: it reads `coverage` (`query_coverage`; None when unknown,
    as on Atlas) and the two heads, within `dense_weight_range` (low, high). `mix` blends plain
    RRF and `adaptive`, each scaled to [0, 1] (`blend`): `rrf_share` of the way to plain RRF,
    or, when None, as far as the rankers agree on their first ten pages (`agreement`).
    `bm25_fill`: how many items BM25 could have returned in its head (the index's chunk count,
    capped at `head`); those it did not return count as scored 0, which they are (`zero_filled`).
    `combsum`/`combmnz` add each ranker's min-max scaled scores (CombMNZ times the number of
    rankers that returned the item in their head), at equal weight.
    """
    options = _Options(k, dense_weight, head, pages, page_credit, coverage, dense_weight_range, bm25_fill)
    if method == "mix":
        share = agreement(bm25, dense, pages) if rrf_share is None else rrf_share
        plain = _fused("rrf", bm25, dense, _Options(k=k, head=head))
        return blend(plain, _fused("adaptive", bm25, dense, options), share).ranked()
    if method not in FUSIONS:
        raise ValueError(f"unknown fusion {method!r}; use one of {', '.join(FUSIONS)}")
    return _fused(method, bm25, dense, options).ranked()


def agreement(bm25: Scored, dense: Scored, pages: Mapping[Hashable, Hashable] | None = None, top: int = 10) -> float:
    """How far the two rankers agree: the share of the pages among each one's first `top` hits
    that the other's first `top` also holds (|A & B| / max(|A|, |B|); items are their own page
    without `pages`), 0 when either returned nothing.

    Two rankers that find the same pages are both reading the query right, and then rank fusion
    (RRF), which hears them equally and ignores how loud each is, is the safe merge; when they
    disagree, one of them is wrong, and the scores' shape (`adaptive`) says which."""
    page = (lambda item: pages[item]) if pages is not None else (lambda item: item)
    first = [{page(item) for item, _ in ranking[:top]} for ranking in (bm25, dense)]
    if not first[0] or not first[1]:
        return 0.0
    return len(first[0] & first[1]) / max(len(first[0]), len(first[1]))


def blend(a: Fused, b: Fused, share_a: float) -> Fused:
    """`share_a` of `a` plus the rest of `b`, each first scaled to [0, 1] (`Fused.scaled`), so
    that the two fusions' units (RRF's 1/(k + rank), z-scores) weigh what their weights say."""
    a, b = a.scaled(), b.scaled()
    share_b = 1.0 - share_a
    order = list(dict.fromkeys([*a.order, *b.order]))
    head = {item: share_a * a.head.get(item, 0.0) + share_b * b.head.get(item, 0.0) for item in order}
    full = {item: share_a * a.full.get(item, 0.0) + share_b * b.full.get(item, 0.0) for item in order}
    return Fused(order, head, full, 0.0, 0.0)


def credit_pages(
    vote: Vote,
    head: Sequence[Hashable],
    candidates: Iterable[Hashable],
    pages: Mapping[Hashable, Hashable],
    credit: float,
) -> Vote:
    """One ranker's `vote` with each candidate outside its `head` raised `credit` of the way
    from the missing value to the ranker's best vote for a head chunk of the same page (kept
    where the ranker has no chunk of that page in its head)."""
    values, missing = vote
    best: dict[Hashable, float] = {}
    for item in head:
        page = pages[item]
        best[page] = max(best.get(page, values[item]), values[item])
    in_head = set(head)
    credited = dict(values)
    for item in candidates:
        page = pages[item]
        if item not in in_head and page in best:
            credited[item] = max(values.get(item, missing), missing + credit * (best[page] - missing))
    return credited, missing


def query_coverage(term_weights: Mapping[str, float], found: Iterable[str]) -> float:
    """The share of the query's term weight (`term_weights`: IDF per query term) that the
    terms `found` in BM25's best chunk carry; 0 for a query with no terms."""
    total = math.fsum(term_weights.values())
    if total <= 0:
        return 0.0
    present = set(found)
    return math.fsum(w for term, w in term_weights.items() if term in present) / total


def dense_prior(coverage: float | None, low: float, high: float) -> float:
    """The dense weight before the rankings are looked at: `low` when BM25's best chunk holds
    every query term, `high` when it holds none, the middle when nobody could tell."""
    if coverage is None:
        return (low + high) / 2
    return high - (high - low) * min(max(coverage, 0.0), 1.0)


def head_peak(ranking: Scored, head: int | None = CANDIDATES) -> float | None:
    """How far the first hit stands above the ranker's head: its z-score there (None when the
    head has fewer than two hits or no spread, so it tells nothing)."""
    top = [score for _, score in ranking[:head]]
    if len(top) < 2:
        return None
    mean, spread = mean_and_spread(top)
    if spread <= 1e-12 * max(1.0, abs(mean)):
        return None
    return (top[0] - mean) / spread


def peaked_weight(prior: float, bm25_peak: float | None, dense_peak: float | None) -> float:
    """`prior`'s two shares scaled by each ranker's peak (`prior` itself when either is unknown)."""
    if bm25_peak is None or dense_peak is None:
        return prior
    bm25_share, dense_share = (1 - prior) * max(bm25_peak, 0.0), prior * max(dense_peak, 0.0)
    if bm25_share + dense_share <= 0:
        return prior
    return dense_share / (bm25_share + dense_share)


def mean_and_spread(values: Sequence[float]) -> tuple[float, float]:
    """Mean and population standard deviation of a non-empty list of scores.

    By hand: `statistics.pstdev` is exact (fractions) and costs ~0.2 ms a call."""
    mean = math.fsum(values) / len(values)
    return mean, math.sqrt(math.fsum((value - mean) ** 2 for value in values) / len(values))


def zero_filled(ranking: Scored, head: int | None, fill: int) -> Scored:
    """`ranking` with placeholder items scored 0 after it, up to `fill` in all within `head`.

    BM25 returns only the chunks that hold a query term, and every other chunk scores exactly 0.
    A query whose words only two chunks hold returns a head of two, and standardized over those
    two alone the right one gets z = 1 (and the other -1), as loud as a guess among fifty; among
    the fifty it stands in (the other 48 at 0) it stands far above. The placeholders
    (`_Unreturned`) are never ranked: the fusion drops them."""
    room = min(fill, head if head is not None else fill) - len(ranking)
    return [*ranking, *((_Unreturned(i), 0.0) for i in range(room))] if room > 0 else ranking


@dataclass(frozen=True)
class _Unreturned:
    """A chunk BM25 did not return, standing in for its score of 0 (`zero_filled`)."""

    position: int


def fusion_options(settings: Settings) -> dict:
    """The `fuse_hybrid` keyword arguments the settings ask for (shared by the local and Atlas paths)."""
    return {
        "method": settings.hybrid_fusion,
        "k": settings.rrf_k,
        "dense_weight": settings.hybrid_dense_weight,
        "page_credit": settings.hybrid_page_credit,
        "dense_weight_range": (settings.hybrid_dense_weight_low, settings.hybrid_dense_weight_high),
    }


@dataclass(frozen=True)
class _Options:
    """`fuse_hybrid`'s keyword arguments but the method, as one value its branches share."""

    k: int = 60
    dense_weight: float = 0.5
    head: int | None = CANDIDATES
    pages: Mapping[Hashable, Hashable] | None = None
    page_credit: float = 0.0
    coverage: float | None = None
    dense_weight_range: tuple[float, float] = (0.3, 0.9)
    bm25_fill: int = 0


def _fused(method: str, bm25: Scored, dense: Scored, options: _Options) -> Fused:
    k, head, pages, page_credit = options.k, options.head, options.pages, options.page_credit
    dense_weight = options.dense_weight
    scored_bm25 = zero_filled(bm25, head, options.bm25_fill)
    if method == "adaptive":
        prior = dense_prior(options.coverage, *options.dense_weight_range)
        dense_weight = peaked_weight(prior, head_peak(scored_bm25, head), head_peak(dense, head))
    weights = [2 * (1 - dense_weight), 2 * dense_weight]
    rankings = [[item for item, _ in bm25], [item for item, _ in dense]]
    if method == "rrf":
        votes = [_rrf_votes(ranking, k, head) for ranking in rankings]
    elif method in ("zscore", "adaptive"):
        votes = [_zscore_votes(ranking, head) for ranking in (scored_bm25, dense)]
    else:  # combsum, combmnz: equal weights
        votes, weights = [_minmax_votes(ranking, head) for ranking in (bm25, dense)], [1.0, 1.0]
    if pages is not None and page_credit > 0:
        heads = [ranking[:head] for ranking in rankings]
        candidates = list(dict.fromkeys(item for top in heads for item in top))
        votes = [
            (credit_pages(vote, top, candidates, pages, page_credit), full)
            for (vote, full), top in zip(votes, heads, strict=True)
        ]
    fused = _combine(rankings, votes, weights)
    if method == "combmnz":
        fused = fused.times_voters([set(ranking[:head]) for ranking in rankings], [set(r) for r in rankings])
    return fused


def _rrf_votes(ranking: Sequence[Hashable], k: int, head: int | None) -> tuple[Vote, Vote]:
    full = {}
    for rank, item in enumerate(ranking, start=1):
        full.setdefault(item, 1.0 / (k + rank))
    in_head = set(ranking[:head])
    return ({item: v for item, v in full.items() if item in in_head}, 0.0), (full, 0.0)


def _minmax_votes(ranking: Scored, head: int | None) -> tuple[Vote, Vote]:
    """Scores scaled so the head's best is 1 and its worst 0; a missing item 0 (CombSUM's
    convention); all-equal heads give every head item 1."""
    top = [score for _, score in ranking[:head]]
    if not top:
        return ({}, 0.0), ({}, 0.0)
    low, high = min(top), max(top)
    if high - low <= 1e-12 * max(1.0, abs(high)):
        tied = {item: 1.0 for item, _ in ranking[:head]}
        return (tied, 0.0), (tied, 0.0)
    full = {item: (score - low) / (high - low) for item, score in ranking}
    in_head = {item for item, _ in ranking[:head]}
    return ({item: v for item, v in full.items() if item in in_head}, 0.0), (full, min(0.0, *full.values()))


def _zscore_votes(ranking: Scored, head: int | None) -> tuple[Vote, Vote]:
    top = [score for _, score in ranking[:head]]
    if not top:
        return ({}, 0.0), ({}, 0.0)
    mean, spread = mean_and_spread(top)
    if spread <= 1e-12 * max(1.0, abs(mean)):
        tied = {item: 1.0 for item, _ in ranking[:head]}
        return (tied, 0.0), (tied, 0.0)
    full = {item: (score - mean) / spread for item, score in ranking}
    floor = min(full[item] for item, _ in ranking[:head])
    clipped = {item: max(z, floor) for item, z in full.items()}
    return (clipped, floor), (full, min(full.values()))


def _combine(
    rankings: Sequence[Sequence[Hashable]], votes: Sequence[tuple[Vote, Vote]], weights: Sequence[float]
) -> Fused:
    """Weighted sums of the head votes and of the full-depth votes (which break the ties of items
    below every head)."""
    order = list(dict.fromkeys(item for ranking in rankings for item in ranking))

    def total(item: Hashable | None, which: int) -> float:
        return sum(w * vote[which][0].get(item, vote[which][1]) for vote, w in zip(votes, weights, strict=True))

    head = {item: total(item, 0) for item in order}
    full = {item: total(item, 1) for item in order}
    return Fused(order, head, full, total(None, 0), total(None, 1))
