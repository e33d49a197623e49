"""Questions asking what an abbreviation stands for, and the text that spells it out (pure, no model).

"what does QRMP stand for", "SBT stands for?", "BBS meaning" ask for the words whose initials make
the abbreviation. Notes say it in a glossary row ("| QRMP | Quarterly Return Monthly Payment |")
or a list item ("**SBT** – spontaneous breathing trial"), while other notes use the abbreviation
in passing ("Scheme: QRMP — quarterly GSTR-1 …") and match the question's words as well. The
words that spell it out, next to it, are the answer, and a shape no other sentence has.
"""

from __future__ import annotations

import re

_ABBREVIATION = r"(?P<abbreviation>[^\W\d_]{2,6})"
_ASKS = (
    re.compile(
        rf"^\W*(?:what(?:'s|’s| is| does| do)\s+)?(?:an?\s+|the\s+)?{_ABBREVIATION}\s+"
        r"(?:stands?\s+for|means?|meaning|short\s+for|abbreviation)\W*$",
        re.I,
    ),
    re.compile(rf"^\W*(?:meaning|definition)\s+of\s+(?:the\s+)?{_ABBREVIATION}\W*$", re.I),
    # "what is QRMP": an abbreviation only when typed in capitals
    re.compile(r"^\W*what(?:'s|’s| is)\s+(?:an?\s+|the\s+)?(?P<abbreviation>[A-Z]{2,6})\W*$"),
)
# "stands for" asks what "means" asks, and neither is a word of the answer (nor one to translate)
_STANDS_FOR = re.compile(r"\bstands?\s+for\b", re.I)
# what may stand between the words spelling it out: "Quarterly Return Monthly Payment", "Richmond
# agitation-sedation scale", "suitably qualified person", "Bill of Quantities"
_BETWEEN_WORDS = r"[\s/-]+(?:(?:of|and|the|for|to|in|on|a|an|&)[\s/-]+)*"
_NEAR = 8  # characters of marks between the abbreviation and its words ("**SBT** – spontaneous")


def asked_abbreviation(question: str) -> str | None:
    """The abbreviation the question asks the meaning of, as typed; else None."""
    match = next(filter(None, (asks.match(question.strip()) for asks in _ASKS)), None)
    return match.group("abbreviation") if match else None


def spelled_out(abbreviation: str) -> re.Pattern:
    """The shape of `abbreviation` next to the words whose initials make it, either way round:
    "| QRMP | Quarterly Return Monthly Payment |", "Bar Bending Schedule (BBS)"."""
    words = _spelling(abbreviation)
    name = rf"\b{re.escape(abbreviation)}\b"
    return re.compile(rf"{name}[^\w\n]{{0,{_NEAR}}}\b{words}\b|\b{words}[^\w\n]{{0,{_NEAR}}}{name}", re.I)


def initials(abbreviation: str) -> re.Pattern:
    """The words whose initials make `abbreviation`, wherever written: "break even cpm" asks of
    the note "Cost per mile – 2026", which never writes "CPM"."""
    return re.compile(rf"\b{_spelling(abbreviation)}\b", re.I)


def _spelling(abbreviation: str) -> str:
    return _BETWEEN_WORDS.join(rf"{re.escape(letter)}[^\W\d_]*" for letter in abbreviation)


def plainly_asked(question: str) -> str:
    """`question` with "stand(s) for" said as "mean(s)": "SBT stands for?" asks "SBT means?"."""
    return _STANDS_FOR.sub(lambda said: "means" if said.group().lower().startswith("stands") else "mean", question)
