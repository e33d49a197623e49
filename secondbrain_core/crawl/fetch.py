"""The guarded fetcher: the only code in the crawl that opens a network connection.

Every hop goes through `Guard.check` and connects to the address it checked (the URL is
rewritten to that address; the Host header and TLS SNI/certificate check keep the name), so a
redirect to 127.0.0.1 or to 169.254.169.254 is refused at the hop that names it, and a name
cannot be re-resolved elsewhere between check and connect. Redirects are followed here, one
checked hop at a time, never by the HTTP client. robots.txt is fetched through the same path
(and obeyed per origin, Crawl-delay included); each origin gets a few connections at a time
and a pause between requests; connect and read timeouts and a per-request deadline (counted
from the moment its origin gives it a slot) bound a slow server; the size cap is enforced
while the body streams and inflates (gzip and deflate are inflated here, a chunk at most to the
cap), so a 50 MB page or a gzip bomb costs at most the cap; only HTML, plain text and
Markdown are read. ETag/Last-Modified make re-fetches
conditional. `trust_env=False`: a proxy from the environment would connect elsewhere than
the checked address.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

import httpx

from secondbrain_core.crawl.guard import BadURL, Blocked, Guard, Target, Unresolvable
from secondbrain_core.settings import Settings

Kind = Literal["html", "text", "markdown"]
CONTENT_TYPES: dict[str, Kind] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
REDIRECTS = {301, 302, 303, 307, 308}
# Content-Encoding -> zlib window bits. Only these are asked for and read: the body is inflated
# here, never more than the cap allows from one chunk (httpx's own decoder inflated a whole 64 kB
# network chunk, up to ~64 MB of a gzip bomb, before the cap was checked).
ENCODINGS = {"identity": 0, "gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
ROBOTS_MAX_BYTES = 512_000
MAX_CRAWL_DELAY_S = 10.0  # a robots.txt asking for more is read as this


class FetchFailed(Exception):
    """One URL could not be fetched; `status` is "blocked" (guard or robots.txt) or "error"."""

    def __init__(self, status: Literal["blocked", "error"], reason: str, http_status: int | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.http_status = status, reason, http_status


@dataclass(frozen=True)
class Fetched:
    """A fetched document (or the news that it did not change: `not_modified`)."""

    url: str
    final_url: str
    http_status: int
    kind: Kind | None
    text: str
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.http_status == 304


@dataclass(frozen=True)
class FetchLimits:
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    total_timeout_s: float = 30.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    host_concurrency: int = 2
    host_delay_s: float = 0.1
    user_agent: str = "SecondBrainCrawler/1.0"

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchLimits:
        return cls(
            connect_timeout_s=settings.crawl_connect_timeout_s,
            read_timeout_s=settings.crawl_read_timeout_s,
            total_timeout_s=settings.crawl_total_timeout_s,
            max_bytes=settings.crawl_max_bytes,
            max_redirects=settings.crawl_max_redirects,
            host_concurrency=settings.crawl_host_concurrency,
            host_delay_s=settings.crawl_host_delay_s,
            user_agent=settings.crawl_user_agent,
        )


class _Origin:
    """Per scheme://host:port: a few requests at a time, spaced by the delay; its robots.txt."""

    def __init__(self, concurrency: int, delay_s: float) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.delay_s = delay_s
        self.next_start = 0.0
        self.lock = asyncio.Lock()
        self.robots: RobotFileParser | FetchFailed | None = None
        self.robots_lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self.slots:
            async with self.lock:
                wait = self.next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self.next_start = time.monotonic() + self.delay_s
            yield


class Fetcher:
    """`async with Fetcher(guard, limits) as f: await f.fetch(url)`; one per crawl."""

    def __init__(self, guard: Guard, limits: FetchLimits | None = None, verify: ssl.SSLContext | bool = True) -> None:
        """`verify`: the TLS trust (default: the system's CAs; tests pass their own CA's context)."""
        self.guard = guard
        self.limits = limits or FetchLimits()
        self.verify = verify
        self._origins: dict[str, _Origin] = {}
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        lim = self.limits
        timeout = httpx.Timeout(lim.read_timeout_s, connect=lim.connect_timeout_s)
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False, verify=self.verify)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """The document at `url` (redirects followed, each hop checked); FetchFailed otherwise."""
        headers = {"Accept": "text/html, application/xhtml+xml, text/markdown, text/plain;q=0.9"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._get(url, headers, robots=True)

    async def _get(self, url: str, headers: dict[str, str], robots: bool) -> Fetched:
        """Hop by hop; each request's deadline starts when its origin gives it a slot, so URLs
        queued behind others of the same host do not time out waiting."""
        current = url
        deadline = self.limits.total_timeout_s
        for _ in range(self.limits.max_redirects + 1):
            target = await self._check(current, via=url)
            origin = self._origin(target.origin)
            if robots:
                await self._obey_robots(target, origin)
            async with origin.slot():
                try:
                    async with asyncio.timeout(deadline), self._open(target, headers) as response:
                        if response.status_code in REDIRECTS and "location" in response.headers:
                            current = urljoin(current, response.headers["location"])
                            continue
                        return await self._read(url, target, response)
                except TimeoutError:
                    raise FetchFailed("error", f"{target.url}: no complete answer within {deadline:g} s") from None
        raise FetchFailed("error", f"{url}: more than {self.limits.max_redirects} redirects")

    async def _check(self, url: str, via: str) -> Target:
        """The guard's verdict on one hop (its DNS lookup off the event loop); a refused redirect
        names the URL that led there."""
        lead = f"{via} redirects to " if url != via else ""
        try:
            return await asyncio.to_thread(self.guard.check, url)
        except Blocked as exc:
            raise FetchFailed("blocked", lead + exc.reason) from None
        except BadURL as exc:  # a server's redirect to file:, javascript: or a malformed URL fails that URL only
            raise FetchFailed("blocked", lead + str(exc)) from None
        except Unresolvable as exc:
            raise FetchFailed("error", lead + str(exc)) from None

    def _origin(self, key: str) -> _Origin:
        if key not in self._origins:
            self._origins[key] = _Origin(self.limits.host_concurrency, self.limits.host_delay_s)
        return self._origins[key]

    @contextlib.asynccontextmanager
    async def _open(self, target: Target, headers: dict[str, str]) -> AsyncIterator[httpx.Response]:
        """A streaming response from the checked address, the name kept in Host and SNI."""
        assert self._client is not None, "use Fetcher as an async context manager"
        try:
            request = self._client.build_request(
                "GET",
                target.pinned_url,
                headers={
                    **headers,
                    "Host": target.host_header,
                    "User-Agent": self.limits.user_agent,
                    "Accept-Encoding": "gzip, deflate",
                },
                extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
            )
            response = await self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise FetchFailed("error", f"{target.url}: timed out ({type(exc).__name__})") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL (too long, a control character) is no HTTPError
            raise FetchFailed("error", f"{target.url}: {type(exc).__name__}: {exc}") from None
        try:
            yield response
        finally:
            await response.aclose()

    async def _read(self, url: str, target: Target, response: httpx.Response) -> Fetched:
        status = response.status_code
        etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
        if status == 304:
            return Fetched(url, target.url, status, None, "", etag, modified)
        if status >= 300:
            raise FetchFailed("error", f"{target.url}: HTTP {status}", status)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        kind = CONTENT_TYPES.get(media)
        if kind is None:
            raise FetchFailed("error", f"{target.url}: content type {media or '(none)'!r} is not crawled", status)
        body = await self._body(target, response, self.limits.max_bytes)
        return Fetched(url, target.url, status, kind, _decode(body, response.charset_encoding), etag, modified)

    @staticmethod
    async def _body(target: Target, response: httpx.Response, cap: int) -> bytes:
        """The body, decoded, refused as soon as it passes `cap` bytes (declared, streamed or inflated)."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchFailed("error", f"{target.url}: {declared} bytes is over the {cap}-byte cap")
        encoding = response.headers.get("content-encoding", "identity").strip().lower() or "identity"
        if encoding not in ENCODINGS:
            raise FetchFailed("error", f"{target.url}: content encoding {encoding!r} is not read")
        inflater = zlib.decompressobj(ENCODINGS[encoding]) if ENCODINGS[encoding] else None
        chunks, size = [], 0
        try:
            async for raw in response.aiter_raw():
                # at most one byte past the cap from this chunk: what is left unread is refused anyway
                chunk = inflater.decompress(raw, cap - size + 1) if inflater else raw
                size += len(chunk)
                if size > cap:
                    raise FetchFailed("error", f"{target.url}: body passed the {cap}-byte cap")
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise FetchFailed("error", f"{target.url}: timed out reading the body") from None
        except httpx.HTTPError as exc:
            raise FetchFailed("error", f"{target.url}: {type(exc).__name__}: {exc}") from None
        except zlib.error as exc:
            raise FetchFailed("error", f"{target.url}: the {encoding} body is damaged ({exc})") from None
        return b"".join(chunks)

    async def _obey_robots(self, target: Target, origin: _Origin) -> None:
        async with origin.robots_lock:
            if origin.robots is None:
                origin.robots = await self._robots(target)
                if isinstance(origin.robots, RobotFileParser):
                    delay = origin.robots.crawl_delay(self.limits.user_agent)
                    origin.delay_s = max(origin.delay_s, min(float(delay or 0), MAX_CRAWL_DELAY_S))
        rules = origin.robots
        if isinstance(rules, FetchFailed):
            raise FetchFailed(rules.status, f"{target.url}: {rules.reason}")
        if not rules.can_fetch(self.limits.user_agent, target.url):
            raise FetchFailed("blocked", f"{target.url}: disallowed by {target.origin}/robots.txt")

    async def _robots(self, target: Target) -> RobotFileParser | FetchFailed:
        """The origin's rules (RFC 9309: a 4xx means none; 5xx or no answer means stay out)."""
        url = f"{target.origin}/robots.txt"
        rules = RobotFileParser(url)
        try:
            fetched = await self._get(url, {"Accept": "text/plain"}, robots=False)
        except FetchFailed as exc:
            if exc.http_status is not None and exc.http_status < 500:  # 4xx, or a 2xx that is not text
                rules.parse([])
                return rules
            return FetchFailed(exc.status, f"robots.txt unavailable ({exc.reason})")
        rules.parse(fetched.text[:ROBOTS_MAX_BYTES].splitlines())
        return rules


def _decode(body: bytes, charset: str | None) -> str:
    """The body as text in its declared charset; one Python does not know, or that is no text
    encoding (`rot13`, `base64`: the server's choice, not the user's), is read as UTF-8."""
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")
