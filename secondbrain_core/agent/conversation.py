"""Follow-up questions made searchable with the conversation so far (pure, no model).

"and how do I turn it off?" names nothing to search for; the question it follows does. A
135M model rewrites such questions unreliably, so the rule is plain: a question that leans on
the conversation (a pronoun or a leading "and/what about", or too few words of its own) is
searched together with the user's previous question. A self-contained question is left alone,
so a change of topic is not dragged back to the last one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from secondbrain_core.agent.dates import YEAR, month_words, named_months
from secondbrain_core.agent.evidence import terms
from secondbrain_core.agent.types import MAX_QUESTION_CHARS, Turn

_REFERS_BACK = re.compile(
    r"\b(it|its|it's|that|this|these|those|they|them|their|there|one|ones|same|above|former|latter)\b"
    r"|\b(?:by|since|until|till|before|after|back) then\b",  # "how many ACs had been put in by then"
    re.IGNORECASE,
)
# a question opening with a person's pronoun ("his feb comeback job no?") asks of the one just named
_CONTINUES = re.compile(
    r"^\s*(and|also|but|so|then|what about|how about|and what|what if|why not|same for|his|her|hers|him|he|she)\b",
    re.I,
)
MIN_OWN_TERMS = 2
HISTORY_TURNS = 12  # the turns of the conversation an answer reads (and its trace records)


def recent(history: Sequence[Turn]) -> list[Turn]:
    """The last HISTORY_TURNS turns, each cut to MAX_QUESTION_CHARS: the chat passes its whole
    conversation, and each answer's trace stored all of it (a long chat grew the store by the
    square of its length) although only the last questions shape the search."""
    return [Turn(role=t.role, content=t.content[:MAX_QUESTION_CHARS]) for t in history[-HISTORY_TURNS:]]


def is_follow_up(question: str) -> bool:
    """Whether `question` needs the conversation to be understood."""
    return bool(_CONTINUES.search(question) or _REFERS_BACK.search(question)) or len(terms(question)) < MIN_OWN_TERMS


def standalone_question(question: str, history: Sequence[Turn]) -> str:
    """The text to search with: the question, preceded by the previous user question when it
    is a follow-up (the last one that was itself self-contained, so chains of follow-ups keep
    their topic)."""
    previous = [t.content for t in history if t.role == "user" and t.content.strip()]
    if not previous or not is_follow_up(question):
        return question
    anchor = next((q for q in reversed(previous) if not is_follow_up(q)), previous[-1])
    last = previous[-1]
    context = anchor if anchor == last else f"{anchor} {last}"
    return f"{without_days(context, question)} {question}"


def without_days(context: str, question: str) -> str:
    """`context` without its months and years when the follow-up names its own: "and in
    november?" after "somatic cells sept" asks of November only, "and at the april one?" after
    "covers figure from the march staff mtg" of April's (a month named after, "march" is one)."""
    months = month_words(context, everyday=True)
    if months and (named_months(question) or month_words(question)):
        # the day with its month: "households 3 nov distribution" then "what about the 24 nov one?"
        # asks of the 24th, and a "3" left behind would be a number no passage of it holds; so is
        # its year ("rope B at the Nov 2025 inspection", then "and after the february check?")
        month = "|".join(map(re.escape, months))
        day = r"\d{1,2}(?:st|nd|rd|th)?"
        year = r",?\s+(?:19|20)\d{2}"
        dated = rf"(?:{day}\s+(?:of\s+)?(?:{month})|(?:{month})\.?\s+{day}|{month})(?:{year})?"
        context = re.sub(rf"\b{dated}\b", " ", context)
    if YEAR.search(question):
        context = YEAR.sub(" ", context)
    return " ".join(context.split())
