"""Typos in a question mended against the words the notes hold (pure, no model).

People type fast: "who owns the laod test", "whats the adress of the place". BM25 finds nothing
for a word no note holds, the evidence step counts it as a term the notes miss, and an answerable
question was declined. A word of the question that no indexed chunk holds is replaced by the
note word one edit away (a letter dropped, added, changed, or two swapped), the most frequent one
when several are. Left alone: words of the language (the tokenizer's whole words and an English
word list: "tunnel" over notes that say "funnel", "platter" over "planter" are questions about
something else), short words (three letters are one edit from too many words), words with
digits, and capitalized words: a name the notes do not hold ("Sarah" over notes that know a
"Sara") is a question the notes cannot answer, not a typo. A typo one edit from a function
word is that word ("wich glaze" asks "which glaze"). In a question in another language, whose
words no list here holds, a long word is mended only to an English word of the notes, its
cognate ("temperatura" → "temperature"): "hoch" is no typo of "noch", nor "sein" of "seit".
Shorthand people type about their own lives ("appt", "xmas", "meds") is written out when the
notes hold the long form and not the short one, and the long form shortened when the notes
write only the short one ("reference" → "ref"); shorthand the notes hold in neither form is no
typo ("appt" is not "app").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping

from spellchecker import SpellChecker

from secondbrain_core.agent.evidence import OTHER_LANGUAGE_WORDS, QUESTION_WORDS, STOPWORDS, words
from secondbrain_core.agent.shorthand import SHORT_FORMS, SHORTHAND
from secondbrain_core.rag.keyword import STOPWORDS as INDEX_STOPWORDS
from secondbrain_core.rag.tokens import is_vocabulary_word

# a word as typed: letters not glued to digits ("bfloat16", "v2" and "2nd" are no words to mend)
WHOLE_WORD = re.compile(r"(?<![^\W_])[^\W\d_]+(?![^\W_])")
MIN_LENGTH = 4
MIN_FOREIGN_LENGTH = 6  # "sein" is one edit from the English "seen"; "temperatura" is telling
# The letters an edit may bring in: English and the accents of the other languages notes are
# most often written in. A vocabulary-wide alphabet would hold thousands of CJK characters.
_LETTERS = "abcdefghijklmnopqrstuvwxyzäöüßéèêàâçñóíúôîù"
_FUNCTION_WORDS = STOPWORDS | QUESTION_WORDS | INDEX_STOPWORDS


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away from `word`."""
    letters = set(_LETTERS) | set(word)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changes = {a + c + b[1:] for a, b in splits if b for c in letters}
    inserts = {a + c + b for a, b in splits for c in letters}
    return (deletes | swaps | changes | inserts) - {word}


@functools.cache
def _english() -> SpellChecker:
    """pyspellchecker's English word list (160k words, no typos), loaded at the first word that
    needs it (0.2 s)."""
    return SpellChecker(language="en", distance=1)


def is_english(word: str) -> bool:
    """Whether the lower-cased `word` is in the English word list."""
    return word in _english()


def _function_word_order(typed: str) -> Callable[[str], tuple[bool, bool, str]]:
    """The order near function words are tried in: "wich" is one edit from "ich", "with" and
    "which"; the same first letter first, then a question word."""
    return lambda word: (word[0] != typed[0], word not in QUESTION_WORDS, word)


def mend(question: str, frequencies: Mapping[str, int]) -> tuple[str, list[tuple[str, str]]]:
    """`question` with its typos replaced, and the (typed, mended) pairs.

    `frequencies` maps the notes' words, lower-cased as written, to how many chunks hold them.
    """
    foreign = bool(OTHER_LANGUAGE_WORDS.intersection(words(question)))
    mended: list[tuple[str, str]] = []

    def replace(match: re.Match) -> str:
        typed = match.group()
        lowered = typed.lower()
        other_forms = () if lowered in frequencies else SHORTHAND.get(lowered, ()) + SHORT_FORMS.get(lowered, ())
        written = next((w for w in other_forms if w in frequencies), None)
        if written:
            mended.append((typed, written))
            return written
        if (
            len(lowered) < MIN_LENGTH
            or typed[0].isupper()
            or lowered in frequencies
            or lowered in _FUNCTION_WORDS
            or lowered in SHORTHAND
            or is_vocabulary_word(lowered)
        ):
            return typed
        edits = _one_edit(lowered)
        near_function_words = [] if foreign else sorted(edits & _FUNCTION_WORDS, key=_function_word_order(lowered))
        near = [w for w in edits if frequencies.get(w, 0) > 0 and w not in _FUNCTION_WORDS]
        if foreign:
            near = [w for w in near if len(lowered) >= MIN_FOREIGN_LENGTH and is_english(w)]
        # the word list is read last: loading it costs 0.2 s, and most unknown words have no near word
        if (not near_function_words and not near) or is_english(lowered):
            return typed
        best = near_function_words[0] if near_function_words else max(near, key=lambda w: (frequencies[w], w))
        mended.append((typed, best))
        return best

    return WHOLE_WORD.sub(replace, question), mended
