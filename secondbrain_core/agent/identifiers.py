"""Identifiers people give things: letters and digits in one word (pure, no model).

"halyard adapter v0.5 results", "tickets-v1 row count", "eval loss halyard-sum-r16-lr2e5" name a
version, a dataset, a run. Notes about v0.4, tickets-v3 or run -lr1e4 share every other word of
such a question, so their sentences score as well as the right ones would; but an identifier is
all or nothing: a note that never writes it is about something else. Notes and questions write the
same identifier with other separators ("KW 47" and "kw47", "UTF-8" and "utf8", "lr 2e-5" and
"lr2e5"), so identifiers are compared by their letters and digits alone.
"""

from __future__ import annotations

import re
import unicodedata

from secondbrain_core.agent.dates import YEAR
from secondbrain_core.agent.money import SIGNS

# what separates words: spaces, punctuation, Markdown marks, table pipes, "key=value"
_WORD = re.compile(r"[^\s,;:?!()\[\]{}<>\"'“”‘’«»|*`=]+")
_PART = re.compile(r"[-_./]+")
_EDGE = "./-_#~≈+" + SIGNS
_LETTER = re.compile(r"[^\W\d_]")
# a quantity, an ordinal or a size, not a name: "8b", "45min", "19th", "4pm", "10k", "2nd", "3x",
# "28-day", "5-star" (though "12-B" names a flat)
_QUANTITY = re.compile(r"\d+(?:[.,]\d+)?(?:[^\W\d_]+|-[^\W\d_]{2,})", re.I)
# a unit with its power: "per m2", "cm3"
_POWER = re.compile(r"(?:m|cm|mm|km|ft|in|sq)[23]", re.I)
_NEIGHBOURS = 3  # words written apart that a question may write as one ("KW 47" → "kw47")


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[\W_]", "", unicodedata.normalize("NFKC", text).lower())


def named_identifiers(question: str) -> list[str]:
    """The identifiers in `question`, as written: words holding a letter and a digit that are
    neither a quantity ("8b", "45min") nor a unit ("m2")."""
    named = []
    for word in _WORD.findall(unicodedata.normalize("NFKC", question)):
        word = word.strip(_EDGE)
        if not (any(c.isdigit() for c in word) and _LETTER.search(word)):
            continue
        if _QUANTITY.fullmatch(word) or _POWER.fullmatch(word):
            continue
        named.append(word)
    return named


def identifiers_held(text: str) -> set[str]:
    """Every way `text` can be said to hold an identifier: each word and each run of its parts
    ("halyard-sum-r16" holds "r16", "sumr16" and "halyardsumr16"), and runs of neighbouring words
    ("KW 47" holds "kw47"), by letters and digits alone."""
    words = [w.strip(_EDGE) for w in _WORD.findall(unicodedata.normalize("NFKC", text))]
    bare = [_letters_and_digits(w) for w in words]
    held: set[str] = set()
    for index, word in enumerate(words):
        parts = [p for p in map(_letters_and_digits, _PART.split(word)) if p]
        runs = ((start, end) for start in range(len(parts)) for end in range(start + 1, len(parts) + 1))
        held.update("".join(parts[start:end]) for start, end in runs)
        held.update("".join(bare[index:end]) for end in range(index + 1, min(index + _NEIGHBOURS, len(bare)) + 1))
    held.discard("")
    return held


def unheld_identifiers(question: str, holdings: str) -> list[str]:
    """The identifiers `question` names that `holdings` (the chosen passages with their titles
    and headings) never write: the passages are about another version, run or dataset. A year
    may be typed by its last two digits: "FY26-27" is the "FY 2026-27" the notes write."""
    held = identifiers_held(holdings) | identifiers_held(YEAR.sub(lambda year: year.group()[2:], holdings))
    return [name for name in named_identifiers(question) if _letters_and_digits(name) not in held]
