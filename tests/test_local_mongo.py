"""The per-home background MongoDB wire server: start once, reuse, survive a stale pid file, stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pymongo

from secondbrain_core.app.cli import main
from secondbrain_core.stores import local_mongo


def _cli_json(capsys, *args: str) -> dict:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_started_once_shared_and_stopped(tmp_path: Path, monkeypatch, capsys) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("SECONDBRAIN_HOME", str(home))
    monkeypatch.delenv("MONGODB_URI", raising=False)
    try:
        assert _cli_json(capsys, "db", "status")["running"] is False
        uri = local_mongo.ensure_running(home)
        client = pymongo.MongoClient(uri)
        client.sb.notes.insert_one({"_id": 1, "text": "kept"})

        # another process of the same home reuses the server instead of starting a second one
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "from pathlib import Path; from secondbrain_core.stores import local_mongo;"
                f"print(local_mongo.ensure_running(Path({str(home)!r})))",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert other.stdout.strip() == uri
        state = _cli_json(capsys, "db", "status")
        assert state["running"] and state["uri"] == uri

        assert _cli_json(capsys, "db", "stop")["running"] is False
        assert _cli_json(capsys, "db", "status")["running"] is False

        # restarted on next use, data still there (storage is on disk under the home)
        client = pymongo.MongoClient(local_mongo.ensure_running(home))
        assert client.sb.notes.find_one({"_id": 1})["text"] == "kept"
    finally:
        local_mongo.stop(home)


def test_stale_state_after_crash_is_replaced(tmp_path: Path) -> None:
    home = tmp_path / "home"
    try:
        first = local_mongo.ensure_running(home)
        pid = local_mongo.status(home).pid
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while local_mongo.status(home).running and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not local_mongo.status(home).running

        second = local_mongo.ensure_running(home)
        assert local_mongo.status(home).running and local_mongo.status(home).pid != pid
        pymongo.MongoClient(second).admin.command("ping")
        assert json.loads((home / "mongo" / "server.json").read_text())["uri"] == second
        assert first  # the crashed server had a URI too; the new one serves the same storage
    finally:
        local_mongo.stop(home)


def test_pid_reused_by_another_program_is_never_signalled(tmp_path: Path) -> None:
    """After a reboot the recorded pid may belong to anything: it is treated as stale, not killed."""
    home = tmp_path / "home"
    (home / "mongo").mkdir(parents=True)
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        state = {"uri": "mongodb://127.0.0.1:1/", "port": 1, "pid": bystander.pid}
        (home / "mongo" / "server.json").write_text(json.dumps(state))
        assert not local_mongo.status(home).running

        uri = local_mongo.ensure_running(home)
        pymongo.MongoClient(uri).admin.command("ping")
        assert local_mongo.status(home).pid != bystander.pid
        local_mongo.stop(home)
        assert bystander.poll() is None, "the unrelated process was signalled"
    finally:
        local_mongo.stop(home)
        bystander.kill()
        bystander.wait()
