"""The summarization endpoint as a detached background process of this home.

Its pid, port and model live in `$SECONDBRAIN_HOME/endpoint/state.json`. Deploying a new
model never leaves a gap: the new process starts on a fresh port, and only once it answers
`/healthz` does the state file switch to it and, after a short drain, the old process stop.
Callers (the summarizer, the chat) read the state file to find the endpoint.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from pydantic import BaseModel

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.llm.models import ModelRef, resolve_model
from secondbrain_core.processes import free_port, pid_alive, terminate
from secondbrain_core.settings import Settings

# A caller that read the old address just before the switch still reaches it in this time.
DRAIN_S = 1.0


class EndpointState(BaseModel):
    pid: int
    port: int
    url: str
    model: str
    version: str
    source: str
    started_at: str


def _dir(settings: Settings) -> Path:
    return settings.home.resolve() / "endpoint"


def read_state(settings: Settings) -> EndpointState | None:
    """What the state file says, whether or not that process still answers."""
    try:
        return EndpointState.model_validate_json((_dir(settings) / "state.json").read_text())
    except (OSError, ValueError):
        return None


def _write(settings: Settings, state: EndpointState) -> None:
    tmp = _dir(settings) / "state.json.tmp"
    tmp.write_text(state.model_dump_json(indent=2))
    tmp.replace(_dir(settings) / "state.json")


def healthy(url: str, timeout_s: float = 2.0) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


def current(settings: Settings) -> EndpointState | None:
    """The running endpoint of this home, or None when none answers."""
    state = read_state(settings)
    return state if state and pid_alive(state.pid) and healthy(state.url) else None


def deploy(settings: Settings, model: str = "champion", *, timeout_s: float = 300.0) -> EndpointState:
    """Serve `model` (base/champion/NAME), replacing a running endpoint without downtime."""
    ref = resolve_model(settings, model)
    folder = _dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "deploy.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        old = read_state(settings)
        new = _start(settings, ref, timeout_s)
        _write(settings, new)
        if old and old.pid != new.pid and pid_alive(old.pid):
            time.sleep(DRAIN_S)
            terminate(old.pid)
    return new


def _start(settings: Settings, ref: ModelRef, timeout_s: float) -> EndpointState:
    host = settings.endpoint_host
    port = free_port(host)
    url = f"http://{host}:{port}"
    log_path = _dir(settings) / f"server-{port}.log"
    command = [sys.executable, "-m", "secondbrain_core.llm.server", "--home", str(settings.home.resolve())]
    command += ["--ref", ref.model_dump_json(), "--port", str(port), "--backend", settings.llm_backend]
    command += ["--threads", str(settings.llm_threads)]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if healthy(url):
            return EndpointState(
                pid=proc.pid,
                port=port,
                url=url,
                model=ref.name,
                version=ref.version,
                source=ref.source,
                started_at=datetime.now(UTC).isoformat(),
            )
        time.sleep(0.5)
    terminate(proc.pid)
    raise SecondBrainError(f"the endpoint for model {ref.name!r} did not become healthy; see {log_path}")


def stop(settings: Settings) -> EndpointState | None:
    """Stop this home's endpoint if one runs; returns the state it had."""
    folder = _dir(settings)
    if not folder.is_dir():
        return None
    with open(folder / "deploy.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = read_state(settings)
        if state and pid_alive(state.pid):
            terminate(state.pid)
        (folder / "state.json").unlink(missing_ok=True)
    return state
