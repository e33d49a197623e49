"""Notes in a series: numbered or dated alike in their titles (pure, no model).

"jasper week 8 check-in notes" over "Preceptee Jasper – week 2", "– week 4", "– week 6" asks of a
week the notes do not record, though week 6's text mentions week 8 and its sentences match; "notes
from 1:1 with priya on 3 dec" over the one note "1-1 Priya – 19 Nov 2026" asks of a meeting that
has no note. As a question naming a year no note is titled with (`evidence.named_for_another_year`),
such a question is declined whatever the support.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from secondbrain_core.agent.dates import days_named
from secondbrain_core.agent.evidence import stem, terms
from secondbrain_core.rag.keyword import CALENDAR

# a word and the number it is numbered with: "week 6", "Sprint #14", "KW 47"; not "3.07", "6/10"
_NUMBERED = re.compile(r"\b([^\W\d_]{2,})\s*[-–#]?\s*(\d{1,3})(?![\w.,:/])")
_MONTHS = frozenset(CALENDAR.values())


def _numbered(text: str) -> set[tuple[str, int]]:
    return {(stem(word.lower()), int(number)) for word, number in _NUMBERED.findall(text)}


def _words(title: str) -> set[str]:
    """A title's terms without its numbers and months: what names the series."""
    return {t for t in terms(re.sub(r"\d+", " ", title)) if t not in _MONTHS}


def named_in_series(question: str, titles: Sequence[str]) -> str | None:
    """What a title says its note is for ("week 6", "19 Nov 2026") when the question names that
    note's series by a word of its title but another number or day, and no title has the one
    asked; else None."""
    asked = set(terms(question))
    held = set().union(*map(_numbered, titles))
    for word, number in _numbered(question) - held:
        for title in titles:
            others = [n for w, n in _numbered(title) if w == word and n != number]
            if others and (_words(title) - {word}) & asked:
                return f"{word} {others[0]}"
    days = days_named(question)
    if days and not any(days & days_named(title) for title in titles):
        for title in titles:
            words = _words(title)
            if days_named(title) and words and words <= asked:
                return title
    return None
