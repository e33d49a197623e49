"""Summaries: prompt and truncation, endpoint-first routing, the eval command."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from llm_servers import EchoBackend, serve_app

from secondbrain_core.app.cli import main
from secondbrain_core.evals.summarization import load_records
from secondbrain_core.llm.endpoint_process import EndpointState
from secondbrain_core.llm.local import LocalChatModel
from secondbrain_core.llm.models import base_model
from secondbrain_core.llm.server import create_app
from secondbrain_core.llm.styles import first_sentence
from secondbrain_core.llm.summarize import (
    PROMPT_VERSION,
    SUMMARY_MAX_TOKENS,
    summarize,
    summary_messages,
    truncate_for_context,
)
from secondbrain_core.settings import Settings

NOTE = (
    "Project Falcon kickoff. The team will build a bird-watching app for hikers. "
    "Maria leads design, Tom leads the backend. The first prototype is due in May."
)


def test_truncation_keeps_short_text_and_cuts_long_text_at_a_sentence() -> None:
    assert truncate_for_context(NOTE, 1000) == NOTE
    long = "First sentence here. " * 20 + "Tail without end"
    cut = truncate_for_context(long, 100)
    assert cut.endswith("here.\n[…]")
    assert len(cut) <= 100 + len("\n[…]")
    assert truncate_for_context("x" * 500, 100) == "x" * 100 + "\n[…]"  # no boundary: hard cut


def test_long_notes_fit_the_model_context(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, llm_context_tokens=512)
    messages = summary_messages("The quick brown fox jumps over the lazy dog. " * 2000, settings)
    model = LocalChatModel(base_model(), context_tokens=512)
    prompt_tokens = len(model.prompt_ids(messages))
    assert prompt_tokens + SUMMARY_MAX_TOKENS <= 512
    assert prompt_tokens > 512 * 0.4  # and most of the budget is used (3 chars/token is conservative)
    assert messages[1]["content"].startswith("Summarize the following note")


def test_summarize_prefers_the_running_endpoint(settings: Settings) -> None:
    with serve_app(create_app(EchoBackend(), settings, version="7", identity="t0ken")) as url:
        state = EndpointState(
            pid=os.getpid(),
            port=int(url.rsplit(":", 1)[1]),
            url=url,
            model="echo",
            version="7",
            source="registry",
            started_at="2026-01-01T00:00:00+00:00",
            token="t0ken",
        )
        (settings.home / "endpoint").mkdir(parents=True)
        (settings.home / "endpoint" / "state.json").write_text(state.model_dump_json())
        summary = summarize(NOTE, settings)
    assert summary.model == "echo"  # answered over HTTP by the endpoint, not in-process
    # the echoed prompt, cut to the style asked (one sentence): the instruction's own sentence
    assert summary.text == first_sentence(summary_messages(NOTE, settings)[-1]["content"])
    assert summary.tokens > 0 and summary.prompt_version == PROMPT_VERSION


def test_summarize_falls_back_to_the_local_model(settings: Settings) -> None:
    summary = summarize(NOTE, settings)  # no endpoint state in a fresh home
    assert summary.model == base_model().name
    assert summary.text
    assert summary.tokens > 20


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n")
    return path


def test_eval_summarize_cli_scores_with_rouge(settings: Settings, tmp_path: Path, capsys) -> None:
    rows = [
        json.dumps(
            {"id": 1, "text": NOTE, "summary": "A bird-watching app; Maria designs, Tom builds.", "split": "test"}
        ),
        json.dumps({"id": 2, "text": "ignored", "summary": "ignored", "split": "train"}),
    ]
    data = _write(tmp_path / "data.jsonl", rows)
    assert main(["eval", "summarize", "--data", str(data), "--split", "test", "--model", "base", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"rouge1", "rouge2", "rougeL", "n", "seconds_per_item"}
    assert report["n"] == 1
    assert 0 < report["rouge1"] <= 1 and 0 <= report["rouge2"] <= report["rouge1"]
    assert report["seconds_per_item"] > 0


def test_eval_summarize_bad_data_exits_2_naming_the_line(settings: Settings, tmp_path: Path, capsys) -> None:
    good = json.dumps({"id": "a", "text": "t", "summary": "s"})
    bad = _write(tmp_path / "bad.jsonl", [good, '{"id": "b", "text": "no summary"}'])
    assert main(["eval", "summarize", "--data", str(bad), "--json"]) == 2
    assert f"{bad}:2:" in capsys.readouterr().err
    assert main(["eval", "summarize", "--data", str(tmp_path / "missing.jsonl")]) == 2


def test_records_from_a_split_folder_with_limit(tmp_path: Path) -> None:
    rows = [json.dumps({"id": i, "text": f"text {i}", "summary": f"s {i}"}) for i in range(5)]
    _write(tmp_path / "validation.jsonl", rows)
    records = load_records(tmp_path, "validation", limit=3)
    assert [r.id for r in records] == [0, 1, 2]
    with pytest.raises(Exception, match=r"test\.jsonl"):
        load_records(tmp_path)
