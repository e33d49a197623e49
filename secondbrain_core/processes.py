"""Background server processes we start ourselves (local MongoDB, the LLM endpoint): is one
alive, stop it, find a port for the next one. Kept in one place so both servers stop alike.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time


def pid_alive(pid: int) -> bool:
    """Whether a process with `pid` exists (owned by us or not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
