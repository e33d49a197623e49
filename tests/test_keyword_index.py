"""The BM25 analyzer (function words out, plurals folded) and indexes built before it."""

from __future__ import annotations

import re
from pathlib import Path

import bm25s
import numpy as np
import pytest
from bm25s.stopwords import STOPWORDS_EN

from secondbrain_core.rag.keyword import ANALYZER_FILE, KEYS_FILE, KeywordIndex, analyze, fold_plural

NOTES = [
    "Weeknight recipes: lentil soup and two curries.",
    "How my tax return was filed; the deadline is in April.",
    "The bus schedule changed; buses now leave at seven.",
]


@pytest.mark.parametrize(
    ("word", "folded"),
    [
        ("recipes", "recipe"),
        ("queries", "query"),
        ("curries", "curry"),
        ("class", "class"),
        ("status", "status"),
        ("processes", "process"),
        ("patches", "patch"),
        ("boxes", "box"),
        ("dishes", "dish"),
        ("tomatoes", "tomato"),
    ],
)
def test_plurals_fold_to_their_singular(word: str, folded: str) -> None:
    # "-es" after a sibilant or "o" once stayed ("processes" -> "processe"), so a note about
    # processes never matched a question about a process
    assert fold_plural(word) == folded
    assert fold_plural(folded) == folded


@pytest.mark.parametrize(("singular", "plural"), [("cache", "caches"), ("shoe", "shoes"), ("niche", "niches")])
def test_a_singular_ending_in_e_meets_its_plural(singular: str, plural: str) -> None:
    assert fold_plural(singular) == fold_plural(plural)


def test_function_words_name_no_topic() -> None:
    assert analyze("How do I file my tax returns?") == ["file", "tax", "return"]


def test_a_topic_typed_in_the_singular_finds_the_note_written_in_the_plural(tmp_path: Path) -> None:
    index = KeywordIndex.build(tmp_path / "bm25", np.array([10, 11, 12]), NOTES)
    assert [key for key, _ in index.search("recipe", 3)] == [10]
    assert [key for key, _ in index.search("how do I file my tax return", 3)] == [11], "'how', 'my' match nothing"
    loaded = KeywordIndex.load(tmp_path / "bm25")
    assert loaded.analyzer == index.analyzer and loaded.search("curry", 3) == index.search("curry", 3)
    # the assistant weighs words as written: a plural counts the chunks of its folded form
    frequencies = loaded.document_frequencies()
    assert frequencies["recipes"] == 1 and frequencies["buses"] == frequencies["bus"] == 1
    assert "how" not in frequencies and "my" not in frequencies
    weights = loaded.term_weights("tax recipes unheard")
    assert set(weights) == {"tax", "recipe", "unheard"} and weights["unheard"] > weights["tax"] > 0


def test_an_index_built_before_the_analyzer_keeps_answering_with_its_own(tmp_path: Path) -> None:
    directory = tmp_path / "bm25"  # what the earlier version wrote: bm25s files and the keys, no analyzer
    retriever = bm25s.BM25()
    retriever.index([[t for t in re.findall(r"\w+", note.lower()) if t not in STOPWORDS_EN] for note in NOTES])
    retriever.save(directory)
    np.save(directory / KEYS_FILE, np.array([10, 11, 12]))
    old = KeywordIndex.load(directory)
    assert old.analyzer == "words-v1"
    assert [key for key, _ in old.search("recipes", 3)] == [10]
    assert old.search("recipe", 3) == [], "its terms were never folded: the old analyzer queries it"
    assert old.document_frequencies()["recipes"] == 1
    (directory / ANALYZER_FILE).write_text("words-v9", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="words-v9"):
        KeywordIndex.load(directory)


def test_an_index_of_the_previous_fold_loads_and_queries_with_it(tmp_path: Path) -> None:
    index = KeywordIndex.build(tmp_path / "bm25", np.array([10, 11, 12]), NOTES)
    (tmp_path / "bm25" / ANALYZER_FILE).write_text("words-plural-v2", encoding="utf-8")
    previous = KeywordIndex.load(tmp_path / "bm25")
    assert previous.analyzer == "words-plural-v2" != index.analyzer
    assert previous.terms("patches") == {"patche"} and index.terms("patches") == {"patch"}
    assert [key for key, _ in previous.search("recipes", 3)] == [10]


def test_accents_and_the_long_and_short_names_of_months_and_weekdays_meet(tmp_path: Path) -> None:
    index = KeywordIndex.build(
        tmp_path / "bm25", np.array([1, 2]), ["Portfolio – Oct 2026: total $85,435", "Recette – tourtière de Montréal"]
    )
    assert [key for key, _ in index.search("portfolio value october", 2)] == [1]
    assert [key for key, _ in index.search("tourtiere montreal", 2)] == [2]
    assert analyze("Tues thurs Mondays Sept September") == ["tue", "thu", "mon", "sep", "sep"]
    (tmp_path / "bm25" / ANALYZER_FILE).write_text("words-plural-v3", encoding="utf-8")
    previous = KeywordIndex.load(tmp_path / "bm25")
    assert previous.terms("Montréal October") == {"montréal", "october"}, "an older index queries with its own fold"
