"""The production Dagster instance (`deploy/dagster/production.yaml`) on a real PostgreSQL.

A `dagster-daemon` on that instance ticks the real `source_change_sensor`, which requests an
ingest; the run waits in the queue (QueuedRunCoordinator), is launched and completes, and the
run, its events and the sensor tick are all read back from Postgres. The local config is
checked to load as well.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster._core.scheduler.instigation import InstigatorType, TickStatus
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage
from postgres_server import Postgres, running_postgres, server_bin
from test_dagster_ingest import write_export

from secondbrain_core.settings import Settings
from secondbrain_core.sources.registry import open_source
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore
from secondbrain_dagster.pools import LOCAL_CONFIG, POOL_TAG, POOLS, PRODUCTION_CONFIG

TESTS = Path(__file__).parent
BIN = Path(sys.executable).parent
RUN_DEADLINE_S = 90

pytestmark = pytest.mark.skipif(server_bin() is None, reason="PostgreSQL not installed: run `make system-deps`")


@pytest.fixture
def postgres(monkeypatch: pytest.MonkeyPatch) -> Iterator[Postgres]:
    with running_postgres() as server:
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        yield server


def _instance(folder: Path, config: Path) -> dg.DagsterInstance:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(config, folder / "dagster.yaml")
    return dg.DagsterInstance.from_config(str(folder))


def _limits(instance: dg.DagsterInstance) -> dict[str, int]:
    queue = instance.get_concurrency_config().run_queue_config
    return {limit["value"]: limit["limit"] for limit in queue.tag_concurrency_limits if limit["key"] == POOL_TAG}


def test_local_config_is_sqlite_with_the_same_queue_limits(tmp_path: Path) -> None:
    instance = _instance(tmp_path / "dagster", LOCAL_CONFIG)
    assert type(instance.run_storage).__name__ == "SqliteRunStorage"
    assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
    assert _limits(instance) == dict.fromkeys(POOLS, 1)
    assert instance.run_monitoring_enabled


def test_production_instance_runs_a_sensor_requested_asset_on_postgres(
    settings: Settings, postgres: Postgres, tmp_path: Path
) -> None:
    instance = _instance(settings.dagster_home, PRODUCTION_CONFIG)
    assert isinstance(instance.run_storage, PostgresRunStorage)
    assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
    assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
    assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
    assert _limits(instance) == dict.fromkeys(POOLS, 1)
    assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
    assert instance.run_monitoring_enabled

    spec = write_export(tmp_path / "export", {"Espresso": "Pull the shot for 25 seconds.", "Orchid": "Water weekly."})
    env = {**os.environ, "SECONDBRAIN_SOURCES": spec}
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-m", "production_location", "-a", "defs", "-d", str(TESTS)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its code server and run workers go down with it
    )
    try:
        run = _wait_for_finished_run(instance, daemon, tmp_path / "daemon.log")
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        finally:  # its code server outlives a SIGTERM (seen here): nothing of the group may stay behind
            with contextlib.suppress(ProcessLookupError):
                os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()

    assert run.status == dg.DagsterRunStatus.SUCCESS, (tmp_path / "daemon.log").read_text()[-3000:]
    assert run.tags["dagster/sensor_name"] == "source_change_sensor"
    assert instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_ENQUEUED), "not queued"
    materialized = instance.get_latest_materialization_event(dg.AssetKey("raw_notion_pages"))
    assert materialized is not None and materialized.run_id == run.run_id
    assert materialized.asset_materialization.metadata["new"].value == 2
    stored = PageStore(open_database(settings)).live_pages(open_source(spec, settings).name)
    assert {page.title for page in stored} == {"Espresso", "Orchid"}

    states = instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
    (sensor,) = [state for state in states if state.name == "source_change_sensor"]
    ticks = instance.get_ticks(sensor.instigator_origin_id, sensor.selector_id)
    assert any(t.status == TickStatus.SUCCESS and run.run_id in t.run_ids for t in ticks)


def _wait_for_finished_run(instance: dg.DagsterInstance, daemon: subprocess.Popen, log: Path) -> dg.DagsterRun:
    deadline = time.monotonic() + RUN_DEADLINE_S
    while time.monotonic() < deadline:
        assert daemon.poll() is None, f"dagster-daemon exited: {log.read_text()[-3000:]}"
        runs = instance.get_runs()
        if runs and runs[0].is_finished:
            return runs[0]
        time.sleep(1)
    raise AssertionError(f"no finished run within {RUN_DEADLINE_S} s: {log.read_text()[-3000:]}")
