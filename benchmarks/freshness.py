"""Freshness: seconds from a Notion edit to `secondbrain search` finding it, with nobody clicking.

A real `dagster-daemon` runs the whole graph (`workspace.yaml`) on a temp home with the local
instance config (`deploy/dagster/local.yaml`) against the fake Notion (tests/fake_notion.py,
real HTTP, in this process). The daemon builds the index from the sensor's first ingest; then
each round edits one page with a word no note holds and polls `secondbrain search WORD --mode
bm25` (a fresh CLI process, as a user would run it) until that page comes back. Run from the
repository root, alone on the machine:

    nice -n 10 .venv/bin/python -m benchmarks.freshness --pages 20 --rounds 2
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import dagster as dg

from secondbrain_core.settings import REPO_ROOT, Settings
from secondbrain_core.stores import local_mongo
from secondbrain_dagster.pools import LOCAL_CONFIG
from tests.fake_notion import FakeNotion, paragraph

BIN = Path(sys.executable).parent
SETTLED = "2024-01-01T10:00:00.000Z"
NOTES = REPO_ROOT / "sample_data" / "notes"  # real prose: the quality filter keeps it in the index
POLL_S = 2.0


def note_texts(count: int) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of the first `count` sample notes: prose, no headings, tables or code."""
    notes = []
    for path in sorted(NOTES.rglob("*.md"), key=lambda p: p.stat().st_size, reverse=True)[:count]:
        lines = [line.strip() for line in path.read_text().split("\n\n")]
        prose = [line for line in lines if line and not line.startswith(("#", "|", "```", "-", "*"))]
        notes.append((path.stem.rsplit(" ", 1)[0], prose[:8]))
    return notes


def marked(paragraphs: list[str], word: str) -> list[str]:
    """The note with one sentence holding `word` appended to its first paragraph."""
    return [f"{paragraphs[0]} The {word} lives in this note.", *paragraphs[1:]]


def found(env: dict[str, str], word: str, page_id: str) -> bool:
    done = subprocess.run(
        [str(BIN / "secondbrain"), "search", word, "--mode", "bm25", "-k", "3", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode == 0 and any(
        hit["page_id"].replace("-", "") == page_id.replace("-", "") for hit in json.loads(done.stdout)
    )


def wait_found(env: dict[str, str], word: str, page_id: str, limit_s: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        if found(env, word, page_id):
            return time.monotonic() - start
        time.sleep(POLL_S)
    raise SystemExit(f"{word!r} not searchable within {limit_s:.0f} s")


def run_timeline(home: Path, since: float) -> list[dict]:
    """The runs the daemon launched after `since` (epoch s): job, assets, partition, seconds after the edit."""
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        rows = []
        for record in instance.get_run_records():
            run, start, end = record.dagster_run, record.start_time, record.end_time
            if record.create_timestamp.timestamp() < since:
                continue
            assets = sorted(k.to_user_string() for k in run.asset_selection or [])
            rows.append(
                {
                    "job": run.job_name,
                    "assets": assets,
                    "partition": run.tags.get("dagster/partition"),
                    "status": run.status.value,
                    "created_s": round(record.create_timestamp.timestamp() - since, 1),
                    "started_s": round(start - since, 1) if start else None,
                    "ended_s": round(end - since, 1) if end else None,
                }
            )
    return sorted(rows, key=lambda r: r["created_s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--limit-s", type=float, default=900)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="sb-freshness-"))
    (home / "dagster").mkdir()
    shutil.copy(LOCAL_CONFIG, home / "dagster" / "dagster.yaml")
    with FakeNotion() as notion:
        texts = note_texts(args.pages)
        ids = [notion.add_page(title, blocks=[paragraph(p) for p in body]) for title, body in texts]
        notion.edit_page(ids[0], blocks=[paragraph(p) for p in marked(texts[0][1], "quokkafirst")])
        for page in ids:
            notion.patch(page, last_edited_time=SETTLED)
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("MONGODB_URI", "SECONDBRAIN_MONGODB_DATABASE")},
            "SECONDBRAIN_HOME": str(home),
            "DAGSTER_HOME": str(home / "dagster"),
            "SECONDBRAIN_SOURCES": "notion",
            "NOTION_TOKEN": notion.token,
            "SECONDBRAIN_NOTION_BASE_URL": notion.base_url,
            "MLFLOW_TRACKING_URI": f"sqlite:///{home / 'mlflow.db'}",
        }
        log = (home / "daemon.log").open("w")
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        results = {}
        try:
            started = time.monotonic()
            first = wait_found(env, "quokkafirst", ids[0], args.limit_s)
            results["first_index_s"] = round(time.monotonic() - started, 1)
            print(f"first index searchable after {results['first_index_s']} s (poll {first:.0f} s)", flush=True)
            rounds = []
            for n in range(args.rounds):
                word = f"zebracorn{uuid.uuid4().hex[:6]}"
                index = (n * 7 + 3) % len(ids)
                page = ids[index]
                since = time.time()
                notion.edit_page(page, blocks=[paragraph(p) for p in marked(texts[index][1], word)])
                seconds = wait_found(env, word, page, args.limit_s)
                rounds.append({"seconds": round(seconds, 1), "runs": run_timeline(home, since)})
                print(f"round {n}: searchable {seconds:.1f} s after the edit", flush=True)
            results["rounds"] = rounds
        finally:
            os.killpg(daemon.pid, signal.SIGTERM)
            daemon.wait(timeout=60)
            with contextlib.suppress(ProcessLookupError):  # its code server outlives a SIGTERM
                os.killpg(daemon.pid, signal.SIGKILL)
            local_mongo.stop(home)
    settings = Settings(home=home)
    results["machine"] = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    results["poll_interval_s"] = settings.source_poll_interval_s
    results["searches_per_idle_tick"] = 1
    print(json.dumps(results, indent=2))
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
