"""How an answer is judged against a dev-set question (pure functions).

- page hit: the page that answers it is among the first three cited sources;
- fact: the answer text matches the question's fact regex (what a correct answer must say);
- declined: for a question the notes do not answer, `found` is false;
- invalid citations: a [n] marker with no source n, or a source whose passage is not text of
  its page (whitespace aside) — must be zero, whatever the model wrote.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel, Field

from secondbrain_core.agent.types import Answer

TOP_SOURCES = 3
_MARKER = re.compile(r"\[(\d+)\]")


class DevQuestion(BaseModel):
    """One line of the agent dev set (`benchmarks/agent/questions.jsonl`)."""

    id: str
    question: str
    answerable: bool
    page_id: str | None = None
    also_pages: list[str] = Field(default_factory=list)
    fact: str | None = None
    history: list[dict] = Field(default_factory=list)


def page_hit(question: DevQuestion, answer: Answer) -> bool:
    wanted = {question.page_id, *question.also_pages} - {None}
    return any(s.page_id in wanted for s in answer.sources[:TOP_SOURCES])


def fact_found(question: DevQuestion, answer: Answer) -> bool:
    return bool(question.fact) and re.search(question.fact, answer.answer, re.IGNORECASE) is not None


def declined(answer: Answer) -> bool:
    return not answer.found


def _flat(text: str) -> str:
    return " ".join(text.split())


def invalid_citations(answer: Answer, page_text: Callable[[str], str | None]) -> int:
    """Markers pointing at no source, plus sources whose passage is not text of their page."""
    numbers = {int(n) for n in _MARKER.findall(answer.answer)}
    dangling = sum(1 for n in numbers if not 1 <= n <= len(answer.sources))
    unfaithful = 0
    for source in answer.sources:
        text = page_text(source.page_id)
        if text is None or _flat(source.passage) not in _flat(text):
            unfaithful += 1
    return dangling + unfaithful
