"""A hostile little web site on loopback for the crawl tests (and the secret it must not reach).

`CrawlSite` serves normal pages, a page linking to itself, plain text and Markdown, a redirect
chain ending at another loopback server, one ending at the metadata address, a redirect loop,
a 50 MB page streamed in chunks (nothing allocated up front), a slow page, a binary file, a robots.txt
disallowing `/private/`, a 404, a 500 and a page with an ETag. Every request is recorded, so a
test can prove a refused hop was never connected to.
"""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fake_api import JSONHandler

ARTICLE = """<!DOCTYPE html><html><head><title>{title}</title></head><body>
<nav class="menu"><a href="/index.html">Home</a> | <a href="/about.html">About us</a></nav>
<header><p>Site header boilerplate with a login link</p></header>
<main><article><h1>{title}</h1>
<p>{title} explains how vacuum reclaims storage occupied by dead tuples in a table. The command
can run on a single table or on the whole database, and autovacuum runs it in the background.</p>
<p>Regular vacuuming matters for three reasons: to recover disk space, to update planner
statistics and to protect against transaction ID wraparound. See <a href="{link}">the next page</a>.</p>
</article></main>
<footer><p>Copyright footer boilerplate. All rights reserved. Privacy policy.</p></footer>
</body></html>"""
BIG_BYTES = 50 * 1024 * 1024


class Recorder(ThreadingHTTPServer):
    """A loopback server that records the paths it was asked for."""

    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.hits: list[str] = []
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)  # quick shutdown

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _Secret(JSONHandler):
    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        self.send_json(200, {"secret": "must never be read"})


class SecretServer(Recorder):
    """Stands for an internal service: a crawl must never connect to it."""

    def __init__(self) -> None:
        super().__init__(_Secret)


class CrawlSite(Recorder):
    def __init__(self, secret_port: int) -> None:
        super().__init__(_Site)
        self.secret_port = secret_port
        self.hosts: list[str] = []  # the Host header of each request
        self.body_sent: list[str] = []


class _Site(JSONHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        site: CrawlSite = self.server  # type: ignore[assignment]
        site.hits.append(self.path)
        site.hosts.append(self.headers.get("Host", ""))
        path = self.path.split("?")[0]
        routes = {
            "/robots.txt": lambda: self._send(200, "text/plain", "User-agent: *\nDisallow: /private/\n"),
            "/a.html": lambda: self._html("Vacuum basics", "/b.html"),
            "/b.html": lambda: self._html("Vacuum details", "/a.html#top"),
            "/self.html": lambda: self._html("Self reference", "/self.html"),
            "/private/secret.html": lambda: self._html("Private", "/a.html"),
            "/notes.md": lambda: self._send(200, "text/markdown", "# Markdown notes\n\nPlain *Markdown* text here.\n"),
            "/plain.txt": lambda: self._send(200, "text/plain; charset=utf-8", "Plain text page\nwith two lines.\n"),
            "/file.bin": lambda: self._send(200, "application/octet-stream", "\x00\x01binary" * 100),
            "/missing.html": lambda: self._send(404, "text/html", "<h1>not found</h1>"),
            "/broken.html": lambda: self._send(500, "text/html", "<h1>server error</h1>"),
            "/hop1": lambda: self._redirect("/hop2"),
            "/hop2": lambda: self._redirect(f"http://127.0.0.1:{site.secret_port}/admin"),
            "/to-metadata": lambda: self._redirect("/hop-metadata"),
            "/hop-metadata": lambda: self._redirect("http://169.254.169.254/latest/meta-data/"),
            "/to-a": lambda: self._redirect("/a.html"),
            "/loop": lambda: self._redirect("/loop"),
            "/big.html": self._big,
            "/big-declared.html": lambda: self._big(declared=True),
            "/slow.html": self._slow,
            "/etag.html": self._etag,
        }
        route = routes.get(path)
        if route is None:
            return self._send(404, "text/html", "<h1>no such page</h1>")
        route()

    def _html(self, title: str, link: str) -> None:
        self._send(200, "text/html; charset=utf-8", ARTICLE.format(title=title, link=link))

    def _send(self, status: int, content_type: str, text: str, headers: dict[str, str] | None = None) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _big(self, declared: bool = False) -> None:
        """50 MB of HTML, written in 64 KB chunks until the client hangs up."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if declared:
            self.send_header("Content-Length", str(BIG_BYTES))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(BIG_BYTES // len(chunk)):
                self.wfile.write(chunk)

    def _slow(self) -> None:
        time.sleep(3)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._html("Slow page", "/a.html")

    def _etag(self) -> None:
        site: CrawlSite = self.server  # type: ignore[assignment]
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.end_headers()
            return
        site.body_sent.append(self.path)
        self._html("Tagged page", "/a.html")

    def end_headers(self) -> None:
        """The tagged page carries its ETag on 200 and 304 alike."""
        if self.path.startswith("/etag.html"):
            self.send_header("ETag", '"v1"')
        super().end_headers()
