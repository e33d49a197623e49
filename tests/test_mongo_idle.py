"""The local MongoDB server does not outlive its use (issue 10, background processes).

A command run against a throw-away home used to leave its server running after the home was
deleted. Now the server stops after an idle period, at once when its data directory goes, and
code that makes a temporary home stops whatever server it started there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pymongo
import pytest

from secondbrain_core.evals.retrieval import evaluate_pages
from secondbrain_core.processes import pid_alive
from secondbrain_core.rag import pipeline
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page
from secondbrain_core.stores import local_mongo


def wait_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # a server started by this process is our child: reap it
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def never_leaked(pids: list[int]) -> Iterator[None]:
    """Whatever the test's outcome, no server it started survives it."""
    try:
        yield
    finally:
        for pid in pids:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_an_unused_server_stops_itself_after_the_idle_period(tmp_path: Path) -> None:
    home = tmp_path / "home"
    uri = local_mongo.ensure_running(home, idle_stop_s=1.5)
    pid = local_mongo.status(home).pid
    with never_leaked([pid]):
        client = pymongo.MongoClient(uri)
        client.sb.notes.insert_one({"_id": 1})
        time.sleep(3)  # a connected client keeps it: not idle
        assert pid_alive(pid)
        for _ in range(6):  # neither is a process asking for it, even before it connects
            assert local_mongo.ensure_running(home, idle_stop_s=1.5) == uri
            time.sleep(0.5)
        assert pid_alive(pid)
        client.close()
        assert wait_gone(pid, timeout_s=10)
        assert not local_mongo.status(home).running and not (home / "mongo" / "server.json").exists()
        # the next use starts a fresh one on the same data
        again = pymongo.MongoClient(local_mongo.ensure_running(home, idle_stop_s=1.5))
        assert again.sb.notes.find_one({"_id": 1}) == {"_id": 1}
        again.close()
        local_mongo.stop(home)


def test_the_server_stops_when_its_home_is_deleted(tmp_path: Path) -> None:
    home = tmp_path / "home"
    local_mongo.ensure_running(home)  # the default idle period: half an hour
    pid = local_mongo.status(home).pid
    with never_leaked([pid]):
        shutil.rmtree(home)
        assert wait_gone(pid, timeout_s=10)


def test_a_temporary_home_takes_its_server_with_it() -> None:
    with local_mongo.temporary_home() as home:
        local_mongo.ensure_running(home)
        pid = local_mongo.status(home).pid
        assert pid_alive(pid)
    with never_leaked([pid]):
        assert wait_gone(pid, timeout_s=5) and not home.exists()


def test_eval_retrieval_stops_what_it_started_in_its_temp_home(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any step of the eval that opens the temp home's document store starts its server; none survives."""
    started: list[int] = []
    original = pipeline.sync_index

    def sync_with_the_store(chunks, local: Settings, embedder=None):
        local_mongo.ensure_running(local.home)
        started.append(local_mongo.status(local.home).pid)
        return original(chunks, local, embedder)

    monkeypatch.setattr(pipeline, "sync_index", sync_with_the_store)  # the eval imports it when it runs
    page = Page(id="n", source="eval", title="Note", markdown="# Note\n\nsome words", last_edited_time="2024-01-01")
    with never_leaked(started):
        report = evaluate_pages([page], {"q": "words"}, {"q": {"n": 1}}, settings, modes=["bm25"])
        assert report.metrics["bm25"]["recall@10"] == 1.0
        assert len(started) == 1 and wait_gone(started[0], timeout_s=5)
