"""Typos in a question mended against the words the notes hold (pure, no model).

People type fast: "who owns the laod test", "whats the adress of the place". BM25 finds nothing
for a word no note holds, the evidence step counts it as a term the notes miss, and an answerable
question was declined. A word of the question that no indexed chunk holds is replaced by the
note word one edit away (a letter dropped, added, changed, or two swapped), the most frequent one
when several are. Left alone: words of the language (the tokenizer's whole words: "tunnel" over
notes that say "funnel" is a question about something else), short words (three letters are one
edit from too many words), words with digits, and capitalized words: a name the notes do not
hold ("Sarah" over notes that know a "Sara") is a question the notes cannot answer, not a typo.
A typo one edit from a function word is that word ("wich glaze" asks "which glaze"), and
shorthand people type about their own lives ("appt", "xmas", "meds") is written out when the
notes hold the long form and not the short one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from secondbrain_core.agent.evidence import QUESTION_WORDS, STOPWORDS
from secondbrain_core.rag.keyword import STOPWORDS as INDEX_STOPWORDS
from secondbrain_core.rag.tokens import is_vocabulary_word

_WORD = re.compile(r"[^\W\d_]+")
MIN_LENGTH = 4
# The letters an edit may bring in: English and the accents of the other languages notes are
# most often written in. A vocabulary-wide alphabet would hold thousands of CJK characters.
_LETTERS = "abcdefghijklmnopqrstuvwxyzäöüßéèêàâçñóíúôîù"
_FUNCTION_WORDS = STOPWORDS | QUESTION_WORDS | INDEX_STOPWORDS
# Shorthand → the long forms a note may use instead, first found wins.
_SHORTHAND = {
    "appt": ("appointment",),
    "appts": ("appointments", "appointment"),
    "xmas": ("christmas",),
    "bday": ("birthday",),
    "meds": ("medication", "medications", "medicine"),
    "insta": ("instagram",),
    "tmrw": ("tomorrow",),
    "dept": ("department",),
    "mgr": ("manager",),
    "addr": ("address",),
    "uni": ("university",),
    "approx": ("approximately",),
    "temp": ("temperature",),
    "mins": ("minutes",),
    "hrs": ("hours",),
    "yr": ("year",),
    "yrs": ("years",),
    "wk": ("week",),
    "wks": ("weeks",),
    "ref": ("reference",),
    "fav": ("favourite", "favorite"),
    "govt": ("government",),
    "docs": ("documents",),
    "pics": ("photos", "pictures"),
}


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away from `word`."""
    letters = set(_LETTERS) | set(word)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changes = {a + c + b[1:] for a, b in splits if b for c in letters}
    inserts = {a + c + b for a, b in splits for c in letters}
    return (deletes | swaps | changes | inserts) - {word}


def mend(question: str, frequencies: Mapping[str, int]) -> tuple[str, list[tuple[str, str]]]:
    """`question` with its typos replaced, and the (typed, mended) pairs.

    `frequencies` maps the notes' words, lower-cased as written, to how many chunks hold them.
    """
    mended: list[tuple[str, str]] = []

    def replace(match: re.Match) -> str:
        typed = match.group()
        lowered = typed.lower()
        long_forms = () if lowered in frequencies else _SHORTHAND.get(lowered, ())
        long_form = next((w for w in long_forms if w in frequencies), None)
        if long_form:
            mended.append((typed, long_form))
            return long_form
        if (
            len(lowered) < MIN_LENGTH
            or typed[0].isupper()
            or lowered in frequencies
            or lowered in _FUNCTION_WORDS
            or is_vocabulary_word(lowered)
        ):
            return typed
        edits = _one_edit(lowered)
        # "wich" is one edit from "ich", "with" and "which": same first letter, then a question word
        function_words = sorted(edits & _FUNCTION_WORDS, key=lambda w: (w[0] != lowered[0], w not in QUESTION_WORDS, w))
        near = [w for w in edits if frequencies.get(w, 0) > 0 and w not in _FUNCTION_WORDS]
        if not function_words and not near:
            return typed
        best = function_words[0] if function_words else max(near, key=lambda w: (frequencies[w], w))
        mended.append((typed, best))
        return best

    return _WORD.sub(replace, question), mended
