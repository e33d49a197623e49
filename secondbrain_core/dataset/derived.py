"""Key-points and answer-focused pairs composed from what a note's authors wrote, with no model.

Offline there is no teacher stronger than the model being tuned: SmolLM2-135M asked for key
points loops ("- The note summarizes the main points of the note." five times) or copies, and its
pairs can never serve as references, since the base model would be scored against its own
answers. A note that carries a human one-line summary (a Notion `Summary` column) has what a
reference needs: that summary says what the note is for, and the note's authors open each
paragraph (or definition-list entry) with the sentence that says what it is about. So:

- answer-focused ("What does the note say about T?"): "T is used to <summary>." plus the note's
  first sentence;
- key-points: the same first line, then the opening sentence of each following paragraph.

Both are partly extractive (the key points are the authors' own opening sentences); they teach
the shape and the key terms of the user's notes. RESULTS.md "Training" measures what they give.
"""

from __future__ import annotations

import re

from secondbrain_core.dataset.documents import Document
from secondbrain_core.llm.styles import BULLET, MAX_POINTS, SENTENCE_END

STRUCTURE = "notes-structure"  # the Pair.teacher of a pair composed here
DEFINITION = re.compile(r"^[^\n]*\n:\s+", re.S)  # "`TERM`\n:   definition" (a Markdown definition list)
NOT_PROSE = ("    ", "```", "|", "#", ">", "[…]")  # code, tables, headings, quotes, the truncation mark
MIN_WORDS, MAX_WORDS = 4, 40
MAX_KEY_POINTS_CHARS = 600  # under the key-points filter's limit (filters.MAX_CHARS)


def opening_sentences(text: str) -> list[str]:
    """The first sentence of each prose paragraph of `text` (tables, code and fragments skipped)."""
    sentences = []
    for block in re.split(r"\n\s*\n", text):
        if block.startswith(NOT_PROSE) or block.lstrip().startswith(NOT_PROSE):
            continue
        paragraph = BULLET.sub("", DEFINITION.sub("", block.strip()))
        sentence = SENTENCE_END.split(" ".join(paragraph.split()), maxsplit=1)[0]
        if MIN_WORDS <= len(sentence.split()) <= MAX_WORDS and sentence[-1] in ".!?":
            sentences.append(sentence)
    return sentences


def summary_line(doc: Document) -> str:
    assert doc.summary
    return f"{doc.title} is used to {doc.summary.rstrip('.')}."


def answer(doc: Document, text: str) -> str | None:
    """The answer to "What does the note say about <title>?": its purpose, then its first sentence."""
    if not doc.summary:
        return None
    openings = opening_sentences(text)
    return " ".join([summary_line(doc), *openings[:1]])


def key_points(doc: Document, text: str) -> str | None:
    """Up to five "- " points: the note's purpose, then its paragraphs' opening sentences."""
    if not doc.summary:
        return None
    points = [summary_line(doc)]
    for sentence in opening_sentences(text):
        if len(points) == MAX_POINTS or sum(len(p) + 3 for p in [*points, sentence]) > MAX_KEY_POINTS_CHARS:
            break
        points.append(sentence)
    return "\n".join(f"- {p}" for p in points) if len(points) >= 2 else None


COMPOSERS = {"answer-focused": answer, "key-points": key_points}
