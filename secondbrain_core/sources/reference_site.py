"""A loopback web server for the sample's SQL reference pages, so the demo crawls real pages.

The sample notes link to `http://localhost:8765/docs/sql-*.html`; this serves
`sample_data/reference/` there. It binds 127.0.0.1 only and serves only that folder.

    python -m secondbrain_core.sources.reference_site [--port 8765] [--root DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import REPO_ROOT

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MOUNT = "/docs/"
REFERENCE_DIR = REPO_ROOT / "sample_data" / "reference"


class _Handler(SimpleHTTPRequestHandler):
    """Files under `/docs/` only; every other path is a 404."""

    def send_head(self):  # type: ignore[no-untyped-def]
        if not self.path.startswith(MOUNT):
            self.send_error(404, f"only {MOUNT} is served here")
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        return super().translate_path("/" + path.removeprefix(MOUNT))

    def list_directory(self, path):  # type: ignore[no-untyped-def]
        self.send_error(404, "no directory listings")
        return None

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the crawl's own log says what was fetched."""


class ReferenceSite:
    """`with ReferenceSite(port=0) as site: site.base_url` — a server in a daemon thread."""

    def __init__(self, root: Path = REFERENCE_DIR, port: int = DEFAULT_PORT) -> None:
        if not root.is_dir():
            raise SecondBrainError(f"reference pages folder {root} does not exist")
        self.root = root
        self.port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.port}{MOUNT}"

    def start(self) -> ReferenceSite:
        try:
            self._server = ThreadingHTTPServer((HOST, self.port), partial(_Handler, directory=str(self.root)))
        except OSError as exc:
            raise SecondBrainError(f"cannot serve the reference pages on {HOST}:{self.port}: {exc}") from exc
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="reference-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self) -> ReferenceSite:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="serve the sample's SQL reference pages on 127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--root", type=Path, default=REFERENCE_DIR)
    args = parser.parse_args()
    with ReferenceSite(args.root, args.port) as site:
        print(f"serving {site.root} at {site.base_url} (Ctrl-C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
