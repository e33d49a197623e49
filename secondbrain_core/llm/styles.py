"""The summary styles: what each asks the model for, and how its answer is cut to that shape.

A style's prompt is part of the tuned model's contract (the fine-tuning pairs are built with
it), so each carries a version that changes whenever its wording does. Small models ramble
past what they were asked for; `shape` keeps the answer in the style asked (one sentence is
the first sentence of the first line), so a score measures the summary, not the rambling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from secondbrain_core.errors import SecondBrainError

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
LEAD_IN = re.compile(r"^(?:summary|one-sentence summary|answer|key points)\s*:\s*", re.I)
MAX_POINTS = 5
DEFAULT_QUESTION = "What is this note about?"


def first_sentence(text: str) -> str:
    """The first sentence of the first non-empty line, without a bullet or a "Summary:" lead-in."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = LEAD_IN.sub("", BULLET.sub("", line))
    return SENTENCE_END.split(line, maxsplit=1)[0].strip()


def key_points(text: str) -> str:
    """Up to five "- " bullet lines; prose without bullets becomes one bullet per sentence."""
    lines = [LEAD_IN.sub("", line.strip()) for line in text.splitlines() if line.strip()]
    bullets = [BULLET.sub("", line) for line in lines if BULLET.match(line)]
    points = bullets or [s for line in lines for s in SENTENCE_END.split(line)]
    return "\n".join(f"- {p.strip()}" for p in points[:MAX_POINTS] if p.strip())


def short_answer(text: str) -> str:
    """The first paragraph, at most two sentences."""
    paragraph = LEAD_IN.sub("", text.strip().split("\n\n", 1)[0].strip())
    return " ".join(SENTENCE_END.split(" ".join(paragraph.split()))[:2])


@dataclass(frozen=True)
class Style:
    name: str
    version: str  # bumped with any change to `instruction`
    instruction: str  # `{question}` is filled for the answer-focused style
    max_tokens: int
    shape: Callable[[str], str]

    def user_prompt(self, text: str, question: str | None = None) -> str:
        return f"{self.instruction.format(question=question or DEFAULT_QUESTION)}\n\n{text}"


STYLES = {
    style.name: style
    for style in [
        Style(
            "one-sentence",
            "summarize-one-sentence-v1",
            "Summarize the following note in one short sentence.",
            48,
            first_sentence,
        ),
        Style(
            "key-points",
            "summarize-key-points-v1",
            "List the key points of the following note as three to five short bullet points.",
            128,
            key_points,
        ),
        Style(
            "answer-focused",
            "summarize-answer-focused-v1",
            "Answer the question in one or two sentences, using only the note.\nQuestion: {question}",
            96,
            short_answer,
        ),
    ]
}
DEFAULT_STYLE = "one-sentence"


def get_style(name: str) -> Style:
    if name not in STYLES:
        raise SecondBrainError(f"unknown summary style {name!r}; use one of {', '.join(STYLES)}")
    return STYLES[name]
