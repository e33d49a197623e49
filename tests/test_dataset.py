"""The summarization dataset: split without leakage, filters that drop what they must, a stored
DatasetDict with a card and a content-hash version, a damaged folder refused naming it."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from dataset_fixtures import hash_judge, tiny_dataset, tiny_documents, topic_document

from secondbrain_core.app.cli import main
from secondbrain_core.dataset.build import build_dataset
from secondbrain_core.dataset.documents import Document, from_page
from secondbrain_core.dataset.filters import apply_filters
from secondbrain_core.dataset.pairs import HUMAN, Pair, pairs_for
from secondbrain_core.dataset.split import SPLITS, split_of
from secondbrain_core.dataset.store import load_dataset
from secondbrain_core.llm.types import ChatResult, Usage
from secondbrain_core.settings import Settings
from secondbrain_core.sources.notion_blocks import render_properties
from secondbrain_core.sources.page import Page

TEXT = "The planner picks a join order by cost. It estimates rows from statistics kept by ANALYZE. " * 3


def _pair(summary: str, teacher: str = "base-zero-shot", score: float = 0.9, style: str = "one-sentence") -> Pair:
    return Pair("d", "notes", style, "Planner", TEXT, "", summary, teacher, score)


def test_each_filter_drops_what_it_must_and_counts_it() -> None:
    pairs = [
        _pair("ok: the planner picks join orders by estimated cost"),
        _pair(""),  # empty
        _pair("word " * 80),  # too long for one sentence
        _pair("The planner picks a join order by cost. It estimates rows"),  # copied verbatim
        _pair("planner join costs estimated from statistics", score=0.05),  # judged low
        _pair("planner costs", teacher=HUMAN, score=0.0),  # a human summary skips the judge
    ]
    kept, dropped = apply_filters(pairs, min_judge=0.25)
    assert [p.summary for p in kept] == [pairs[0].summary, pairs[5].summary]
    assert dropped == {"empty": 1, "too_long": 1, "copied": 1, "judge_low": 1}


def test_split_is_by_document_and_never_leaks(settings: Settings) -> None:
    info = tiny_dataset(settings)
    dataset = load_dataset(info.path)
    docs_per_split = {s: {row["doc_id"] for row in dataset[s]} for s in SPLITS}
    assert sum(len(d) for d in docs_per_split.values()) == len(tiny_documents())
    assert all(docs_per_split[a].isdisjoint(docs_per_split[b]) for a in SPLITS for b in SPLITS if a < b)
    assert all(split_of(doc) == s for s, docs in docs_per_split.items() for doc in docs)
    assert {split_of(f"doc-{i}") for i in range(200)} == set(SPLITS)  # every split is reachable


def test_dataset_is_saved_with_a_card_and_a_content_version(settings: Settings) -> None:
    first = tiny_dataset(settings)
    assert first.path == settings.home.resolve() / "datasets" / first.version
    card = (first.path / "README.md").read_text()
    assert first.version in card and "Dropped by the filters" in card
    assert tiny_dataset(settings).version == first.version  # same pairs, same version
    changed = [*tiny_documents()[:-1], topic_document(99, "RESET", "restore a run-time parameter")]
    assert build_dataset(settings, changed, [], None).version != first.version


class _Teacher:
    """A deterministic model that answers in every style (stands in for the base model)."""

    model = "fake"

    def __init__(self) -> None:
        self.usage = Usage()

    def chat(self, messages, *, max_tokens=256, temperature=0.0, stop=None) -> ChatResult:
        return ChatResult(
            text="- The command is used by administrators\n- It checks its arguments",
            prompt_tokens=1,
            completion_tokens=1,
            model=self.model,
            finish_reason="stop",
        )


def test_notes_get_every_style_and_human_summaries_win(settings: Settings) -> None:
    from secondbrain_core.dataset.derived import STRUCTURE
    from secondbrain_core.dataset.pairs import Teacher

    doc = tiny_documents()[0]
    teacher = Teacher(_Teacher(), hash_judge(), settings, 2, "fake-best-of-2")
    styles = ["one-sentence", "key-points", "answer-focused"]
    pairs = {p.style: p for p in pairs_for(doc, styles, teacher, settings)}
    assert pairs["one-sentence"].summary == doc.summary and pairs["one-sentence"].teacher == HUMAN
    # a note with a human summary needs no model: its other styles are composed from what its authors wrote
    assert {pairs["key-points"].teacher, pairs["answer-focused"].teacher} == {STRUCTURE}
    assert pairs["answer-focused"].question.startswith("What does the note say about VACUUM")
    unsummarized = {p.style: p for p in pairs_for(replace(doc, summary=None), styles, teacher, settings)}
    assert unsummarized["key-points"].summary.startswith("- The command")
    assert {p.teacher for p in unsummarized.values()} == {"fake-best-of-2"}


def test_key_points_and_answers_are_composed_from_the_summary_and_opening_sentences() -> None:
    from secondbrain_core.dataset.derived import answer, key_points

    text = (
        "`REINDEX` rebuilds an index using the data stored in the index's table.\n\n"
        "`CONCURRENTLY`\n:   With this option the index is rebuilt without taking locks that prevent writes.\n\n"
        "    REINDEX INDEX my_index;\n\n"
        "| option | meaning |\n|---|---|\n\n"
        "An index may need rebuilding after it becomes bloated. Bloat is common.\n\n[…]"
    )
    doc = Document("r", "REINDEX", text, "notes", "rebuild indexes")
    assert answer(doc, text) == (
        "REINDEX is used to rebuild indexes. `REINDEX` rebuilds an index using the data stored in the index's table."
    )
    assert key_points(doc, text) == (
        "- REINDEX is used to rebuild indexes.\n"
        "- `REINDEX` rebuilds an index using the data stored in the index's table.\n"
        "- With this option the index is rebuilt without taking locks that prevent writes.\n"
        "- An index may need rebuilding after it becomes bloated."
    )  # the definition term, the code block, the table and the truncation mark are not points
    assert key_points(replace(doc, summary=None), text) is None and answer(replace(doc, summary=None), text) is None


def test_offline_there_is_no_model_teacher_unless_asked(settings: Settings) -> None:
    from secondbrain_core.dataset.pairs import teacher_for

    def no_judge():
        raise AssertionError("the judge's embedder must not load when there is no teacher")

    assert teacher_for(settings, no_judge) is None
    info = tiny_dataset(settings)
    assert set(info.by_source_style) == {"notes/one-sentence", "notes/key-points", "notes/answer-focused"}


def test_a_page_summary_property_is_taken_out_of_the_text() -> None:
    properties = {"Topic": "Maintenance", "Summary": "rebuild indexes"}
    body = "REINDEX rebuilds an index using the data stored in the index's table. " * 4
    page = Page(
        id="p1",
        source="s",
        title="REINDEX",
        markdown=f"{render_properties(properties)}\n\n{body}",
        properties=properties,
        last_edited_time="2024-01-01T00:00:00Z",
    )
    doc = from_page(page)
    assert doc is not None and doc.summary == "rebuild indexes"
    assert "rebuild indexes" not in doc.text and doc.text.startswith("REINDEX rebuilds")


def test_corrupt_dataset_folder_exits_2_naming_it(settings: Settings, tmp_path: Path, capsys) -> None:
    info = tiny_dataset(settings)
    broken = tmp_path / "broken"
    shutil.copytree(info.path, broken)
    for arrow in broken.rglob("*.arrow"):
        arrow.write_bytes(b"not arrow at all")
    assert main(["eval", "summarize", "--data", str(broken), "--model", "base", "--json"]) == 2
    err = capsys.readouterr().err
    assert str(broken) in err and "corrupt" in err and "Traceback" not in err
    (broken / "manifest.json").unlink()
    shutil.rmtree(broken / "test")
    assert main(["eval", "summarize", "--data", str(broken), "--json"]) == 2
    assert str(broken) in capsys.readouterr().err


def test_eval_reads_a_dataset_split_in_the_style_asked(settings: Settings) -> None:
    from secondbrain_core.evals.summarization import load_records

    info = tiny_dataset(settings)
    split = next(s for s in SPLITS if info.counts[s])
    records = load_records(info.path, split, style="one-sentence")
    assert records and all(r.style == "one-sentence" for r in records)
    assert json.loads((info.path / "manifest.json").read_text())["version"] == info.version


def test_judge_prefers_a_short_on_topic_summary_to_loops_copies_and_rambling() -> None:
    from secondbrain_core.dataset.judge import copy_ratio, key_terms

    judge = hash_judge()
    title, text = "Planner", TEXT
    assert key_terms(title, text)[0] == "planner"
    assert copy_ratio("The planner picks a join order by cost", text) == 1.0
    good, loop, copy, long = judge.verdicts(
        title,
        text,
        [
            "the planner picks join orders",
            "planner planner planner planner planner planner",
            "The planner picks a join order by cost. It estimates rows from statistics kept by ANALYZE.",
            "the planner " + "and more words " * 20,
        ],
        "one-sentence",
    )
    assert loop.repeat_penalty > 0 and copy.copy_penalty > 0 and long.length_penalty > 0
    assert good.repeat_penalty == good.copy_penalty == good.length_penalty == 0
