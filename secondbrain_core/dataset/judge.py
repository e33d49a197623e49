"""A reference-free judge of a summary: does it say what the document is about, briefly, in its own words?

Offline there is no strong model to grade summaries, so the judge combines signals that need
none: MiniLM cosine similarity between summary and document (is it about the same thing), the
share of the document's key terms it names (the key term is what a one-line summary must get
right), and penalties for a length outside the style's range, for copying a long run of the
document verbatim and for looping on a few words. It ranks best-of-N candidates and drops weak
pairs; it never sees a reference.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from secondbrain_core.evals.rouge import tokenize

# words a style's summary should have (inclusive): outside, the length penalty grows per word
WORD_RANGE = {"one-sentence": (3, 24), "key-points": (12, 90), "answer-focused": (5, 50)}
KEY_TERMS = 3
CODE = re.compile(r"`([^`\n]{2,40})`")
STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "for",
        "on",
        "with",
        "by",
        "is",
        "are",
        "be",
        "as",
        "at",
        "it",
        "this",
        "that",
        "from",
        "can",
        "not",
        "use",
        "used",
        "using",
        "which",
        "when",
        "if",
        "its",
        "into",
        "than",
        "then",
        "also",
        "may",
        "will",
        "has",
        "have",
        "was",
        "were",
        "each",
        "any",
        "all",
        "other",
        "such",
        "more",
        "these",
        "those",
        "there",
        "their",
        "they",
        "you",
        "your",
        "one",
        "two",
        "only",
        "see",
        "note",
        "following",
    ]
)


@dataclass(frozen=True)
class Verdict:
    similarity: float
    coverage: float
    length_penalty: float
    copy_penalty: float
    repeat_penalty: float = 0.0

    @property
    def score(self) -> float:
        penalties = self.length_penalty + self.copy_penalty + self.repeat_penalty
        return round(0.6 * self.similarity + 0.4 * self.coverage - penalties, 4)


def key_terms(title: str, text: str, k: int = KEY_TERMS) -> list[str]:
    """The stemmed terms a summary should name: the title's words and code names first, then the most frequent."""
    counts = Counter(t for t in tokenize(text) if t not in STOPWORDS and len(t) > 2 and not t.isdigit())
    ranked = [t for t in tokenize(title) + tokenize(" ".join(CODE.findall(text[:2000]))) if t not in STOPWORDS]
    ranked += [t for t, _ in counts.most_common(2 * k)]
    return list(dict.fromkeys(ranked))[:k]


def longest_copied_run(summary: list[str], text: list[str]) -> int:
    """The longest run of consecutive summary tokens found, in order, in the text."""
    positions: dict[str, list[int]] = {}
    for i, token in enumerate(text):
        positions.setdefault(token, []).append(i)
    best, previous = 0, {}
    for token in summary:
        current = {i: previous.get(i - 1, 0) + 1 for i in positions.get(token, [])}
        best = max([best, *current.values()])
        previous = current
    return best


def copy_ratio(summary: str, text: str) -> float:
    """Share of the summary that is one verbatim run of the document (1.0: copied whole)."""
    tokens = tokenize(summary)
    return longest_copied_run(tokens, tokenize(text)) / len(tokens) if tokens else 0.0


def repeat_penalty(summary: str) -> float:
    """Small models loop ("ANALYZE: ANALYZE: ..."): penalize a summary with few distinct words."""
    tokens = tokenize(summary)
    return max(0.0, 0.6 - len(set(tokens)) / len(tokens)) if len(tokens) >= 4 else 0.0


class Judge:
    """Scores (document, summary) pairs; the document embeddings are cached across candidates."""

    def __init__(self, embed) -> None:
        self._embed = embed  # list[str] -> unit vectors (a local MiniLM by default)
        self._documents: dict[str, np.ndarray] = {}

    @classmethod
    def local(cls) -> Judge:
        from secondbrain_core.rag.embedders import embedder_for
        from secondbrain_core.settings import Settings

        return cls(embedder_for(Settings(embedder="minilm")).embed_documents)

    def verdicts(self, title: str, text: str, summaries: list[str], style: str) -> list[Verdict]:
        key = f"{title}\n{text}"
        if key not in self._documents:
            self._documents[key] = self._embed([f"{title}\n{text[:2000]}"])[0]
        vectors = self._embed(summaries) if summaries else np.zeros((0, 1))
        terms = key_terms(title, text)
        low, high = WORD_RANGE[style]
        out = []
        for summary, vector in zip(summaries, vectors, strict=True):
            tokens = set(tokenize(summary))
            words = len(summary.split())
            out.append(
                Verdict(
                    similarity=max(0.0, float(vector @ self._documents[key])),
                    coverage=sum(t in tokens for t in terms) / len(terms) if terms else 0.0,
                    length_penalty=0.02 * max(low - words, words - high, 0),
                    copy_penalty=max(0.0, copy_ratio(summary, text) - 0.6),
                    repeat_penalty=repeat_penalty(summary),
                )
            )
        return out
