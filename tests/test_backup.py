"""`secondbrain backup` / `restore`: a restored fresh home answers `search` and `ask` as the original did."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import dagster as dg
import pytest
from conftest import NOTES
from note_pages import note_page

from secondbrain_core import records
from secondbrain_core.app.cli import main
from secondbrain_core.ops import mlflow_files
from secondbrain_core.ops.home_lock import writing
from secondbrain_core.ops.home_version import HOME_FILE, home_schema, stamp_home
from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore

QUESTION = "How long do I pull the espresso shot?"


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, object]:
    code = main([*argv, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if code == 0 else captured.err


def _answers(capsys: pytest.CaptureFixture[str]) -> tuple[object, object]:
    code, hits = _cli(capsys, "search", "espresso shot grind", "-k", "3")
    assert code == 0
    code, answer = _cli(capsys, "ask", QUESTION)
    assert code == 0 and answer["found"]
    return hits, {key: answer[key] for key in ("answer", "found", "sources")}  # steps carry timings


def _move_to_fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "restored-home"
    monkeypatch.setenv("SECONDBRAIN_HOME", str(home))
    monkeypatch.setenv("SECONDBRAIN_MONGODB_DATABASE", f"t_{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{home / 'mlflow.db'}")
    return home


def test_restore_into_a_fresh_home_answers_the_same(
    notes_index: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = [note_page(pid, source, title, text, tags) for pid, (source, title, tags, text) in NOTES.items()]
    PageStore(open_database(notes_index)).upsert(pages)
    before = _answers(capsys)  # `ask` also writes its trace into the home's MLflow db
    folder = tmp_path / "backup"
    code, summary = _cli(capsys, "backup", str(folder))
    assert code == 0 and summary["pages"] == 3 and summary["chunks"] >= 3 and summary["files"] > 0
    manifest = json.loads((folder / "backup.json").read_text())
    assert manifest["format"] == "secondbrain-backup" and manifest["schema_version"] == 1
    assert manifest["mlflow_db"] == "mlflow.db"
    first = (folder / "mongo" / "pages.json").read_text().splitlines()[0]
    assert '"$date": {"$numberLong"' in first, "canonical Extended JSON keeps BSON dates exact"

    home = _move_to_fresh_home(tmp_path, monkeypatch)
    code, restored = _cli(capsys, "restore", str(folder))
    assert code == 0 and restored["pages"] == 3
    assert json.loads((home / HOME_FILE).read_text())["schema_version"] == 1
    assert _answers(capsys) == before
    with sqlite3.connect(home / "mlflow.db") as conn:
        locations = [row[0] for row in conn.execute("SELECT artifact_location FROM experiments")]
    assert locations and all(str(home) in location for location in locations if mlflow_files.local_path(location))

    code, error = _cli(capsys, "restore", str(folder))
    assert code == 2 and "--replace" in error, "a home that holds data is not overwritten silently"
    code, _ = _cli(capsys, "restore", str(folder), "--replace")
    assert code == 0


def test_backup_refuses_while_a_run_writes(settings: Settings, tmp_path: Path, capsys) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    with writing(settings.home.resolve()):
        code, error = _cli(capsys, "backup", str(tmp_path / "backup"))
    assert code == 2 and "is writing to it" in error
    assert not (tmp_path / "backup").exists()

    instance = dg.DagsterInstance.from_config(str(settings.dagster_home))  # as the demo and the daemon open it
    run = instance.run_storage.add_run(dg.DagsterRun(job_name="ingest_sources", status=dg.DagsterRunStatus.STARTED))
    code, error = _cli(capsys, "backup", str(tmp_path / "backup"))
    assert code == 2 and "1 Dagster run(s) in progress" in error and run.run_id in error
    instance.report_run_failed(run)
    assert _cli(capsys, "backup", str(tmp_path / "backup"))[0] == 0


def test_incompatible_versions_exit_2(settings: Settings, tmp_path: Path, capsys) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / HOME_FILE).write_text(json.dumps({"schema_version": 99, "written_by": "9.0.0"}))
    code, error = _cli(capsys, "backup", str(tmp_path / "b1"))
    assert code == 2 and "schema 99" in error and "upgrade secondbrain" in error
    (settings.home / HOME_FILE).unlink()

    code, _ = _cli(capsys, "backup", str(tmp_path / "b2"))
    assert code == 0
    manifest = json.loads((tmp_path / "b2" / "backup.json").read_text())
    (tmp_path / "b2" / "backup.json").write_text(json.dumps({**manifest, "schema_version": 2}))
    code, error = _cli(capsys, "restore", str(tmp_path / "b2"), "--replace")
    assert code == 2 and "schema 2" in error
    code, error = _cli(capsys, "restore", str(tmp_path))
    assert code == 2 and "not a secondbrain backup" in error


def test_a_damaged_backup_is_refused_before_anything_is_written(settings: Settings, tmp_path: Path, capsys) -> None:
    (settings.home / "datasets").mkdir(parents=True)
    (settings.home / "datasets" / "train.jsonl").write_text('{"id": 1}\n')
    assert _cli(capsys, "backup", str(tmp_path / "b"))[0] == 0
    (tmp_path / "b" / "home" / "datasets" / "train.jsonl").write_text("tampered\n")
    code, error = _cli(capsys, "restore", str(tmp_path / "b"), "--replace")
    assert code == 2 and "train.jsonl" in error and "damaged" in error


def test_mlflow_paths_are_relocated(tmp_path: Path) -> None:
    db = tmp_path / "mlflow.db"
    old = "/old/place/mlruns/1"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE experiments (experiment_id INTEGER, artifact_location TEXT)")
        conn.execute("CREATE TABLE runs (run_uuid TEXT, artifact_uri TEXT)")
        conn.execute("CREATE TABLE model_versions (version INTEGER, source TEXT)")
        conn.execute("INSERT INTO experiments VALUES (1, ?), (2, 's3://bucket/x')", (old,))
        other = "/old/place/mlruns/10/q/artifacts"  # experiment 10, not 1: left alone
        conn.execute("INSERT INTO runs VALUES ('r', ?), ('q', ?)", (f"{old}/r/artifacts", other))
        conn.execute("INSERT INTO model_versions VALUES (1, ?)", (f"file://{old}/r/artifacts/model",))
    assert mlflow_files.artifact_roots(db) == {"1": old, "2": "s3://bucket/x"}
    mlflow_files.relocate(db, {"1": old}, tmp_path / "new")
    with sqlite3.connect(db) as conn:
        runs = dict(conn.execute("SELECT run_uuid, artifact_uri FROM runs"))
        (experiment,) = conn.execute("SELECT artifact_location FROM experiments WHERE experiment_id = 1").fetchone()
        (model,) = conn.execute("SELECT source FROM model_versions").fetchone()
    assert experiment == str(tmp_path / "new" / "1")
    assert runs == {"r": f"{tmp_path}/new/1/r/artifacts", "q": other}
    assert model == (tmp_path / "new" / "1" / "r" / "artifacts" / "model").as_uri()


def test_a_stamp_write_that_dies_midway_leaves_the_old_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Half a `home.json` would make every later command refuse the home: the old one must stay."""
    stamp_home(tmp_path)
    before = (tmp_path / HOME_FILE).read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(records.os, "replace", crash)
    with pytest.raises(OSError):
        stamp_home(tmp_path)
    assert (tmp_path / HOME_FILE).read_bytes() == before
    assert home_schema(tmp_path) == 1
