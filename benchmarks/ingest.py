"""Ingest throughput: a cold sync versus a no-change re-sync of a Notion workspace.

The fake Notion server (tests/fake_notion.py, in a child process) serves N pages of a handful
of blocks each over real HTTP to the real notion-client; pages land in an in-process
secantusdb under a temp home, through the same `ingest_source` the CLI runs.
The re-sync should cost only the paginated listing (no block trees, no writes), so it ought to
be at least 20x faster than the cold sync. Run from the repository root:

    .venv/bin/python -m benchmarks.ingest --pages 1000
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from secantus.server import SecantusDBServer

from secondbrain_core.ingest import ingest_source
from secondbrain_core.settings import Settings
from secondbrain_core.sources.notion_api import NotionApiSource
from secondbrain_core.sources.sync import SyncReport
from tests.fake_notion import FakeNotion, build_workspace


def serve_fake_notion(pages: int, blocks_per_page: int, conn: Connection) -> None:
    """The fake Notion in its own process, as the real one is remote: it does not compete with
    the sync for this interpreter's GIL. Answers "count", "clear" and "stop" over the pipe."""
    with FakeNotion() as notion:
        build_workspace(notion, pages, blocks_per_page)
        conn.send((notion.base_url, notion.token))
        while (command := conn.recv()) != "stop":
            conn.send(len(notion.requests))
            if command == "clear":
                notion.clear_log()


def _timed(settings: Settings) -> tuple[SyncReport, float]:
    started = time.perf_counter()
    report = ingest_source("notion", settings)
    return report, time.perf_counter() - started


def _listing_seconds(settings: Settings) -> float:
    """The Notion side of a re-sync alone (search + data sources), to tell it from the store's."""
    started = time.perf_counter()
    NotionApiSource(settings).list_pages()
    return time.perf_counter() - started


def _requests(conn: Connection, command: str = "count") -> int:
    conn.send(command)
    return conn.recv()


def run(pages: int, blocks_per_page: int, resyncs: int = 3) -> dict[str, float]:
    """One cold sync, then the median of `resyncs` no-change re-syncs (the machine is shared)."""
    conn, child_conn = multiprocessing.get_context("fork").Pipe()
    server_process = multiprocessing.get_context("fork").Process(
        target=serve_fake_notion, args=(pages, blocks_per_page, child_conn), daemon=True
    )
    server_process.start()
    base_url, token = conn.recv()
    with tempfile.TemporaryDirectory() as tmp:
        mongo = SecantusDBServer(port=0, storage_path=str(Path(tmp) / "mongo"))
        mongo.start()
        try:
            host, port = mongo.address
            settings = Settings(
                home=Path(tmp) / "home",
                mongodb_uri=f"mongodb://{host}:{port}/",
                notion_token=token,
                notion_base_url=base_url,
                sources="notion",
                _env_file=None,
            )
            cold, cold_s = _timed(settings)
            cold_requests = _requests(conn, "clear")
            runs = [_timed(settings) for _ in range(resyncs)]
            resync_requests = _requests(conn) // resyncs
            assert cold.new == pages and all(r.unchanged == pages for r, _ in runs), (cold, runs)
            resync_s = statistics.median(seconds for _, seconds in runs)
            listing_s = statistics.median(_listing_seconds(settings) for _ in range(resyncs))
        finally:
            mongo.stop()
            conn.send("stop")
            server_process.join(timeout=10)
    return {
        "pages": pages,
        "cold_s": cold_s,
        "cold_pages_per_s": pages / cold_s,
        "cold_requests": cold_requests,
        "resync_s": resync_s,
        "resync_pages_per_s": pages / resync_s,
        "resync_requests": resync_requests,
        "resync_listing_s": listing_s,
        "speedup": cold_s / resync_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--blocks", type=int, default=5, help="blocks per page (one of them nested)")
    args = parser.parse_args()
    result = run(args.pages, args.blocks)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"cold sync:          {result['pages']} pages in {result['cold_s']:.2f} s = "
        f"{result['cold_pages_per_s']:.0f} pages/s ({result['cold_requests']} HTTP requests)"
    )
    print(
        f"no-change re-sync (median of 3):  {result['pages']} pages in {result['resync_s']:.2f} s = "
        f"{result['resync_pages_per_s']:.0f} pages/s ({result['resync_requests']} HTTP requests)"
    )
    print(f"  of which listing Notion: {result['resync_listing_s']:.2f} s (the rest: page store and snapshot)")
    print(f"speed-up: {result['speedup']:.1f}x (target >= 20x)")


if __name__ == "__main__":
    main()
