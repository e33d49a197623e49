"""Local index builds as generations: each build writes a new folder, then switches to it at once.

    index/
      manifest.json        names the current generation; replaced atomically, last (the switch)
      build.lock           held (flock) for a whole build, so two builds never interleave
      gen-<time>-<random>/ one build's vectors.usearch, chunks.sqlite and bm25/

A build killed at any moment leaves the manifest naming the last complete generation, so a
reader never opens a half-built index and `search` keeps working on the previous one. After a
switch the previous generation stays (a reader may have read the old manifest a moment ago
and still be opening its files); older ones, and folders of builds that died, go at the next
build, under the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from secondbrain_core.rag.manifest import MANIFEST_FILE

VECTORS_FILE = "vectors.usearch"
CHUNKS_FILE = "chunks.sqlite"
BM25_DIR = "bm25"
LOCK_FILE = "build.lock"
PREFIX = "gen-"
# what a build before generations left directly in index/: removed once no manifest names it
LEGACY = (VECTORS_FILE, CHUNKS_FILE, f"{CHUNKS_FILE}-wal", f"{CHUNKS_FILE}-shm", BM25_DIR, f"{BM25_DIR}.new")


@contextlib.contextmanager
def build_lock(directory: Path) -> Iterator[None]:
    """Exclusive for the whole build; the kernel releases it if the process dies."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def new_generation(directory: Path) -> Path:
    """An empty folder for one build; names sort by start time and never repeat."""
    path = directory / f"{PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
    path.mkdir(parents=True)
    return path


def prune(directory: Path, keep: set[str | None]) -> None:
    """Remove every generation not in `keep` (None: the pre-generation files); call under the lock."""
    for entry in directory.iterdir():
        if entry.is_dir() and entry.name.startswith(PREFIX) and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)
    for stale in directory.glob(f".{MANIFEST_FILE}.*"):  # a manifest write that died before its rename
        stale.unlink(missing_ok=True)
    if None not in keep:
        for name in LEGACY:
            path = directory / name
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
