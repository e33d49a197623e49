"""The BEIR-style loader: what it reads, and errors that name the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.evals.beir import load_beir, load_corpus


@pytest.fixture
def beir_dir(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "tea.md").write_text("# Brewing green tea\n\nUse water at 80 degrees.\n")
    (corpus / "sub" / "bikes.md").write_text("Chain oil keeps a bicycle quiet.\n")
    (tmp_path / "queries.jsonl").write_text('{"_id": "q1", "text": "how hot for tea"}\n\n{"_id": 2, "text": "bike"}\n')
    (tmp_path / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\ttea\t2\n2\tbikes\t1\n2\ttea\t0\n")
    return tmp_path


def _load(root: Path):
    return load_beir(root / "corpus", root / "queries.jsonl", root / "qrels.tsv")


def test_loads_titles_queries_and_graded_qrels(beir_dir: Path) -> None:
    data = _load(beir_dir)
    assert data.corpus["tea"].title == "Brewing green tea"
    assert data.corpus["tea"].text == "Use water at 80 degrees."
    assert data.corpus["bikes"].title == "bikes"  # no heading: the stem
    assert data.queries == {"q1": "how hot for tea", "2": "bike"}
    assert data.qrels == {"q1": {"tea": 2}, "2": {"bikes": 1, "tea": 0}}


@pytest.mark.parametrize(
    ("file", "content", "expected"),
    [
        (
            "queries.jsonl",
            '{"_id": "q1", "text": "ok"}\n{"_id": "q2", "text": \n',
            r"queries.jsonl line 2: not valid JSON",
        ),
        ("queries.jsonl", '{"_id": "q1", "text": "ok"}\n{"_id": "q2"}\n', r"queries.jsonl line 2: missing .*'text'"),
        ("queries.jsonl", '{"_id": "q1", "text": "a"}\n{"_id": "q1", "text": "b"}\n', r"line 2: duplicate query id"),
        ("queries.jsonl", "\n", r"queries.jsonl holds no queries"),
        ("qrels.tsv", "query-id\tcorpus-id\tscore\nq1\ttea\t2\nq1\tbikes\thigh\n", r"qrels.tsv line 3: score 'high'"),
        ("qrels.tsv", "query-id\tcorpus-id\tscore\nq9\ttea\t1\n", r"qrels.tsv line 2: unknown query id 'q9'"),
        ("qrels.tsv", "query-id\tcorpus-id\tscore\nq1\tcoffee\t1\n", r"qrels.tsv line 2: unknown corpus id 'coffee'"),
        ("qrels.tsv", "query-id\tcorpus-id\tscore\nq1 tea 1\n", r"qrels.tsv line 2: expected 3 tab-separated"),
    ],
)
def test_bad_files_name_file_and_line(beir_dir: Path, file: str, content: str, expected: str) -> None:
    (beir_dir / file).write_text(content)
    with pytest.raises(SecondBrainError, match=expected):
        _load(beir_dir)


def test_empty_or_missing_corpus(tmp_path: Path) -> None:
    with pytest.raises(SecondBrainError, match=r"holds no \.md files"):
        load_corpus(tmp_path)
    with pytest.raises(SecondBrainError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_duplicate_doc_ids_are_rejected(beir_dir: Path) -> None:
    (beir_dir / "corpus" / "sub" / "tea.md").write_text("again")
    with pytest.raises(SecondBrainError, match="two files with doc id 'tea'"):
        load_corpus(beir_dir / "corpus")


def test_missing_queries_file(beir_dir: Path) -> None:
    (beir_dir / "queries.jsonl").unlink()
    with pytest.raises(SecondBrainError, match=r"queries.jsonl does not exist"):
        _load(beir_dir)
