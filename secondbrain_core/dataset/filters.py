"""Filters that drop bad pairs before training, each counting what it dropped.

A pair a model learns from must be a summary: not empty, not longer than its style allows, not
the document's own sentence copied out (the model would learn to copy), and, when a teacher
wrote it, judged good enough. Human-written summaries skip the judge: they are the reference.
"""

from __future__ import annotations

from collections import Counter

from secondbrain_core.dataset.judge import copy_ratio
from secondbrain_core.dataset.pairs import HUMAN_WRITTEN, Pair

MAX_CHARS = {"one-sentence": 240, "key-points": 700, "answer-focused": 400}
COPY_LIMIT = 0.9  # share of the summary that is one verbatim run of the document
FILTERS = ("empty", "too_long", "copied", "judge_low")


def drop_reason(pair: Pair, min_judge: float) -> str | None:
    """Why `pair` must go (a FILTERS name), or None to keep it."""
    if len(pair.summary.split()) < 2:
        return "empty"
    if len(pair.summary) > MAX_CHARS[pair.style]:
        return "too_long"
    if len(pair.summary.split()) >= 6 and copy_ratio(pair.summary, pair.text) >= COPY_LIMIT:
        return "copied"
    if pair.teacher not in HUMAN_WRITTEN and pair.judge_score < min_judge:
        return "judge_low"
    return None


def apply_filters(pairs: list[Pair], min_judge: float) -> tuple[list[Pair], dict[str, int]]:
    """The pairs kept, and how many each filter dropped (every filter named, zeros included)."""
    kept, dropped = [], Counter({name: 0 for name in FILTERS})
    for pair in pairs:
        reason = drop_reason(pair, min_judge)
        if reason is None:
            kept.append(pair)
        else:
            dropped[reason] += 1
    return kept, dict(dropped)
