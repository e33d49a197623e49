"""Instruction/summary pairs: who writes each summary (a human or a teacher model), and in which style.

A document that already carries a human one-line summary (a Notion `Summary` column, a man
page's NAME line) gives that as its one-sentence pair, and a note's key-points and
answer-focused pairs are composed from it and the note's own opening sentences (`derived.py`).
Every other (document, style) is written by the teacher: the configured OpenAI-compatible LLM
when there is one; offline the local base model only when `dataset_offline_teacher` is set (it
costs 3-70 s a pair on 2 cores, its key points loop or copy, and its pairs can never serve as
references). It answers greedily (`dataset_best_of` 1): on the notes whose Summary a person
wrote, best-of-4 sampling picked by the reference-free judge scored below the greedy answer
against the human line (ROUGE-L 0.26 vs 0.35 on the 4 notes the comparison reached on the shared
2 cores: the judge rewards naming more key terms, so it picks longer answers); the judge still
filters loops and copies. RESULTS.md "Training" has the comparison.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

from secondbrain_core.dataset.derived import COMPOSERS, STRUCTURE
from secondbrain_core.dataset.documents import Document
from secondbrain_core.dataset.judge import Judge
from secondbrain_core.llm.styles import STYLES
from secondbrain_core.llm.summarize import summary_messages, truncate_for_context
from secondbrain_core.llm.types import LLMClient
from secondbrain_core.settings import Settings

log = logging.getLogger(__name__)
SAMPLING_TEMPERATURE = 0.8
HUMAN = "human"
HUMAN_WRITTEN = (HUMAN, STRUCTURE)  # pairs whose summary no model wrote: references, never judged


@dataclass(frozen=True)
class Pair:
    doc_id: str
    source: str
    style: str
    title: str
    text: str
    question: str
    summary: str
    teacher: str
    judge_score: float

    def record(self) -> dict:
        return asdict(self)


def question_for(doc: Document) -> str:
    """The question an answer-focused pair answers: what the document says about its own topic."""
    return f"What does the note say about {doc.title}?"


def document_text(doc: Document, settings: Settings) -> str:
    """The document as the pair holds it: cut (at a sentence) to what training and the teacher read."""
    return truncate_for_context(doc.text, settings.dataset_max_chars)


class Teacher:
    """A model writing summaries: greedy, plus `n - 1` samples, the judge's favourite kept."""

    def __init__(self, client: LLMClient, judge: Judge, settings: Settings, n: int, name: str) -> None:
        self.client, self.judge, self.settings, self.n, self.name = client, judge, settings, max(1, n), name

    def write(self, doc: Document, text: str, style: str, question: str) -> tuple[str, float]:
        chosen = STYLES[style]
        messages = summary_messages(text, self.settings, style, question)
        candidates = []
        for i in range(self.n):
            temperature = 0.0 if i == 0 else SAMPLING_TEMPERATURE
            result = self.client.chat(messages, max_tokens=chosen.max_tokens, temperature=temperature)
            candidates.append(chosen.shape(result.text))
        verdicts = self.judge.verdicts(doc.title, text, candidates, style)
        best = max(range(len(candidates)), key=lambda i: verdicts[i].score)
        return candidates[best], verdicts[best].score


def teacher_for(settings: Settings, judge: Callable[[], Judge] = Judge.local) -> Teacher | None:
    """The OpenAI-compatible LLM when configured (one greedy answer); offline the base model best-of-N
    only when `dataset_offline_teacher` asks for it, else none (the notes' own summaries are used)."""
    from secondbrain_core.llm import llm_for, local_llm

    if settings.openai_api_key or settings.openai_base_url:
        return Teacher(llm_for(settings), judge(), settings, 1, f"openai:{settings.openai_model}")
    if not settings.dataset_offline_teacher:
        return None
    n = settings.dataset_best_of
    name = "base-zero-shot" if n == 1 else f"base-best-of-{n}"
    return Teacher(local_llm(settings, "base"), judge(), settings, n, name)


def pairs_for(doc: Document, styles: list[str], teacher: Teacher | None, settings: Settings) -> list[Pair]:
    """One pair per style: what the document's authors wrote when it has a human summary (the summary
    itself for one-sentence, composed from it and the note's opening sentences for the others), else
    the teacher's. Human-written pairs are references: not judged."""
    text, question = document_text(doc, settings), question_for(doc)
    pairs = []
    for style in styles:
        asked = question if style == "answer-focused" else ""
        composed = COMPOSERS[style](doc, text) if style in COMPOSERS else None
        if style == "one-sentence" and doc.summary:
            pairs.append(Pair(doc.doc_id, doc.source, style, doc.title, text, "", doc.summary, HUMAN, math.nan))
        elif composed:
            pairs.append(Pair(doc.doc_id, doc.source, style, doc.title, text, asked, composed, STRUCTURE, math.nan))
        elif teacher is not None:
            summary, score = teacher.write(doc, text, style, question)
            pairs.append(Pair(doc.doc_id, doc.source, style, doc.title, text, asked, summary, teacher.name, score))
    return pairs
