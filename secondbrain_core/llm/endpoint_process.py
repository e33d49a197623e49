"""The summarization endpoint as a detached background process of this home.

Its pid, port and model live in `$SECONDBRAIN_HOME/endpoint/state.json`. Deploying a new
model never leaves a gap: the new process starts on a fresh port, and only once it answers
`/healthz` does the state file switch to it and, after a short drain, the old process stop.
Callers (the summarizer, the chat) read the state file to find the endpoint.

A pid or a port in the state file can outlive its server and come to belong to a stranger.
So a caller trusts an address only when the server there proves it knows this deployment's
token (an HMAC of a fresh challenge: the token never crosses the wire), before any API key is
sent to it; and only a process whose command line names this home and port is ever signalled.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from pydantic import BaseModel, Field

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.llm.bind import require_key_beyond_loopback
from secondbrain_core.llm.models import ModelRef, resolve_model
from secondbrain_core.processes import free_port, is_ours, terminate
from secondbrain_core.records import write_record
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
    token: str = Field(default="", repr=False)  # the server proves it knows this; older state files lack it


SERVER_MODULE = "secondbrain_core.llm.server"


def prove(token: str, challenge: str) -> str:
    """The answer to `challenge` that only a server knowing `token` can give."""
    return hmac.new(token.encode(), challenge.encode(), hashlib.sha256).hexdigest()


def _dir(settings: Settings) -> Path:
    return settings.home.resolve() / "endpoint"


def read_state(settings: Settings) -> EndpointState | None:
    """What the state file says, whether or not that process still answers."""
    try:
        return EndpointState.model_validate_json((_dir(settings) / "state.json").read_text())
    except (OSError, ValueError):
        return None


def _write(settings: Settings, state: EndpointState) -> None:
    """Replace the state file atomically, readable by this user only (it holds the token)."""
    write_record(_dir(settings) / "state.json", state)


def healthy(url: str, token: str, timeout_s: float = 2.0) -> bool:
    """Whether the server at `url` answers and proves it is the one started with `token`."""
    if not token:
        return False
    challenge = secrets.token_hex(16)
    try:
        response = httpx.get(f"{url}/healthz", params={"challenge": challenge}, timeout=timeout_s)
        proof = response.json().get("proof") if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError, AttributeError):
        return False
    return isinstance(proof, str) and hmac.compare_digest(proof, prove(token, challenge))


def current(settings: Settings) -> EndpointState | None:
    """The running endpoint of this home, or None when none answers as ours."""
    state = read_state(settings)
    return state if state and healthy(state.url, state.token) else None


def _ours(settings: Settings, state: EndpointState) -> bool:
    """Whether `state.pid` is still the server process this home started on that port."""
    return is_ours(state.pid, SERVER_MODULE, str(settings.home.resolve()), str(state.port))


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
        if old and old.pid != new.pid and _ours(settings, old):
            time.sleep(DRAIN_S)
            terminate(old.pid)
    return new


def _start(settings: Settings, ref: ModelRef, timeout_s: float) -> EndpointState:
    host = settings.endpoint_host
    require_key_beyond_loopback(host, settings)  # here, not in the server's log only
    port = free_port(host)
    url = f"http://{host}:{port}"
    log_path = _dir(settings) / f"server-{port}.log"
    token = secrets.token_hex(32)
    command = [sys.executable, "-m", SERVER_MODULE, "--home", str(settings.home.resolve())]
    command += ["--ref", ref.model_dump_json(), "--port", str(port), "--backend", settings.llm_backend]
    command += ["--threads", str(settings.llm_threads), "--token-stdin"]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.PIPE, start_new_session=True
        )
    with contextlib.suppress(BrokenPipeError), proc.stdin:  # not in argv: other users can read that
        proc.stdin.write(f"{token}\n".encode())
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if healthy(url, token):
            return EndpointState(
                pid=proc.pid,
                port=port,
                url=url,
                model=ref.name,
                version=ref.version,
                source=ref.source,
                started_at=datetime.now(UTC).isoformat(),
                token=token,
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
        if state and _ours(settings, state):
            terminate(state.pid)
        (folder / "state.json").unlink(missing_ok=True)
    return state
