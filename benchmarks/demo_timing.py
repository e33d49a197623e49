"""Where a demo's time went: every step of every run in a home's Dagster instance, with its wall time.

    python benchmarks/demo_timing.py [--home DIR]     # default: $SECONDBRAIN_HOME

`secondbrain demo` materializes the graph in a few runs; their event logs hold each step's start
and end. This prints them in order (asset steps and asset-check steps), the gaps between runs and
the sum, so a slow fresh demo can be broken down after the fact (RESULTS.md "The whole demo").
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance

from secondbrain_core.settings import Settings

STEP_END = {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}


def step_times(instance: DagsterInstance) -> list[tuple[float, float, str, str]]:
    """(start, end, run id, step key) of every finished step, oldest first."""
    rows = []
    for run in instance.get_runs():
        started: dict[str, float] = {}
        for entry in instance.all_logs(run.run_id, of_type={DagsterEventType.STEP_START, *STEP_END}):
            if entry.dagster_event_type == DagsterEventType.STEP_START:
                started[entry.step_key] = entry.timestamp
            elif entry.step_key in started:
                rows.append((started[entry.step_key], entry.timestamp, run.run_id[:8], entry.step_key))
    return sorted(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="the demo's SECONDBRAIN_HOME")
    args = parser.parse_args()
    if args.home:
        os.environ["SECONDBRAIN_HOME"] = str(args.home)
    home = Settings().dagster_home
    if not (home / "history").is_dir():
        raise SystemExit(f"no Dagster runs under {home}")
    with DagsterInstance.from_config(str(home)) as instance:
        rows = step_times(instance)
    if not rows:
        raise SystemExit(f"no finished steps under {home}")
    first, last, previous_end = rows[0][0], max(r[1] for r in rows), rows[0][0]
    print(f"{'offset s':>9} {'wall s':>8}  run       step")
    for start, end, run_id, step in rows:
        if start - previous_end > 1:
            print(f"{previous_end - first:9.1f} {start - previous_end:8.1f}  (between steps: process start, imports)")
        print(f"{start - first:9.1f} {end - start:8.1f}  {run_id}  {step}")
        previous_end = max(previous_end, end)
    print(f"first step start to last step end: {last - first:.1f} s")


if __name__ == "__main__":
    main()
