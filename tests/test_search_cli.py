"""`secondbrain search`: JSON shape, modes, filters and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from note_pages import index_pages, note_page

from secondbrain_core.app.cli import main
from secondbrain_core.settings import Settings

FIELDS = {"chunk_id", "page_id", "title", "url", "score", "text"}


@pytest.fixture
def indexed(settings: Settings) -> Settings:
    notes = [
        ("espresso", "kitchen", "# Espresso\n\nGrind the beans finely and pull the shot for 25 seconds."),
        ("guitar", "music", "# Tuning\n\nTune the guitar strings to standard pitch."),
        ("orchid", "garden", "# Orchids\n\nWater the orchid weekly, keep it in indirect sunlight."),
    ]
    return index_pages(settings, [note_page(pid, source, pid.title(), text) for pid, source, text in notes])


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_json_hits(indexed: Settings, capsys: pytest.CaptureFixture[str], mode: str) -> None:
    assert main(["search", "espresso shot grind", "--mode", mode, "-k", "2", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert 1 <= len(hits) <= 2 and all(set(hit) == FIELDS for hit in hits)
    assert hits[0]["page_id"] == "espresso" and hits[0]["url"] == "https://example.test/espresso"
    assert "Grind the beans" in hits[0]["text"]


def test_text_output_and_filters(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "water", "--source", "garden"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. [") and "Orchid" in out and "Espresso" not in out
    assert main(["search", "water", "--after", "2030-01-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_bad_input_exits_2(indexed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "x", "--after", "last tuesday"]) == 2
    assert "--after" in capsys.readouterr().err
    assert main(["search", "x", "-k", "0"]) == 2
    assert "k must be" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "x", "--mode", "fuzzy"])
    assert exit_info.value.code == 2


def test_an_unknown_source_exits_2_naming_it_and_the_known_ones(
    indexed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (["search", "water"], ["ask", "how do I water the orchid?"]):
        assert main([*command, "--source", "garden", "--source", "gardn"]) == 2
        err = capsys.readouterr().err
        assert "'gardn'" in err and "garden, kitchen, music" in err and "Traceback" not in err


def test_no_index_exits_2_from_the_console_script(settings: Settings) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "secondbrain_core.app.cli", "search", "anything", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "materialize vector_index" in done.stderr and done.stdout == ""
