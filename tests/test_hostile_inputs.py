"""Hostile or malformed input found by probing the CLI's inputs: a crawled site that lies
about its charset or redirects anywhere, a damaged or crafted backup, a backup folder that is
a file, test-set lines nested past the parser's depth, file names with control characters.

Each case once gave a traceback, exit 1, an aborted run or lost data; now it is one named line
(exit 2) or a failure of that one URL.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest
from crawl_site import Recorder

from secondbrain_core.crawl.pipeline import crawl_urls
from secondbrain_core.settings import Settings

TEXT = b"Plain text page with enough words to be kept as a document.\n"
ROUTES = {
    "/charset-unknown": (200, {"Content-Type": "text/plain; charset=no-such-codec"}),
    "/charset-rot13": (200, {"Content-Type": "text/plain; charset=rot13"}),
    "/to-file": (302, {"Location": "file:///etc/passwd"}),
    "/to-javascript": (302, {"Location": "javascript:alert(1)"}),
    "/to-bad-port": (302, {"Location": "http://example.com:99999/"}),
    "/to-control-char": (302, {"Location": "/a\x7fb"}),
    "/to-long": (302, {"Location": "/" + "x" * 70_000}),
    "/ok": (200, {"Content-Type": "text/plain; charset=utf-8"}),
}


class _Liar(BaseHTTPRequestHandler):
    """Answers that are the server's fault: a bogus charset, redirects to what no crawl may follow."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        status, headers = ROUTES.get(self.path, (404, {"Content-Type": "text/plain"}))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(TEXT)))
        self.end_headers()
        self.wfile.write(TEXT)


def test_a_site_lying_about_charset_or_redirecting_anywhere_fails_only_its_urls(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a LookupError or an httpx.InvalidURL (exit 1) or a BadURL (exit 2) ended the whole crawl."""
    unparsable = ["/a\x7fb", "/" + "x" * 70_000]  # given (or linked) URLs httpx refuses to build
    with Recorder(_Liar) as site:
        monkeypatch.setattr(settings, "crawl_allow", f"127.0.0.1:{site.port}")
        monkeypatch.setattr(settings, "crawl_host_delay_s", 0.0)
        urls = [site.base + route for route in [*ROUTES, *unparsable]]
        pages = {p.url.removeprefix(site.base): p for p in crawl_urls(urls, settings)}
    for route in ("/charset-unknown", "/charset-rot13", "/ok"):  # read as UTF-8
        assert pages[route].status == "ok" and "Plain text page" in pages[route].markdown, route
    for route in ("/to-file", "/to-bad-port"):  # refused by the guard at the hop
        assert pages[route].status == "blocked" and "redirects to" in pages[route].reason, route
    for route in ("/to-javascript", "/to-control-char", "/to-long"):  # refused by httpx's URL parser
        assert pages[route].status == "error" and route in pages[route].reason, route
    for route in unparsable:
        assert pages[route].status == "error" and "InvalidURL" in pages[route].reason
    assert not any("etc/passwd" in hit for hit in site.hits)
