"""A build that dies, or a second build at the same time, never leaves a broken local index.

Issue 10, item 7: the BM25 swap was `rmtree` then `rename`, so a build killed between the two
left `search --mode bm25` failing with FileNotFoundError, and two builds shared one staging
folder with no lock. Builds now write a new generation and switch the manifest atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hash_embedder import HashEmbedder

from secondbrain_core.app.cli import main
from secondbrain_core.rag.chunk_table import ChunkTable
from secondbrain_core.rag.local_index import LocalIndex
from secondbrain_core.rag.manifest import index_dir, read_manifest
from secondbrain_core.rag.pipeline import build_chunks, sync_index
from secondbrain_core.rag.search import Retriever
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page

OLD = ("cats", "tomatoes", "taxes")
NEW = ("zebras", "violins")
# the file-system steps a build takes to replace files; a crash is injected before the n-th one
FS_STEPS = ((os, "replace"), (os, "rename"), (shutil, "rmtree"), (Path, "rename"), (Path, "replace"))


class Crash(BaseException):
    """Stands for the process dying: no `except Exception` in the build catches it."""


def pages(words: tuple[str, ...]) -> list[Page]:
    return [
        Page(
            id=word,
            source="notes",
            title=word.title(),
            url=f"https://example.test/{word}",
            markdown=f"# {word.title()}\n\nEverything about {word}, and only {word}.",
            last_edited_time=datetime(2024, 1, 1, tzinfo=UTC),
        )
        for word in words
    ]


def build(settings: Settings, words: tuple[str, ...]) -> None:
    sync_index(build_chunks(pages(words), settings), settings, HashEmbedder())


def bm25_pages(query: str, capsys: pytest.CaptureFixture[str]) -> set[str]:
    """What `secondbrain search --mode bm25` finds, through the CLI; it must exit 0."""
    capsys.readouterr()
    code = main(["search", query, "--mode", "bm25", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return {hit["page_id"] for hit in json.loads(out.out)}


def assert_whole(settings: Settings, capsys: pytest.CaptureFixture[str]) -> tuple[str, ...]:
    """The index is entirely one build's (every part agrees) and searchable; returns which one."""
    counts = LocalIndex(settings).counts()
    assert len(set(counts.values())) == 1, counts
    words = OLD if counts["manifest"] == len(OLD) else NEW
    assert counts["manifest"] == len(words)
    for word in words:
        assert bm25_pages(word, capsys) == {word}
    return words


def crash(name: str) -> None:
    raise Crash(name)


def interrupt_before_step(patch: pytest.MonkeyPatch, step: int, interrupt: Callable[[str], None]) -> list[str]:
    """Count the build's file-system steps and call `interrupt` instead of the `step`-th one."""
    calls: list[str] = []

    def counted(name: str, original: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            calls.append(name)
            if len(calls) == step:
                interrupt(name)
            return original(*args, **kwargs)

        return wrapper

    for owner, name in FS_STEPS:
        patch.setattr(owner, name, counted(name, getattr(owner, name)))
    return calls


@pytest.mark.parametrize("step", range(1, 6))
def test_a_build_dying_at_any_step_leaves_the_last_whole_index(
    settings: Settings, capsys: pytest.CaptureFixture[str], step: int
) -> None:
    build(settings, OLD)
    with pytest.MonkeyPatch.context() as patch:
        calls = interrupt_before_step(patch, step, crash)
        with contextlib.suppress(Crash):
            build(settings, NEW)
    survivor = assert_whole(settings, capsys)
    assert survivor == (OLD if len(calls) >= step else NEW)  # crashed: the old index; not reached: the new

    build(settings, NEW)  # the next build takes over and clears what the dead one left
    assert assert_whole(settings, capsys) == NEW
    assert len([p for p in index_dir(settings).iterdir() if p.is_dir()]) <= 2  # this build and the previous
    assert not list(index_dir(settings).glob(".manifest.json.*"))  # nor a dead build's half-written manifest


def test_a_build_killed_by_sigkill_mid_swap_leaves_bm25_search_working(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real kill (no `finally` runs) at the fourth file-system step, where the old swap sat."""
    build(settings, OLD)
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        import pytest
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_index_atomic import NEW, build, interrupt_before_step
        from secondbrain_core.settings import Settings
        interrupt_before_step(pytest.MonkeyPatch(), 4, lambda name: os.kill(os.getpid(), signal.SIGKILL))
        build(Settings(), NEW)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, -signal.SIGKILL), done.stderr
    assert assert_whole(settings, capsys) in (OLD, NEW)
    build(settings, NEW)  # the lock died with the process: nothing waits for it
    assert assert_whole(settings, capsys) == NEW


def test_two_concurrent_builds_do_not_mix(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """The first build pauses between its vectors and its chunk table while a second one runs."""
    build(settings, OLD)
    paused, second_done, errors = threading.Event(), threading.Event(), []
    original = ChunkTable.replace_all

    def replace_all(self, chunks):
        if threading.current_thread().name == "first":
            paused.set()
            second_done.wait(timeout=3)  # with a lock the second build cannot finish meanwhile
        return original(self, chunks)

    def run(words: tuple[str, ...]) -> None:
        try:
            build(settings, words)
        except Exception as exc:  # reported below, with the state it left
            errors.append(exc)
        finally:
            if threading.current_thread().name == "second":
                second_done.set()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ChunkTable, "replace_all", replace_all)
        first = threading.Thread(target=run, args=((*OLD, "violins"),), name="first")
        second = threading.Thread(target=run, args=(NEW,), name="second")
        first.start()
        assert paused.wait(timeout=30)
        second.start()
        first.join(timeout=60)
        second.join(timeout=60)

    assert not errors
    assert read_manifest(settings).counts["chunks"] == len(NEW)  # the second build ran after the first
    assert assert_whole(settings, capsys) == NEW


def test_an_open_retriever_follows_new_builds_after_its_generation_is_gone(settings: Settings) -> None:
    build(settings, OLD)
    retriever = Retriever(settings, HashEmbedder())
    assert {h.page_id for h in retriever.search("cats", mode="bm25")} == {"cats"}
    first_generation = read_manifest(settings).generation
    build(settings, NEW)
    build(settings, (*NEW, "cats"))
    assert not (index_dir(settings) / first_generation).exists()  # only the current and the previous stay
    assert {h.page_id for h in retriever.search("zebras", mode="hybrid")} >= {"zebras"}
    assert {h.page_id for h in retriever.search("cats", mode="bm25")} == {"cats"}
