"""One lock per home between the writers (pipeline runs, `ingest`) and `backup`/`restore`.

Writers hold it shared, so any number run side by side; `backup` and `restore` need it
exclusive and refuse at once, naming the home, while anything writes: a copy taken mid-run
could pair an index with a store it was not built from. An flock dies with its process, so a
crashed run never leaves the home locked.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from secondbrain_core.errors import SecondBrainError

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
def quiet(home: Path, action: str) -> Iterator[None]:
    """Held by `backup`/`restore` (`action`); a `SecondBrainError` if a writer holds the home now."""
    fd = _open(home)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SecondBrainError(
                f"cannot {action} {home}: a pipeline run or an ingest is writing to it; wait until it ends "
                "(the Dagster UI lists runs in progress; stop dagster-daemon to hold new ones) and retry"
            ) from None
        yield
    finally:
        os.close(fd)
