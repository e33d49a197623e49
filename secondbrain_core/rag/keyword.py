"""BM25 over chunk texts (with their context), via bm25s; rebuilt whole on each sync.

bm25s cannot add or remove documents, but tokenizing and indexing even 100k chunks takes
seconds, far less than embedding them, so only the vectors are maintained incrementally.
Each build writes into its own generation folder (`rag/generations.py`), never over a live one.

Words are analyzed (`analyze`) as lower-cased `\\w+` tokens, without function words, with
plural endings folded ("recipes" ~ "recipe", "queries" ~ "query"): a person types a topic in
the singular and wrote about it in the plural, or the other way round; so are accents
("Montréal" ~ "montreal") and the long and short names of months and weekdays ("October" ~
"Oct"). bm25s's own 33 English stopwords leave "how", "my", "what", "do" in every question,
where they match the wrong notes; a full stemmer (Snowball) was tried and hurt the notes and
FAQ sets it did not help (benchmarks/RESULTS.md, issue 11). The index records which analyzer
built it, and a query is analyzed the same way: an index built before this analyzer keeps
answering with the one it was built with until the next sync rebuilds it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN

_WORD = re.compile(r"\w+")
_STOP = frozenset(STOPWORDS_EN)
# function words of questions and prose that name no topic (pronouns, auxiliaries, wh-words,
# the fragments a split contraction leaves); content words such as "use" or "system" stay
_FUNCTION_WORDS = (
    "about above after again against all am any are because been before being below between both but did do "
    "does doing down during each few for from further had has have having he her here hers herself him himself "
    "his how i im its itself just me more most my myself nor not off once only other our ours ourselves out over "
    "own same she should so some such than that the their theirs them themselves then there these they this "
    "those through too under until up very was we were what when where which while who whom whose why will "
    "with would you your yours yourself yourselves can could s t d m ll re ve don doesn didn isn aren wasn"
)
STOPWORDS = _STOP | frozenset(_FUNCTION_WORDS.split())
KEYS_FILE = "keys.npy"
ANALYZER_FILE = "analyzer.txt"
WORDS_FILE = "words.txt"
ANALYZER = "words-plural-v4"
LEGACY_ANALYZER = "words-v1"  # indexes built before the analyzer was recorded
_ES_PLURALS = ("sses", "shes", "ches", "xes", "oes")
_E_SINGULARS = ("sse", "she", "che", "xe", "oe")


def fold_plural(word: str) -> str:
    """A word and its plural folded to one form, and nothing more: unlike a full stemmer it never
    joins two different words ("university" and "universe").

    Harman's S-stemmer ("-ies" -> "-y", "-es" -> "-e", "-s" dropped; "-ss", "-us" kept), with the
    plurals it missed: after a sibilant and after "o" the plural adds "-es" to the word, so
    "processes", "patches", "boxes", "wishes" and "tomatoes" lose "-es", and a singular ending
    in "-sse", "-che", "-she", "-xe" or "-oe" loses its "e" ("cache" and "caches" meet at
    "cach", "shoe" and "shoes" at "sho")."""
    if len(word) > 3 and word.endswith(_ES_PLURALS):
        return word[:-2]
    if len(word) > 2 and word.endswith(_E_SINGULARS):
        return word[:-1]
    return _fold_v2(word)


# Months and weekdays, written in full or short by the same person ("portfolio value october" over
# a note titled "Portfolio – Oct 2026"), to one form.
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CALENDAR = {name: name[:3] for name in MONTHS + _WEEKDAYS} | {
    "sept": "sep",
    "tues": "tue",
    "thur": "thu",
    "thurs": "thu",
}


def plain(word: str) -> str:
    """`word` without accents: people type "Montreal" and "tourtiere" for what they wrote as
    "Montréal" and "tourtière"."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def fold_word(word: str) -> str:
    """The current fold: accents dropped, the plural folded (`fold_plural`), a month's or
    weekday's name to its three-letter form."""
    folded = fold_plural(plain(word))
    return CALENDAR.get(folded, folded)


def _fold_v2(word: str) -> str:
    """Harman's S-stemmer as it was: the fold of indexes built before v3 (and v3's for the rest)."""
    if len(word) > 3 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lower-cased word tokens of `text` that name something (no stopwords), before folding."""
    return [t for t in _WORD.findall(text.lower()) if t not in STOPWORDS]


def analyze(text: str) -> list[str]:
    """The terms BM25 indexes and queries: `words`, folded (`fold_word`)."""
    return [fold_word(t) for t in words(text)]


def _legacy(text: str) -> list[str]:
    return [t for t in _WORD.findall(text.lower()) if t not in _STOP]


# an index answers queries with the fold it was built with until the next sync rebuilds it
FOLDS: dict[str, Callable[[str], str]] = {
    ANALYZER: fold_word,
    "words-plural-v3": fold_plural,
    "words-plural-v2": _fold_v2,
}
ANALYZERS: dict[str, Callable[[str], list[str]]] = {
    LEGACY_ANALYZER: _legacy,
    **{name: (lambda text, fold=fold: [fold(t) for t in words(text)]) for name, fold in FOLDS.items()},
}


def tokenize(text: str) -> list[str]:
    """The current analyzer (kept under this name for callers that tokenize like the index)."""
    return analyze(text)


class KeywordIndex:
    """BM25 scores over documents identified by integer chunk keys."""

    def __init__(
        self, retriever: bm25s.BM25 | None, keys: np.ndarray, analyzer: str = ANALYZER, surface: list[str] | None = None
    ) -> None:
        self._retriever = retriever
        self.keys = keys
        self.analyzer = analyzer
        self._analyze = ANALYZERS[analyzer]
        self._vocab = retriever.vocab_dict if retriever is not None else {}
        self._surface = surface or []

    @classmethod
    def build(cls, directory: Path, keys: np.ndarray, texts: list[str]) -> KeywordIndex:
        """Index `texts` into `directory`, a new folder (an index being read is never written)."""
        retriever = None
        directory.mkdir(parents=True)
        seen: set[str] = set()
        if len(texts):
            folded: dict[str, str] = {}
            corpus = []
            for text in texts:
                raw = words(text)
                seen.update(raw)
                corpus.append([folded.get(w) or folded.setdefault(w, fold_word(w)) for w in raw] or [""])
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
            retriever.save(directory)
        np.save(directory / KEYS_FILE, np.asarray(keys, dtype=np.int64))
        surface = sorted(seen)
        (directory / WORDS_FILE).write_text("\n".join(surface), encoding="utf-8")
        (directory / ANALYZER_FILE).write_text(ANALYZER, encoding="utf-8")
        return cls(retriever, np.asarray(keys, dtype=np.int64), ANALYZER, surface)

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex:
        keys = np.load(directory / KEYS_FILE)
        retriever = bm25s.BM25.load(directory, mmap=False) if len(keys) else None
        marker = directory / ANALYZER_FILE
        analyzer = marker.read_text(encoding="utf-8").strip() if marker.exists() else LEGACY_ANALYZER
        if analyzer not in ANALYZERS:
            raise FileNotFoundError(f"unknown BM25 analyzer {analyzer!r}", None, str(marker))
        words_file = directory / WORDS_FILE
        surface = words_file.read_text(encoding="utf-8").split("\n") if words_file.exists() else None
        return cls(retriever, keys, analyzer, [w for w in surface or [] if w])

    def document_frequencies(self) -> dict[str, int]:
        """How many chunks hold each indexed word: the agent weighs question words by rarity.

        Keyed by the words as written (a plural counts the chunks of its folded form), so a
        caller that stems in its own way sees the same words whatever this index folds."""
        if self._retriever is None:
            return {}
        indptr = self._retriever.scores["indptr"]
        df = {term: int(indptr[i + 1] - indptr[i]) for term, i in self._vocab.items() if term}
        if self.analyzer == LEGACY_ANALYZER:
            return df
        fold = FOLDS[self.analyzer]
        return {word: df[term] for word in self._surface if (term := fold(word)) in df}

    def term_weights(self, query: str) -> dict[str, float]:
        """IDF of each distinct query term as this index analyzes it (BM25's own IDF; a term no
        chunk holds gets the highest): how much of the query each term is."""
        n = len(self.keys)
        indptr = self._retriever.scores["indptr"] if self._retriever is not None else None
        weights = {}
        for term in dict.fromkeys(self._analyze(query)):
            i = self._vocab.get(term)
            df = int(indptr[i + 1] - indptr[i]) if indptr is not None and i is not None else 0
            weights[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return weights

    def terms(self, text: str) -> set[str]:
        """The terms of `text` as this index analyzes them."""
        return set(self._analyze(text))

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top `k` (key, score) with a positive score; `allowed` restricts to those keys."""
        tokens = [t for t in self._analyze(query) if t in self._vocab]
        if self._retriever is None or not tokens or k <= 0:
            return []
        mask = None if allowed is None else np.isin(self.keys, allowed).astype(np.float32)
        scores = self._retriever.get_scores(tokens, weight_mask=mask)
        return [(int(self.keys[d]), float(scores[d])) for d in top_positive(scores, k)]


def top_positive(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the `k` highest positive `scores`, best first, equal scores in position order.

    Not bm25s's own selection: it runs `np.argpartition` over every chunk's score, and most are
    0 (no query term), a case where numpy's introselect degrades: 34 ms a query at 100k chunks
    against 2 ms for distinct scores, the largest part of the hybrid search path (RESULTS.md,
    issue 11). The chunks holding a query term are found first and only those are ranked."""
    hits = np.flatnonzero(scores > 0)
    if len(hits) > k:
        kth = -np.partition(-scores[hits], k - 1)[k - 1]  # the k-th highest score
        above = hits[scores[hits] > kth]
        hits = np.concatenate([above, hits[scores[hits] == kth][: k - len(above)]])
    return hits[np.lexsort((hits, -scores[hits]))]
