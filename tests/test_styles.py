"""Summary styles: each prompt is versioned, and each answer is cut to the shape asked for."""

from __future__ import annotations

import json
from pathlib import Path

from secondbrain_core.app.cli import main
from secondbrain_core.llm.styles import STYLES, first_sentence, key_points, short_answer


def test_each_style_has_its_own_versioned_prompt() -> None:
    versions = [style.version for style in STYLES.values()]
    assert len(set(versions)) == len(versions) and all(v.endswith("-v1") for v in versions)
    assert "Question: why?" in STYLES["answer-focused"].user_prompt("note", "why?")


def test_one_sentence_is_the_first_sentence_of_the_first_line() -> None:
    assert first_sentence("\n- Summary: VACUUM reclaims storage. It also updates stats.\nMore") == (
        "VACUUM reclaims storage."
    )


def test_key_points_become_at_most_five_bullets() -> None:
    assert key_points("Points:\n1. one\n2. two\n* three") == "- one\n- two\n- three"
    assert key_points("A is b. C is d.") == "- A is b.\n- C is d."
    assert len(key_points("\n".join(f"- p{i}" for i in range(9))).splitlines()) == 5


def test_answer_is_two_sentences_of_the_first_paragraph() -> None:
    assert short_answer("Answer: One. Two. Three.\n\nOther paragraph.") == "One. Two."


def test_unknown_style_exits_2_naming_it(tmp_path: Path, capsys) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"id": 1, "text": "t", "summary": "s"}) + "\n")
    assert main(["eval", "summarize", "--data", str(data), "--style", "haiku"]) == 2
    assert "haiku" in capsys.readouterr().err
