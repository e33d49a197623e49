"""The records the assistant hands out: one answer with its numbered sources and the steps taken.

These are the `secondbrain ask --json` shape (INTERFACES.md) and what the chat renders, so
both faces stay copies of one record instead of two formats.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from secondbrain_core.errors import SecondBrainError

Role = Literal["user", "assistant"]
MAX_QUESTION_CHARS = 10_000
_BLANK_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}  # control, format (zero-width), separators


def check_question(question: str, what: str = "question") -> str:
    """The question, stripped; empty or over MAX_QUESTION_CHARS is the user's error. Empty means no
    visible character: a question of only zero-width spaces, NUL or other control and format
    characters would otherwise be searched as if it said something. Bytes of an argument that are
    not UTF-8 arrive as lone surrogates, which the tokenizer and the trace store cannot take."""
    try:
        question.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SecondBrainError(f"the {what} is not UTF-8 text (invalid bytes at character {exc.start + 1})") from exc
    text = question.strip()
    if all(unicodedata.category(c) in _BLANK_CATEGORIES for c in text):
        raise SecondBrainError(f"the {what} is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise SecondBrainError(f"the {what} has {len(question)} characters; the limit is {MAX_QUESTION_CHARS}")
    return text


class Turn(BaseModel):
    """One message of the conversation so far (the chat passes them back in)."""

    role: Role
    content: str


class Source(BaseModel):
    """A cited page: `passage` is text of that page, the evidence the answer's [n] points to."""

    title: str
    url: str
    page_id: str
    chunk_id: str
    passage: str


class Step(BaseModel):
    """One thing the program did (search, select, compose, a tool call), with what it cost."""

    name: str
    detail: str = ""
    seconds: float = 0.0


class StepLog(list):
    """The steps of one answer, each handed to `on_event` as it is recorded (the chat shows them live)."""

    def __init__(self, on_event: Callable[[Step], None] | None = None) -> None:
        super().__init__()
        self.on_event = on_event

    def append(self, step: Step) -> None:
        super().append(step)
        if self.on_event is not None:
            self.on_event(step)


class Answer(BaseModel):
    """An answer to one question; `found` is false when the notes do not answer it."""

    answer: str
    found: bool
    sources: list[Source] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    trace_id: str | None = None

    def as_json(self) -> dict:
        """Exactly the INTERFACES.md shape of `ask --json`."""
        return {
            "answer": self.answer,
            "found": self.found,
            "sources": [s.model_dump() for s in self.sources],
            "steps": [s.model_dump() for s in self.steps],
            "trace_id": self.trace_id,
        }
