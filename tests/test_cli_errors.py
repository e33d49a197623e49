"""Bad input gives exit 2 and one line that names the file, record or setting at fault.

Issue 10, item 12: every pydantic error was labelled "invalid setting" (an empty index
manifest gave `invalid setting: (): Invalid JSON`, naming no file); item 11, the eval parts:
a folder named `*.md` in a corpus and a non-UTF-8 summarization file gave exit 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from secondbrain_core.app.cli import main
from secondbrain_core.evals.lines import MAX_BYTES
from secondbrain_core.rag.manifest import MANIFEST_FILE, index_dir
from secondbrain_core.settings import Settings


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return code, err


def cli_process(*args: str) -> subprocess.CompletedProcess:
    """The CLI in its own process, so that a read blocking forever fails the test instead of hanging it."""
    command = [sys.executable, "-m", "secondbrain_core.app.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("content", "named"),
    [("", "Invalid JSON"), ("{", "Invalid JSON"), ('{"embedder": "minilm"}', "'dimension'"), ("[1]", "IndexManifest")],
)
def test_a_damaged_index_manifest_is_named(
    settings: Settings, capsys: pytest.CaptureFixture[str], content: str, named: str
) -> None:
    manifest = index_dir(settings) / MANIFEST_FILE
    manifest.parent.mkdir(parents=True)
    manifest.write_text(content)
    code, err = run(capsys, "search", "anything", "--mode", "bm25")
    assert code == 2
    assert str(manifest) in err and named in err and "invalid setting" not in err


def test_a_damaged_stored_page_is_named(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    from secondbrain_core.stores.mongo import open_database
    from secondbrain_core.stores.page_store import PageStore

    damaged = {"id": "p1", "source": "notes", "title": "T", "markdown": "m", "last_edited_time": "someday"}
    PageStore(open_database(settings)).collection.insert_one(damaged)
    code, err = run(capsys, "show", "p1")
    assert code == 2 and "page 'p1' of source 'notes'" in err and "'last_edited_time'" in err


def test_a_home_that_is_a_file_exits_2_naming_it(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home.txt"
    home.write_text("not a folder")
    monkeypatch.setenv("SECONDBRAIN_HOME", str(home))
    monkeypatch.delenv("MONGODB_URI")  # the local server would live under the home
    code, err = run(capsys, "show", "p1")
    assert code == 2 and f"SECONDBRAIN_HOME={home}" in err


def test_a_bad_setting_names_its_variable(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECONDBRAIN_HYBRID_DENSE_WEIGHT", "7")
    code, err = run(capsys, "db", "status")
    assert code == 2 and "invalid setting SECONDBRAIN_HYBRID_DENSE_WEIGHT: " in err and "7" not in err
    from secondbrain_core.settings import variable_name

    assert variable_name("mongodb_uri") == "MONGODB_URI" and variable_name("home") == "SECONDBRAIN_HOME"


@pytest.fixture
def beir_files(tmp_path: Path) -> dict[str, str]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text("# Note\n\nSome words.")
    (tmp_path / "queries.jsonl").write_text(json.dumps({"_id": "q", "text": "words"}) + "\n")
    (tmp_path / "qrels.tsv").write_text("q\tnote\t1\n")
    return {"corpus": str(corpus), "queries": str(tmp_path / "queries.jsonl"), "qrels": str(tmp_path / "qrels.tsv")}


def test_a_folder_named_like_a_note_in_an_eval_corpus_exits_2(
    settings: Settings, capsys: pytest.CaptureFixture[str], beir_files: dict[str, str]
) -> None:
    folder = Path(beir_files["corpus"]) / "drafts.md"
    folder.mkdir()
    args = [f"--{name}={value}" for name, value in beir_files.items()]
    code, err = run(capsys, "eval", "retrieval", *args)
    assert code == 2 and str(folder) in err


def test_a_corpus_note_linking_outside_the_corpus_exits_2(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path, beir_files: dict[str, str]
) -> None:
    outside = tmp_path / "private.txt"
    outside.write_text("# Private\n\nnot part of the corpus")
    link = Path(beir_files["corpus"]) / "leak.md"
    link.symlink_to(outside)
    code, err = run(capsys, "eval", "retrieval", *[f"--{name}={value}" for name, value in beir_files.items()])
    assert code == 2 and f"{link} links outside the corpus" in err


def test_a_non_utf8_eval_file_exits_2_naming_file_and_line(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path, beir_files: dict[str, str]
) -> None:
    good = json.dumps({"id": "a", "text": "t", "summary": "s"}).encode()
    data = tmp_path / "data.jsonl"
    data.write_bytes(good + b"\n" + good + b"\n" + b'{"id": "c", "text": "caf\xe9", "summary": "s"}\n')
    code, err = run(capsys, "eval", "summarize", "--data", str(data), "--model", "base")
    assert code == 2 and str(data) in err and "line 3" in err

    Path(beir_files["queries"]).write_bytes(b'{"_id": "q", "text": "words"}\n{"_id": "r", "text": "\xff"}\n')
    args = [f"--{name}={value}" for name, value in beir_files.items()]
    code, err = run(capsys, "eval", "retrieval", *args)
    assert code == 2 and beir_files["queries"] in err and "line 2" in err


def test_eval_inputs_that_are_no_regular_files_exit_2_without_reading(
    settings: Settings, tmp_path: Path, beir_files: dict[str, str]
) -> None:
    """A FIFO would block a reader forever; an oversized file is refused before it is read."""
    fifo = tmp_path / "queries.fifo"
    os.mkfifo(fifo)
    done = cli_process("eval", "retrieval", f"--corpus={beir_files['corpus']}", f"--queries={fifo}", "--qrels=x")
    assert done.returncode == 2 and f"{fifo} is not a regular file" in done.stderr

    huge = tmp_path / "huge.jsonl"
    with huge.open("wb") as sparse:
        sparse.truncate(MAX_BYTES + 1)  # no disk used: only its size is looked at
    done = cli_process("eval", "summarize", "--data", str(huge))
    assert done.returncode == 2 and f"{huge} is larger than" in done.stderr


def test_eval_summarize_limit_below_one_exits_2(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps({"id": "a", "text": "t", "summary": "s"}) + "\n")
    for limit in ("0", "-1"):
        code, err = run(capsys, "eval", "summarize", "--data", str(data), "--limit", limit)
        assert code == 2 and f"--limit {limit}" in err
