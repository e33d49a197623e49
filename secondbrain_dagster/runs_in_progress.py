"""`python -m secondbrain_dagster.runs_in_progress`: the ids of this home's Dagster runs that are
queued or running, one JSON list on stdout.

`secondbrain backup`/`restore` ask this in a child process (the library never imports Dagster)
and refuse while the list is not empty: a run may be writing the store or the index. Reads the
instance at `DAGSTER_HOME` (default `$SECONDBRAIN_HOME/dagster`), SQLite or Postgres alike.
"""

import json

import dagster as dg

from secondbrain_core.settings import load_settings

ACTIVE = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def runs_in_progress(instance: dg.DagsterInstance) -> list[str]:
    return [run.run_id for run in instance.get_runs(filters=dg.RunsFilter(statuses=ACTIVE))]


def main() -> None:
    home = load_settings().dagster_home.resolve()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        print(json.dumps(runs_in_progress(instance)))


if __name__ == "__main__":
    main()
