"""Notion webhooks on loopback: an edit wakes the source sensor instead of waiting for its poll.

Notion POSTs to a public HTTPS URL, so put a tunnel or a TLS proxy in front of this loopback
receiver (`secondbrain notion-webhook`). The first POST of a new subscription carries a
`verification_token`: it is kept (readable by you only) and printed, to be pasted into the
integration's Webhooks tab; a later one is refused (409) until you delete the kept one, or a
stranger reaching the proxy could replace it and sign events of their own. Every later event
must be signed with it (`X-Notion-Signature: sha256=HMAC(token, body)`, compared in constant
time); a signed event records its arrival in
`wake.json`, which the sensor reads each tick (`source_change_sensor`). Nothing in the event is
trusted beyond "something changed": the sensor's own listing decides what to sync.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.records import write_atomically
from secondbrain_core.settings import Settings

PATH = "/notion/webhook"
MAX_BODY = 1_000_000
READ_TIMEOUT_S = 10.0
LOOPBACK = ("127.0.0.1", "::1", "localhost")
log = logging.getLogger(__name__)


def state_dir(settings: Settings) -> Path:
    return settings.home.resolve() / "notion-webhook"


def last_wake(settings: Settings) -> float | None:
    """When the last signed event arrived (epoch seconds), None before the first."""
    try:
        return float(json.loads((state_dir(settings) / "wake.json").read_text())["at"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def _write(path: Path, data: dict) -> None:
    """Atomically and privately (the token): handler threads may write the same file at once."""
    write_atomically(path, json.dumps(data).encode())


def make_server(settings: Settings, host: str, port: int) -> ThreadingHTTPServer:
    """The receiver bound to `host`:`port` (loopback only: Notion reaches it through your proxy)."""
    if host not in LOOPBACK:
        raise SecondBrainError(f"--host {host}: the webhook receiver listens on loopback only; put a proxy in front")
    folder = state_dir(settings)

    class Handler(BaseHTTPRequestHandler):
        timeout = READ_TIMEOUT_S  # on every read of the request; the receiver faces the internet through a proxy

        def do_POST(self) -> None:
            if self.path != PATH:
                return self._reply(HTTPStatus.NOT_FOUND)
            declared = self.headers.get("Content-Length") or "0"
            if not declared.isdecimal():  # `abc` raised in the handler; `-1` read until the client hung up
                return self._reply(HTTPStatus.BAD_REQUEST)
            if int(declared) > MAX_BODY:
                return self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            try:
                body = self.rfile.read(int(declared))
            except TimeoutError:  # a body promised and never sent must not hold a thread for good
                self.close_connection = True
                return None
            try:
                event = json.loads(body)
            except (ValueError, RecursionError):
                return self._reply(HTTPStatus.BAD_REQUEST)
            token_file = folder / "token.json"
            if isinstance(event, dict) and isinstance(event.get("verification_token"), str):
                if token_file.exists():  # anyone reaching the proxy could post one: the first one stays
                    log.warning(
                        "refused a second Notion verification token; to accept a new subscription's, delete %s",
                        token_file,
                    )
                    return self._reply(HTTPStatus.CONFLICT)
                _write(token_file, {"verification_token": event["verification_token"]})
                log.warning(
                    "Notion verification token received: paste it into the integration's Webhooks tab (kept in %s)",
                    token_file,
                )
                return self._reply(HTTPStatus.OK)
            try:
                token = json.loads(token_file.read_text())["verification_token"]
            except (FileNotFoundError, ValueError, KeyError):
                return self._reply(HTTPStatus.UNAUTHORIZED)
            expected = "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, self.headers.get("X-Notion-Signature", "")):
                return self._reply(HTTPStatus.UNAUTHORIZED)
            _write(folder / "wake.json", {"at": time.time(), "type": str(event.get("type", ""))[:100]})
            return self._reply(HTTPStatus.OK)

        def _reply(self, status: HTTPStatus) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # one quiet line per request at debug
            log.debug(format, *args)

    return ThreadingHTTPServer((host, port), Handler)
