"""Crawl what a source's notes link, incrementally; and crawl any URLs (the CLI) the same way.

Per source: the notes' links are read from the document store; a note whose set of links did
not change since the last crawl (`crawl_links` keeps a hash per note) adds nothing to fetch;
a URL is fetched when it is new, when its last crawl is older than `crawl_refresh_s`, or when it
failed and a note linking it changed. A re-fetch is conditional (ETag / Last-Modified: a 304
costs no body) and an identical body is not converted again, so an unchanged URL keeps its
stored document and content hash. A URL that fails is recorded with its status and reason;
no URL fails the run.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pymongo.database import Database

from secondbrain_core.crawl.fetch import Fetched, Fetcher, FetchFailed, FetchLimits
from secondbrain_core.crawl.guard import Guard
from secondbrain_core.crawl.links import page_links
from secondbrain_core.crawl.markdown import Converter, text_markdown
from secondbrain_core.crawl.store import CrawledPage, CrawlStore, LinkRef, sha256_hex
from secondbrain_core.settings import Settings
from secondbrain_core.stores.page_store import PageStore

log = logging.getLogger(__name__)
LINK_STATE = "crawl_links"
IN_FLIGHT = 16  # URLs fetched or converted at once over all hosts: bounds memory (bodies up to the size cap)


@dataclass
class CrawlReport:
    """What one source's crawl did; `pages` are the stored documents of every URL it links."""

    source: str
    notes: int = 0
    notes_changed: int = 0
    fetched: int = 0
    unchanged: int = 0  # fetched, but 304 or the same body: not processed again
    pages: list[CrawledPage] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(p.status == status for p in self.pages)

    @property
    def failed_share(self) -> float:
        return (len(self.pages) - self.count("ok")) / len(self.pages) if self.pages else 0.0


def crawl_urls(
    urls: Iterable[str], settings: Settings, previous: dict[str, CrawledPage] | None = None
) -> list[CrawledPage]:
    """Each URL fetched through the guard and converted, in the order given; never raises per URL."""
    return asyncio.run(_crawl_all(list(urls), settings, previous or {}))


async def _crawl_all(urls: list[str], settings: Settings, previous: dict[str, CrawledPage]) -> list[CrawledPage]:
    guard = Guard.from_entries(settings.crawl_allow_list)
    slots = asyncio.Semaphore(IN_FLIGHT)
    async with Fetcher(guard, FetchLimits.from_settings(settings)) as fetcher, Converter(settings) as converter:

        async def one(url: str) -> CrawledPage:
            async with slots:
                return await crawl_one(url, fetcher, converter, previous.get(url))

        return list(await asyncio.gather(*(one(u) for u in urls)))


async def crawl_one(url: str, fetcher: Fetcher, converter: Converter, previous: CrawledPage | None) -> CrawledPage:
    """The stored document of `url` after one fetch: new, unchanged (the previous one), or failed."""
    now = datetime.now(UTC)
    known = previous if previous is not None and previous.status == "ok" else None
    try:
        fetched = await fetcher.fetch(url, *((known.etag, known.last_modified) if known else (None, None)))
    except FetchFailed as exc:
        return CrawledPage(url=url, status=exc.status, reason=exc.reason, http_status=exc.http_status, fetched_at=now)
    body_hash = sha256_hex(fetched.text)
    if known is not None and (fetched.not_modified or known.body_hash == body_hash):
        etag, modified = fetched.etag or known.etag, fetched.last_modified or known.last_modified
        return known.model_copy(update={"fetched_at": now, "etag": etag, "last_modified": modified, "reason": None})
    try:
        title, markdown = await _convert(fetched, converter)
    except Exception as exc:  # a converter bug on one odd page is recorded for that URL, not raised
        log.warning("converting %s failed: %s: %s", url, type(exc).__name__, exc)
        return CrawledPage(url=url, status="error", reason=f"conversion failed: {exc}", fetched_at=now)
    status, reason = ("ok", None) if markdown else ("error", "no content left after boilerplate removal")
    return CrawledPage(
        url=url,
        final_url=fetched.final_url,
        status=status,
        reason=reason,
        http_status=fetched.http_status,
        title=title,
        markdown=markdown,
        content_hash=sha256_hex(markdown),
        body_hash=body_hash,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        fetched_at=now,
    )


async def _convert(fetched: Fetched, converter: Converter) -> tuple[str, str]:
    if fetched.kind == "html":
        return await converter.html(fetched.text, fetched.final_url)
    return text_markdown(fetched.text, fetched.final_url)


def crawl_source(source: str, settings: Settings, db: Database) -> CrawlReport:
    """Crawl the URLs `source`'s live notes link (incrementally) and store every outcome."""
    store = CrawlStore(db)
    state = db[LINK_STATE]
    notes = PageStore(db).live_pages(source)
    report = CrawlReport(source, notes=len(notes))
    links = {note.id: page_links(note) for note in notes}
    seen = {d["page_id"]: d["links_hash"] for d in state.find({"source": source})}
    changed = {pid for pid, urls in links.items() if seen.get(pid) != _links_hash(urls)}
    report.notes_changed = len(changed)

    linked: dict[str, list[LinkRef]] = {}
    for pid, urls in links.items():
        for url in urls:
            linked.setdefault(url, []).append(LinkRef(source=source, page_id=pid))
    store.set_links(source, linked)
    stored = store.get_many(linked)
    retry = {url for pid in changed for url in links[pid] if url in stored and stored[url].status != "ok"}
    stale = datetime.now(UTC) - timedelta(seconds=settings.crawl_refresh_s)
    due = [url for url in linked if url not in stored or url in retry or stored[url].fetched_at < stale]

    for page in crawl_urls(due, settings, stored) if due else []:
        before = stored.get(page.url)
        report.fetched += 1
        report.unchanged += before is not None and before.content_hash == page.content_hash and page.status == "ok"
        others = [r for r in (before.linked_from if before else []) if r.source != source]
        refs = others + linked[page.url]
        store.upsert(page.model_copy(update={"linked_from": refs, "sources": sorted({r.source for r in refs})}))

    for pid in changed:
        doc = {"source": source, "page_id": pid, "links_hash": _links_hash(links[pid])}
        state.replace_one({"_id": f"{source}|{pid}"}, {"_id": f"{source}|{pid}", **doc}, upsert=True)
    state.delete_many({"source": source, "page_id": {"$nin": list(links)}})
    report.pages = store.pages(source)
    return report


def _links_hash(urls: list[str]) -> str:
    return hashlib.sha256(json.dumps(sorted(urls)).encode()).hexdigest()
