"""CLI latency from cold processes, as a user meets it: every figure is the median wall time of
fresh `secondbrain` processes (the console script), each importing everything it needs.

In a throw-away home: the sample KB is ingested and indexed once, then `--help`, `db status`,
`show`, and `search` (hybrid and bm25) are timed; last, a fake Notion workspace (the one of
benchmarks/ingest.py, in a child process, over real HTTP) is synced cold once by the CLI and
then re-synced with no change. The home's local MongoDB server is already running for every
timed call (a user's first call of the day also pays its start). Run from the repository root:

    .venv/bin/python -m benchmarks.cli_latency --runs 5 --pages 1000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.ingest import serve_fake_notion

CLI = Path(sys.executable).with_name("secondbrain")
QUERY = "how do I find slow queries"
TARGETS = {"--help": 0.3, "db status": 0.6, "show": 0.6, "search (hybrid)": 1.5}
# settings that would point a timed command at the user's own data or services
UNSET = ("SECONDBRAIN_SOURCES", "NOTION_TOKEN", "MONGODB_URI", "SECONDBRAIN_MONGODB_DATABASE", "OPENAI_API_KEY")


def _cli(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """One cold `secondbrain ARGS`: its wall time and stdout (a failure stops the benchmark)."""
    started = time.perf_counter()
    done = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, timeout=1800, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"secondbrain {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return seconds, done.stdout


def _median(args: list[str], env: dict[str, str], runs: int) -> tuple[float, list[float]]:
    times = [_cli(args, env)[0] for _ in range(runs)]
    return statistics.median(times), times


def _build_index(env: dict[str, str]) -> None:
    """Index the ingested store the way the pipeline does (MiniLM documents on torch)."""
    code = (
        "from secondbrain_core.settings import Settings\n"
        "from secondbrain_core.runtime_env import apply_runtime_env\n"
        "from secondbrain_core.rag.pipeline import index_store\n"
        "settings = Settings()\n"
        "apply_runtime_env(settings)\n"
        "print(index_store(settings).manifest.counts)\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=3600)


def command_latency(env: dict[str, str], runs: int) -> dict[str, tuple[float, list[float]]]:
    _cli(["ingest", "--json"], env)  # the sample KB; also starts this home's MongoDB server
    _build_index(env)
    page_id = json.loads(_cli(["search", QUERY, "--json"], env)[1])[0]["page_id"]
    return {
        "--help": _median(["--help"], env, runs),
        "db status": _median(["db", "status", "--json"], env, runs),
        "show": _median(["show", page_id, "--json"], env, runs),
        "search (hybrid)": _median(["search", QUERY, "--json"], env, runs),
        "search (bm25)": _median(["search", QUERY, "--mode", "bm25", "--json"], env, runs),
    }


def resync_latency(env: dict[str, str], pages: int, blocks: int, runs: int) -> dict[str, float]:
    """A cold CLI sync of the fake workspace, then the median no-change CLI re-sync."""
    context = multiprocessing.get_context("fork")
    conn, child_conn = context.Pipe()
    server = context.Process(target=serve_fake_notion, args=(pages, blocks, child_conn), daemon=True)
    server.start()
    try:
        base_url, token = conn.recv()
        notion_env = {**env, "NOTION_TOKEN": token, "SECONDBRAIN_NOTION_BASE_URL": base_url}
        cold_s, out = _cli(["ingest", "--source", "notion", "--json"], notion_env)
        assert json.loads(out)["new"] == pages, out
        resync_s, times = _median(["ingest", "--source", "notion", "--json"], notion_env, runs)
        assert json.loads(_cli(["ingest", "--source", "notion", "--json"], notion_env)[1])["unchanged"] == pages
    finally:
        conn.send("stop")
        server.join(timeout=10)
    return {"pages": pages, "cold_s": cold_s, "resync_s": resync_s, "resync_runs": times, "speedup": cold_s / resync_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="cold processes per figure (median)")
    parser.add_argument("--pages", type=int, default=1000, help="pages of the fake Notion workspace")
    parser.add_argument("--blocks", type=int, default=5, help="blocks per page (one of them nested)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="secondbrain-cli-latency-") as tmp:
        env = {key: value for key, value in os.environ.items() if key not in UNSET}
        env.update(SECONDBRAIN_HOME=str(Path(tmp) / "home"), DAGSTER_HOME=str(Path(tmp) / "home" / "dagster"))
        env.pop("MLFLOW_TRACKING_URI", None)
        try:
            commands = command_latency(env, args.runs)
            resync = resync_latency(env, args.pages, args.blocks, args.runs)
        finally:
            subprocess.run([str(CLI), "db", "stop"], env=env, capture_output=True, check=False)
    load = f"load average {load_before:.1f} at start, {os.getloadavg()[0]:.1f} at end"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {load}, Python {platform.python_version()}")
    no_pyc = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    print(f"PYTHONDONTWRITEBYTECODE={no_pyc!r} (when set, the project's own modules compile on every call)")
    for name, (median, times) in commands.items():
        target = f" (target < {TARGETS[name]} s)" if name in TARGETS else ""
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"{name:<16} {median:.2f} s median of {len(times)} [{runs}]{target}")
    runs = ", ".join(f"{t:.2f}" for t in resync["resync_runs"])
    print(
        f"ingest, {resync['pages']} fake Notion pages: cold {resync['cold_s']:.2f} s, no-change re-sync "
        f"{resync['resync_s']:.2f} s median [{runs}] = {resync['speedup']:.1f}x (target >= 20x)"
    )


if __name__ == "__main__":
    main()
