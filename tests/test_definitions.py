"""The merged Dagster definitions load, obey the contract, and load in the real tools."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import dagster as dg

from secondbrain_core.processes import free_port
from secondbrain_core.settings import REPO_ROOT, Settings
from secondbrain_dagster.definitions import defs

BIN = Path(sys.executable).parent
ASSETS_QUERY = "{ assetNodes { assetKey { path } } }"
WEBSERVER_START_S = 120


def test_definitions_load_and_follow_the_contract() -> None:
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    # what the graph materializes follows the contract; external assets are only referenced
    specs = {s.key: s for s in defs.resolve_all_asset_specs() if s.key in graph.materializable_asset_keys}
    assert dg.AssetKey("raw_notion_pages") in specs
    checked = {check.asset_key for check in graph.asset_check_keys}
    for key, spec in specs.items():
        assert spec.freshness_policy is not None, f"{key.to_user_string()} has no freshness policy"
        assert spec.group_name != "default", f"{key.to_user_string()} has no group"
        assert spec.description, f"{key.to_user_string()} has no docstring"
        assert key in checked, f"{key.to_user_string()} has no asset check"
    assert {s.name for s in defs.sensors} >= {"source_change_sensor"}
    assert {s.name for s in defs.schedules} >= {"daily_ingest_schedule"}


def test_dagster_cli_validates_the_workspace(settings: Settings) -> None:
    completed = subprocess.run(
        [str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "All code locations passed validation" in completed.stderr + completed.stdout


def _asset_keys(port: int) -> list[str] | None:
    """The assets the webserver's GraphQL lists, or None while it (or its code location) starts."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": ASSETS_QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            nodes = json.load(response).get("data", {}).get("assetNodes") or []
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None
    return ["/".join(node["assetKey"]["path"]) for node in nodes] or None


def test_webserver_lists_the_assets(settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "webserver.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its code-server child goes down with it
    )
    try:
        deadline = time.monotonic() + WEBSERVER_START_S
        keys = None
        while keys is None and time.monotonic() < deadline and server.poll() is None:
            time.sleep(1)
            keys = _asset_keys(port)
        assert keys is not None, (tmp_path / "webserver.log").read_text()[-3000:]
        assert "raw_notion_pages" in keys
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
