"""`summarization_endpoint` materialized for real: a detached server process in a temp home."""

from __future__ import annotations

import threading

import dagster as dg
import httpx

from asset_checks.serving import SERVING_CHECKS
from secondbrain_core.llm import endpoint_process
from secondbrain_core.processes import pid_alive
from secondbrain_dagster.resources import SecondBrainSettings
from secondbrain_dagster.serving.assets import summarization_endpoint
from secondbrain_dagster.serving.definitions import defs


def _probe_until(settings, done: threading.Event, failures: list[str], seen_pids: set[int]) -> None:
    """Ask whatever endpoint the state file names, continuously, as a caller would."""
    while not done.is_set():
        state = endpoint_process.read_state(settings)
        try:
            response = httpx.get(f"{state.url}/v1/models", timeout=5)
            response.raise_for_status()
            seen_pids.add(state.pid)
        except httpx.HTTPError as exc:
            failures.append(f"{state.url}: {exc}")


def test_materialize_deploys_then_redeploys_without_downtime(settings) -> None:
    resources = {"sb": SecondBrainSettings(home=str(settings.home))}
    try:
        result = dg.materialize([summarization_endpoint, *SERVING_CHECKS], resources=resources)
        assert result.success
        metadata = result.asset_materializations_for_node("summarization_endpoint")[0].metadata
        first = endpoint_process.current(settings)
        assert first is not None
        assert metadata["url"].value == first.url
        assert metadata["model_version"].value == "base"  # no MLflow champion in a fresh home
        assert metadata["pid"].value == first.pid
        checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
        assert set(checks) == {"endpoint_healthy", "endpoint_summarizes"}
        assert all(e.passed for e in checks.values())
        assert checks["endpoint_summarizes"].metadata["tokens"].value > 0

        done, failures, seen = threading.Event(), [], set()
        prober = threading.Thread(target=_probe_until, args=(settings, done, failures, seen))
        prober.start()
        try:
            second = endpoint_process.deploy(settings, "base")
        finally:
            done.set()
            prober.join()
        assert failures == []
        assert second.pid != first.pid and second.port != first.port
        assert endpoint_process.current(settings) == second
        assert not pid_alive(first.pid)  # the old one stopped after the switch
        assert seen >= {first.pid}
    finally:
        endpoint_process.stop(settings)
    assert endpoint_process.current(settings) is None


def test_serving_definitions_load() -> None:
    bound = dg.Definitions.merge(dg.Definitions(resources={"sb": SecondBrainSettings()}), defs)
    graph = bound.resolve_asset_graph()
    assert dg.AssetKey("summarization_endpoint") in graph.get_all_asset_keys()
    assert {key.name for key in graph.asset_check_keys} == {"endpoint_healthy", "endpoint_summarizes"}
