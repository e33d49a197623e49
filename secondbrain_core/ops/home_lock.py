"""`backup`/`restore` only while nothing writes to the home: a copy taken mid-run could pair an
index with a store it was not built from.

Two writers are seen: `secondbrain ingest` holds the home's lock shared (any number side by
side; an flock dies with its process, so a crash never leaves the home locked), and Dagster runs
are found in the home's Dagster instance (`secondbrain_dagster.runs_in_progress`, asked in a
child process: the library never imports Dagster). `quiet` takes the lock exclusively and
refuses at once, naming the home, while either is busy.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings

LOCK_FILE = ".activity.lock"


def _open(home: Path) -> int:
    home.mkdir(parents=True, exist_ok=True)
    return os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)


@contextmanager
def writing(home: Path) -> Iterator[None]:
    """Held while something writes to `home`; waits while a backup or restore holds it."""
    fd = _open(home)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


@contextmanager
def quiet(settings: Settings, action: str) -> Iterator[None]:
    """Held by `backup`/`restore` (`action`); a `SecondBrainError` if an ingest or a Dagster run
    writes to the home now."""
    home = settings.home.resolve()
    fd = _open(home)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SecondBrainError(f"cannot {action} {home}: an ingest is writing to it; retry when it ends") from None
        runs = dagster_runs_in_progress(settings)
        if runs:
            raise SecondBrainError(
                f"cannot {action} {home}: {len(runs)} Dagster run(s) in progress ({', '.join(runs[:3])}); wait "
                "until they end (the Dagster UI lists them; stop dagster-daemon to hold new ones) and retry"
            )
        yield
    finally:
        os.close(fd)


def dagster_runs_in_progress(settings: Settings) -> list[str]:
    """Ids of the queued or running runs of the home's Dagster instance; none without an instance."""
    dagster_home = settings.dagster_home.resolve()
    if not (dagster_home / "dagster.yaml").is_file() and not (dagster_home / "history").is_dir():
        return []
    env = {**os.environ, "SECONDBRAIN_HOME": str(settings.home.resolve()), "DAGSTER_HOME": str(dagster_home)}
    done = subprocess.run(
        [sys.executable, "-m", "secondbrain_dagster.runs_in_progress"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SecondBrainError(f"cannot read the Dagster instance at DAGSTER_HOME={dagster_home}: {last}")
    return json.loads(done.stdout)
