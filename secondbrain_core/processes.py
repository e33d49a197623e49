"""Background server processes we start ourselves (local MongoDB, the LLM endpoint): is one
alive and ours, stop it, find a port for the next one. Kept in one place so both servers stop alike.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """Whether a process with `pid` exists (owned by us or not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_ours(pid: int, *markers: str) -> bool:
    """Whether `pid` is alive and its command line holds every marker as one argument.

    A pid in a state file outlives its process: after a crash or a reboot another program may
    hold it, and signalling that program would kill a stranger. The markers (our module, our
    home, our port) are what only the process we started carries. Without /proc the process
    table is asked through `ps`; when neither answers, the process is not ours.
    """
    if not pid_alive(pid):
        return False
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        argv = _ps_argv(pid)
    return all(marker in argv for marker in markers)


def _ps_argv(pid: int) -> list[str]:
    """The command line as `ps` prints it, split on blanks (macOS and others without /proc)."""
    try:
        listing = subprocess.run(["ps", "-ww", "-o", "command=", "-p", str(pid)], capture_output=True, text=True)
    except OSError:
        return []
    return listing.stdout.split()


def terminate(pid: int, timeout_s: float = 15.0) -> None:
    """SIGTERM, reap if it is our child, and SIGKILL after `timeout_s` if it is still there."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and pid_alive(pid):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    if pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (the OS picks it; another process could still take it)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
