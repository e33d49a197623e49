"""One background MongoDB wire server (secantusdb) per `$SECONDBRAIN_HOME`.

Its storage takes a single-writer lock, so every process of a home (CLI, Dagster run worker,
chat) shares one server: whoever needs it first starts it, its pid and port go into
`mongo/server.json`, the others reuse it, and `secondbrain db stop` ends it. A state file
left by a crashed server is detected (dead pid, a pid now held by another program, or a
closed port) and replaced; only this home's own server is ever signalled.

A server nobody uses stops itself: after `SECONDBRAIN_DB_IDLE_STOP_S` with no client connected
and no process asking for it, or at once when its data directory disappears (a deleted
throw-away home), so neither a test nor a temporary home leaves a process behind.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.processes import is_ours, terminate
from secondbrain_core.settings import DB_IDLE_STOP_S

POLL_S = 0.5  # how often the server looks at its clients and its data directory


class ServerState(BaseModel):
    uri: str
    pid: int
    running: bool


def _paths(home: Path) -> tuple[Path, Path, Path]:
    root = home.resolve() / "mongo"
    return root / "server.json", root / "data", root / "server.lock"


def _read_state(state_file: Path) -> dict | None:
    try:
        return json.loads(state_file.read_text())
    except (OSError, ValueError):
        return None


def _is_our_server(pid: int, data_dir: Path) -> bool:
    """Whether `pid` is this home's server, not a process that reused its pid after a reboot."""
    return is_ours(pid, __name__, str(data_dir))


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _live(state: dict | None, data_dir: Path) -> bool:
    return bool(state) and _is_our_server(state["pid"], data_dir) and _port_open(state["port"])


def status(home: Path) -> ServerState:
    """The home's server as the state file and the process table see it."""
    state_file, data_dir, _ = _paths(home)
    state = _read_state(state_file)
    if not state:
        return ServerState(uri="", pid=0, running=False)
    return ServerState(uri=state["uri"], pid=state["pid"], running=_live(state, data_dir))


def ensure_running(home: Path, timeout_s: float = 60.0, idle_stop_s: float = DB_IDLE_STOP_S) -> str:
    """Return the URI of this home's server, starting it (once, under a file lock) if needed.

    A server already running is told it is wanted (its state file is touched), so it does not
    stop for idleness between this answer and the caller's first connection.
    """
    state_file, data_dir, lock_file = _paths(home)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SecondBrainError(f"SECONDBRAIN_HOME={home}: cannot create {data_dir} ({exc.strerror})") from None
    with open(lock_file, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = _read_state(state_file)
        if _live(state, data_dir):
            state_file.touch()
            return state["uri"]
        if state and _is_our_server(state["pid"], data_dir):
            terminate(state["pid"])
        state_file.unlink(missing_ok=True)
        argv = [sys.executable, "-m", __name__, "--data", str(data_dir), "--state", str(state_file)]
        with open(state_file.parent / "server.log", "ab") as log:  # the child keeps its own copy
            proc = subprocess.Popen(
                [*argv, "--idle-stop-s", str(idle_stop_s)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            state = _read_state(state_file)
            if state and state["pid"] == proc.pid and _port_open(state["port"]):
                return state["uri"]
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        proc.kill()
        raise SecondBrainError(
            f"the local MongoDB server for {home} did not start; see {state_file.parent / 'server.log'}"
        )


def stop(home: Path) -> ServerState:
    """Stop this home's server if it runs; returns its last state with running=False."""
    state_file, data_dir, lock_file = _paths(home)
    if not lock_file.parent.exists():
        return ServerState(uri="", pid=0, running=False)
    with open(lock_file, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = _read_state(state_file)
        if state and _is_our_server(state["pid"], data_dir):
            terminate(state["pid"])
        state_file.unlink(missing_ok=True)
    return ServerState(uri=state["uri"] if state else "", pid=state["pid"] if state else 0, running=False)


@contextlib.contextmanager
def temporary_home(prefix: str = "secondbrain-") -> Iterator[Path]:
    """A throw-away home that takes its local MongoDB server, if anything started one, with it."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        try:
            yield Path(tmp)
        finally:
            stop(Path(tmp))


def _serve(data_dir: Path, state_file: Path, idle_stop_s: float) -> None:
    """Run the server in this process; the state file is written when it listens.

    It runs until SIGTERM, until its data directory is gone, or until `idle_stop_s` (0: never)
    passed with no client connected and no `ensure_running` touching the state file.
    """
    from secantus.server import SecantusDBServer

    server = SecantusDBServer(port=0, storage_path=str(data_dir))
    server.start()
    host, port = server.address
    tmp = state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps({"uri": f"mongodb://{host}:{port}/", "port": port, "pid": os.getpid()}))
    tmp.replace(state_file)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    last_use = time.time()
    while not stopping.wait(POLL_S) and data_dir.is_dir():
        last_use = time.time() if len(server.connections) else max(last_use, _mtime(state_file))
        if idle_stop_s and time.time() - last_use >= idle_stop_s and _retire(server, state_file, idle_stop_s):
            return
    server.stop()


def _retire(server, state_file: Path, idle_stop_s: float) -> bool:
    """Stop for idleness under the start lock, so nobody is handed this URI while it shuts down.

    The lock is only tried: whoever holds it is starting, asking for or stopping this server.
    """
    try:
        lock = open(state_file.with_name("server.lock"), "w")  # noqa: SIM115 (closed below)
    except OSError:
        return False
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        if len(server.connections) or time.time() - _mtime(state_file) < idle_stop_s:
            return False
        server.stop()
        if (_read_state(state_file) or {}).get("pid") == os.getpid():
            state_file.unlink(missing_ok=True)
    return True


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--idle-stop-s", type=float, default=DB_IDLE_STOP_S)
    args = parser.parse_args()
    _serve(args.data, args.state, args.idle_stop_s)
