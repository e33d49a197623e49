"""Where a server of ours may listen: a real, free port, and nothing beyond loopback without a key.

The checks run before the model loads, so a wrong port or an open interface fails in a second
with one line naming it (exit 2), not after the model load with uvicorn's own exit code; and
the socket they bind is the one the server then listens on, so nothing can take the port in
between and a port that cannot be bound is never silently swapped for another.
"""

from __future__ import annotations

import errno
import ipaddress
import socket

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings

MAX_PORT = 65535


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (a name other than localhost may resolve anywhere)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_key(settings: Settings) -> str:
    """The key the endpoint requires; '' when unset or blank (compose passes an unset variable as '')."""
    return settings.api_key.get_secret_value().strip() if settings.api_key else ""


def require_key_beyond_loopback(host: str, settings: Settings) -> None:
    """Refuse to serve other machines with no key: anyone who can reach the port could use it."""
    if not api_key(settings) and not is_loopback(host):
        raise SecondBrainError(
            f"host {host!r} is reachable beyond this machine: set SECONDBRAIN_API_KEY, or listen on 127.0.0.1"
        )


def listen_socket(host: str, port: int, settings: Settings) -> socket.socket:
    """A socket bound to `host`:`port`, not yet listening (connections are refused until serving)."""
    if not 1 <= port <= MAX_PORT:
        raise SecondBrainError(f"port {port}: must be between 1 and {MAX_PORT}")
    require_key_beyond_loopback(host, settings)
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise SecondBrainError(f"host {host!r}: cannot resolve it ({exc.strerror})") from exc
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does; a listener still blocks it
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        reason = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise SecondBrainError(f"port {port} on {host}: cannot listen there ({reason})") from exc
    return sock
