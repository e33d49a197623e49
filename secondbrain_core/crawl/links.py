"""The web links of a stored note, canonicalized so one document is crawled once.

A note links out from its body (inline links, bookmarks, embeds and link previews, which the
sources render as Markdown links), from its `links` list and from URL properties of a database
row. Images are media, not documents, and links to Notion itself are the notes' own pages;
both are left out. Canonical form: scheme and host lower-case, default port, userinfo and
fragment dropped, empty path as `/`, dot segments resolved, tracking parameters (`utm_*`) dropped, the rest of the
query sorted, so `HTTP://Example.com:80/a?b=2&a=1#x` and `http://example.com/a?a=1&b=2` match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from secondbrain_core.sources.page import Page

_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+", re.IGNORECASE)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_TRAILING = ".,;:!?*_~"
DEFAULT_PORTS = {"http": 80, "https": 443}
NOTION_HOSTS = {"notion.so", "www.notion.so"}


def canonical_url(url: str) -> str | None:
    """The canonical spelling of an http(s) URL, or None when it is not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_"))
    path = urljoin("/", parts.path) if "/." in parts.path else parts.path or "/"  # `a/../b` is `b`
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def page_links(page: Page) -> list[str]:
    """Every web document `page` links, canonical, each once, in order of first mention."""
    body = _IMAGE.sub(" ", page.markdown)
    found = [m.group(0).rstrip(_TRAILING) for m in _URL.finditer(body)]
    found += [link for link in page.links if link.lower().startswith(("http://", "https://"))]
    found += list(_property_urls(page.properties))
    own = canonical_url(page.url) if page.url else None
    return [url for url in dedupe(found) if url != own and urlsplit(url).hostname not in NOTION_HOSTS]


def dedupe(urls: Iterable[str]) -> list[str]:
    """Canonical forms of `urls`, each once, order kept; non-http(s) entries dropped."""
    return list(dict.fromkeys(c for c in (canonical_url(u) for u in urls) if c))


def _property_urls(value: Any) -> Iterable[str]:
    """URL-valued database properties (a `url` property, or URLs in a list of them)."""
    if isinstance(value, str):
        if value.strip().lower().startswith(("http://", "https://")):
            yield value.strip()
    elif isinstance(value, dict):
        for item in value.values():
            yield from _property_urls(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _property_urls(item)
