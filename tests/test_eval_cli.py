"""`secondbrain eval retrieval` end to end on a tiny corpus whose answers are known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_api import FakeAPI

from secondbrain_core.app.cli import main
from secondbrain_core.rag.search import CANDIDATES
from secondbrain_core.settings import Settings

NOTES = {
    "sourdough": "# Sourdough starter\n\nFeed the sourdough starter with rye flour and water every morning.",
    "bicycle": "# Bicycle chain\n\nClean the bicycle chain with degreaser, then apply chain lubricant.",
    "orchid": "# Orchid care\n\nWater the orchid weekly and keep it in bright indirect sunlight.",
    "taxes": "# Tax return\n\nFile the income tax return before the April deadline with your receipts.",
    "guitar": "# Guitar tuning\n\nTune the guitar strings to standard pitch E A D G B E.",
    "espresso": "# Espresso\n\nGrind coffee beans finely and pull the espresso shot for 25 seconds.",
}
QUERIES = {
    "q1": "how often do I feed my sourdough starter",
    "q2": "lubricant for a bicycle chain",
    "q3": "orchid watering and sunlight",
    "q4": "income tax return deadline",
}


@pytest.fixture
def beir_set(tmp_path: Path) -> dict[str, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for doc_id, text in NOTES.items():
        (corpus / f"{doc_id}.md").write_text(text)
    queries = tmp_path / "queries.jsonl"
    queries.write_text("".join(json.dumps({"_id": q, "text": t}) + "\n" for q, t in QUERIES.items()))
    qrels = tmp_path / "qrels.tsv"
    answers = {"q1": "sourdough", "q2": "bicycle", "q3": "orchid", "q4": "taxes"}
    qrels.write_text("query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t2\n" for q, d in answers.items()))
    return {"corpus": corpus, "queries": queries, "qrels": qrels}


def _args(paths: dict[str, Path], *extra: str) -> list[str]:
    return [
        "eval",
        "retrieval",
        "--corpus",
        str(paths["corpus"]),
        "--queries",
        str(paths["queries"]),
        "--qrels",
        str(paths["qrels"]),
        *extra,
    ]


@pytest.mark.slow
def test_scores_every_mode_in_a_temp_home(
    beir_set: dict[str, Path], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(beir_set, "--json")) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"bm25", "dense", "hybrid", "seconds"}
    # every query names its note's distinctive words: BM25 must rank each answer first
    assert result["bm25"] == {"ndcg@10": 1.0, "recall@10": 1.0, "recall@100": 1.0, "mrr@10": 1.0}
    for mode in ("dense", "hybrid"):
        assert set(result[mode]) == {"ndcg@10", "recall@10", "recall@100", "mrr@10"}
        assert result[mode]["recall@10"] == 1.0  # 6 docs: every doc is in the top 10
        assert 0.0 < result[mode]["ndcg@10"] <= 1.0
    assert result["seconds"]["index"] > 0
    assert not (settings.home / "index").exists()  # the user's home is never indexed into


@pytest.mark.slow
def test_rerank_is_scored_beside_the_modes_never_mixed_in(
    beir_set: dict[str, Path], settings: Settings, api: FakeAPI, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SECONDBRAIN_RERANK on: bm25/dense/hybrid as they rank, plus "rerank" (the fake reverses the order)."""
    monkeypatch.setenv("SECONDBRAIN_RERANK", "true")
    monkeypatch.setenv("VOYAGE_API_KEY", "test-key")
    monkeypatch.setenv("SECONDBRAIN_VOYAGE_BASE_URL", api.url)
    assert main(_args(beir_set, "--json")) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"bm25", "dense", "hybrid", "rerank", "seconds"}
    assert result["bm25"]["mrr@10"] == 1.0, "bm25 is not reranked"
    assert result["rerank"]["mrr@10"] < result["hybrid"]["mrr@10"]  # the fake reranker reverses hybrid
    reranks = [body for path, _, body in api.requests if path.endswith("/rerank")]
    assert {body["query"] for body in reranks} == set(QUERIES.values())
    assert all(0 < len(body["documents"]) <= CANDIDATES for body in reranks)


def test_modes_subset_and_text_output(
    beir_set: dict[str, Path], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(beir_set, "--modes", "bm25")) == 0
    out = capsys.readouterr().out
    assert "4 queries, 6 docs" in out
    assert "bm25" in out and "hybrid" not in out


@pytest.mark.parametrize(
    ("file", "content", "expected"),
    [
        ("qrels", "query-id\tcorpus-id\tscore\nq1\tsourdough\t2\nq2\tbicycle\tyes\n", "qrels.tsv line 3"),
        ("qrels", "query-id\tcorpus-id\tscore\nq7\tsourdough\t2\n", "qrels.tsv line 2: unknown query id 'q7'"),
        ("queries", '{"_id": "q1", "text": "x"}\n{"_id": "q2" "text": "y"}\n', "queries.jsonl line 2"),
        ("queries", '{"_id": "q1"}\n', "queries.jsonl line 1: missing or empty field 'text'"),
    ],
)
def test_bad_input_exits_2_naming_the_line(
    beir_set: dict[str, Path],
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    file: str,
    content: str,
    expected: str,
) -> None:
    beir_set[file].write_text(content)
    assert main(_args(beir_set)) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert err.count("\n") == 1


def test_empty_corpus_and_bad_mode_exit_2(
    beir_set: dict[str, Path], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    for note in beir_set["corpus"].iterdir():
        note.unlink()
    assert main(_args(beir_set)) == 2
    assert "holds no .md files" in capsys.readouterr().err
    assert main(_args(beir_set, "--modes", "bm25,splade")) == 2
    assert "--modes" in capsys.readouterr().err
