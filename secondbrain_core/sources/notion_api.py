"""Every page shared with a Notion integration, read through the official API.

Uses notion-client (Notion-Version 2025-09-03: databases hold data sources, whose rows are
pages). `list_pages` costs only the paginated search and data-source queries; block trees are
fetched in `fetch_page`, so a re-sync of an unchanged workspace reads no blocks at all. Every
listing follows `next_cursor` to the end: the loader this replaces stopped at the first 100.

A buggy or hostile API must not hang or crash a sync: a listing stops at a cursor it has
already followed or after `MAX_LIST_REQUESTS` requests, a page's block tree is read once per
block, `MAX_BLOCK_DEPTH` levels deep and in `MAX_PAGE_REQUESTS` requests at most, and a page or
block of the wrong shape is skipped with a warning that names it. A 403 names the page or
database the integration may not read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from notion_client import Client
from notion_client.client import ClientOptions, RetryOptions
from notion_client.errors import HTTPResponseError, is_http_response_error

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings
from secondbrain_core.sources.notion_blocks import (
    MALFORMED,
    MAX_BLOCK_DEPTH,
    describe_block,
    plain_text,
    property_value,
    render_blocks,
    render_properties,
)
from secondbrain_core.sources.page import Page, PageStub, UnreadablePage

PAGE_SIZE = 100  # the API's maximum
PROBE_SIZE = 5  # newest pages the probe reads: the first is the answer, the rest cover trashed ones
NOTION_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
PROPERTY_ID = re.compile(r"[0-9A-Za-z%._~-]{1,100}")  # short, URL-encoded by the API ("title", "%3AUPp")
MAX_LIST_REQUESTS = 10_000  # per listing: a million results, far past any workspace
MAX_PAGE_REQUESTS = 5_000  # per page, all its block listings together: up to 500,000 blocks
PAGES_FILTER = {"property": "object", "value": "page"}
SOURCES_FILTER = {"property": "object", "value": "data_source"}
SEPARATE_PAGES = ("child_page", "child_database")  # listed and fetched on their own (a tuple: any type compares)
MEETING_NOTES = ("transcription", "meeting_notes")  # AI meeting notes (renamed in Notion-Version 2026-03-11)
MEETING_SECTIONS = ("summary_block_id", "notes_block_id")
# The client logs every failed attempt at WARNING; failures that matter surface as exceptions
# (and the CLI's one line), so only its errors are shown.
_CLIENT_LOG = logging.getLogger(f"{__name__}.client")
log = logging.getLogger(__name__)
SHARE_HINT = (
    "open it in Notion, choose ••• → Connections and add your integration (sharing a parent page "
    "shares everything under it), and check the integration has the 'Read content' capability"
)


class _ReadOnlyClient(Client):
    """notion-client retries 429 (honouring Retry-After) on every method but 5xx only on GET.
    Search and data-source queries are POSTs that only read, so 5xx is as safe to retry there."""

    def _can_retry(self, error: Exception, method: str) -> bool:
        return is_http_response_error(error) and (error.status == 429 or error.status >= 500)


class NotionApiSource:
    """The `notion` source: pages, database rows included, as Markdown with their properties."""

    name = "notion"
    edit_time_resolution = timedelta(minutes=1)  # Notion reports last_edited_time to the minute

    def __init__(self, settings: Settings) -> None:
        if not settings.notion_token:
            raise SecondBrainError(
                "NOTION_TOKEN is not set: create an internal integration at "
                "https://www.notion.so/my-integrations, share your pages with it and export its token"
            )
        self._base_url = settings.notion_base_url.rstrip("/")
        self._client = _ReadOnlyClient(
            options=ClientOptions(
                auth=settings.notion_token.get_secret_value(),
                base_url=self._base_url,
                retry=RetryOptions(max_retries=settings.notion_max_retries),
                logger=_CLIENT_LOG,
                log_level=logging.ERROR,
            )
        )
        self._listed: dict[str, dict] = {}
        self._titles: dict[str, str] = {}  # page or database id -> title, naming links to them
        self.listing_complete = True
        self._stopped_early = False

    def list_pages(self) -> list[PageStub]:
        """Live pages from search plus the rows of every live data source, without block trees.

        An entry without an id or a readable `last_edited_time` is left out with a warning."""
        self._stopped_early = False
        pages: dict[str, dict] = {}
        titles: dict[str, str] = {}
        search = self._client.search
        for page in self._paginate(search, "the pages search", _Requests(MAX_LIST_REQUESTS), filter=PAGES_FILTER):
            pages[page["id"]] = page
        for source in self._paginate(
            search, "the databases search", _Requests(MAX_LIST_REQUESTS), filter=SOURCES_FILTER
        ):
            if _is_live(source):
                name = _guarded(plain_text, source.get("title"))
                titles[source["id"]] = titles[_guarded(_database_id, source) or source["id"]] = name
                database = f"database {name!r} ({source['id']})"
                rows = self._paginate(
                    self._client.data_sources.query, database, _Requests(MAX_LIST_REQUESTS), data_source_id=source["id"]
                )
                try:
                    for row in rows:
                        pages[row["id"]] = row
                except _NotFound as exc:  # gone since the search: its rows are not taken for deleted yet
                    log.warning("listing %s: %s", database, exc)
                    self._stopped_early = True
        self._listed, stubs = {}, []
        for pid, page in pages.items():
            if not _is_live(page):
                continue
            try:
                stubs.append(PageStub(id=pid, last_edited_time=_edited(page), title=_guarded(page_title, page)))
            except MALFORMED as exc:
                log.warning("skipping Notion page %s: no readable last_edited_time (%s)", pid, exc)
                continue
            self._listed[pid] = page
            titles[pid] = stubs[-1].title
        self._titles = titles
        self.listing_complete = not self._stopped_early
        return stubs

    def latest_edit(self) -> datetime | None:
        """The newest `last_edited_time` of any live page (database rows included): one search
        request, newest first. Cheap enough to poll every minute within Notion's ~3 requests/s;
        an unchanged answer means no page was added or edited since (removals need `list_pages`)."""
        response = self._call(
            self._client.search,
            "the newest-edit probe",
            filter=PAGES_FILTER,
            sort={"direction": "descending", "timestamp": "last_edited_time"},
            page_size=PROBE_SIZE,
        )
        results = response.get("results") if isinstance(response, dict) else None
        times = []
        for page in results if isinstance(results, list) else []:
            if isinstance(page, dict) and _is_live(page):
                try:
                    times.append(_edited(page))
                except MALFORMED:
                    continue  # the listing warns about it by name
        return max(times, default=None)

    def fetch_page(self, stub: PageStub) -> Page:
        subject = f"page {stub.title!r} ({stub.id})"
        walk = _PageWalk(subject, {stub.id}, _Requests(MAX_PAGE_REQUESTS))
        try:
            page = self._listed.get(stub.id) or self._call(self._client.pages.retrieve, subject, page_id=stub.id)
            page = self._all_related(page, stub.id, walk)
            blocks = self._block_tree(stub.id, walk, 1)
        except _NotFound as exc:  # gone since the listing: the next one will not list it
            raise UnreadablePage(str(exc)) from exc
        return page_from_api(page, blocks, source=self.name, titles=self._titles)

    def _all_related(self, page: dict, page_id: str, walk: _PageWalk) -> dict:
        """`page` with every relation whole: a page object lists 25 related pages at most (and says
        `has_more`), so a project with 40 tasks named 25; the rest come from the property endpoint."""
        properties = page.get("properties") if isinstance(page, dict) else None
        whole = {}
        for name, prop in properties.items() if isinstance(properties, dict) else ():
            if not (isinstance(prop, dict) and prop.get("type") == "relation" and prop.get("has_more")):
                continue
            if not isinstance(prop.get("id"), str) or not PROPERTY_ID.fullmatch(prop["id"]):
                log.warning(
                    "%s: relation %r has no usable property id; its first 25 pages are kept", walk.subject, name
                )
                continue
            items = self._paginate(
                self._client.pages.properties.retrieve,
                f"{walk.subject}, relation {name!r}",
                walk.requests,
                key=_related_id,
                page_id=page_id,
                property_id=prop["id"],
            )
            whole[name] = {**prop, "relation": [{"id": _related_id(item)} for item in items], "has_more": False}
        return {**page, "properties": {**properties, **whole}} if whole else page

    def _block_tree(self, block_id: str, walk: _PageWalk, depth: int) -> list[dict]:
        """All children at every depth, each page of results followed; child pages stay links.

        A block whose children this page already read (a cycle) is read once, nothing below
        `MAX_BLOCK_DEPTH` levels, and nothing once the page's request budget is spent."""
        subject = walk.subject
        try:
            blocks = list(self._paginate(self._client.blocks.children.list, subject, walk.requests, block_id=block_id))
        except _NotFound:
            if depth == 1:  # the page itself
                raise
            # a synced copy of a block on a page the integration cannot see: the rest still counts
            log.warning("%s: the children of block %s are not readable, left out; %s", subject, block_id, SHARE_HINT)
            return []
        for block in blocks:
            children: list[dict] = []
            contents = _content_ids(block)
            for content in contents:
                name = describe_block(block)
                if content in walk.read and content != block["id"]:  # a second synced copy on the page
                    log.info("%s: %s shows synced content already read; shown once", subject, name)
                elif content in walk.read:
                    log.warning("%s: %s repeats a block already read (a cycle?); read once", subject, name)
                elif depth >= MAX_BLOCK_DEPTH:
                    log.warning(
                        "%s: blocks nested deeper than %d levels are not read (below %s)",
                        subject,
                        MAX_BLOCK_DEPTH,
                        describe_block(block),
                    )
                else:
                    walk.read.add(content)
                    children += self._block_tree(content, walk, depth + 1)
            if children:
                block["children"] = children
        return blocks

    def _paginate(
        self,
        method: Callable[..., Any],
        subject: str,
        requests: _Requests,
        key: Callable[[dict], Any] = lambda item: item.get("id"),
        **kwargs: Any,
    ) -> Iterator[dict]:
        """Every result of a listing, once each (by `key`, a Notion id: the result's own unless
        told); it stops (with a warning) at a repeated cursor or when `requests` is spent, as a
        misbehaving API may never say it is done."""
        cursor, cursors, seen = None, set(), set()
        while requests.take(subject):
            response = self._call(method, subject, **kwargs, start_cursor=cursor, page_size=PAGE_SIZE)
            results = response.get("results") if isinstance(response, dict) else None
            if not isinstance(results, list):
                log.warning("listing %s: Notion answered %s without a results list; stopped", subject, type(response))
                self._stopped_early = True
                return
            for item in results:
                item_id = key(item) if isinstance(item, dict) else None
                if not _is_notion_id(item_id):
                    log.warning("listing %s: skipping a result without a Notion id: %.200r", subject, item)
                elif item_id not in seen:
                    seen.add(item_id)
                    yield item
            cursor = response.get("next_cursor")
            if not response.get("has_more"):
                return
            if not isinstance(cursor, str) or not cursor or cursor in cursors:
                log.warning("listing %s: Notion repeated the cursor %.100r (or sent none); stopped", subject, cursor)
                self._stopped_early = True
                return
            cursors.add(cursor)
        self._stopped_early = True

    def _call(self, method: Callable[..., Any], subject: str, **kwargs: Any) -> dict:
        """One API call (retries inside the client); a refused token or base URL, or content the
        integration may not read, is the user's to fix."""
        try:
            return method(**kwargs)
        except HTTPResponseError as exc:
            code = getattr(exc.code, "value", exc.code)
            if exc.status == 401:
                raise SecondBrainError(
                    f"Notion rejected NOTION_TOKEN ({code}: {exc}); check the integration token"
                ) from exc
            if exc.status == 403:
                raise SecondBrainError(
                    f"the Notion integration may not read {subject} (403 {code}: {exc}); {SHARE_HINT}"
                ) from exc
            if exc.status == 404:
                raise _NotFound(f"Notion has no {subject} for this integration (404 {code}: {exc})") from exc
            raise
        except (ValueError, RecursionError) as exc:  # a 2xx body that is no JSON (or nested past the parser)
            raise SecondBrainError(
                f"Notion at SECONDBRAIN_NOTION_BASE_URL={self._base_url} did not answer with JSON when reading "
                f"{subject} ({type(exc).__name__}); check the setting points at the Notion API"
            ) from exc
        except httpx.TransportError as exc:
            raise SecondBrainError(
                f"cannot reach Notion at SECONDBRAIN_NOTION_BASE_URL={self._base_url}: {exc}"
            ) from exc


class _NotFound(SecondBrainError):
    """A 404: the object is gone, or was never shared with the integration."""


@dataclass
class _Requests:
    """What one listing (or one page's block tree) may still spend, a bound no API can lift."""

    cap: int
    made: int = 0

    def take(self, subject: str) -> bool:
        """Whether one more request may be made; the first refusal is logged."""
        self.made += 1
        if self.made == self.cap + 1:
            log.warning("%s: stopped at the cap of %d requests", subject, self.cap)
        return self.made <= self.cap


@dataclass
class _PageWalk:
    """One page's block tree being read: what to call it, whose children were read, the budget."""

    subject: str
    read: set[str]
    requests: _Requests


def page_from_api(
    page: dict, blocks: list[dict], source: str = NotionApiSource.name, titles: Mapping[str, str] | None = None
) -> Page:
    """A page object and its block tree as a `Page`; a database row's properties lead its text.

    `titles` (id -> title of the pages and databases listed) names what relations and links to
    pages point at; the text shows a relation by its pages' titles, never their ids (an id not
    listed, a page not shared, is left out of the text and kept in `properties` and `links`).
    Raises `UnreadablePage` for a page object of the wrong shape; malformed blocks are left out,
    each named in a warning."""
    page_id = page.get("id") if isinstance(page, dict) else None
    titles = titles or {}
    try:
        values = {name: prop for name, prop in (page.get("properties") or {}).items() if prop.get("type") != "title"}
        properties = {name: property_value(prop) for name, prop in values.items()}
        shown = {
            name: [titles[rid] for rid in _relation_ids(values[name]) if titles.get(rid)]
            if values[name].get("type") == "relation"
            else value
            for name, value in properties.items()
        }
        rendered = render_blocks(blocks, titles)
        relations = [rid for prop in values.values() for rid in _relation_ids(prop)]
        markdown = "\n\n".join(part for part in (render_properties(shown), rendered.markdown) if part)
        result = Page(
            id=page["id"],
            source=source,
            title=page_title(page),
            url=page.get("url") or "",
            parent=_parent_id(page.get("parent") or {}),
            markdown=markdown,
            properties=properties,
            links=list(dict.fromkeys([*rendered.links, *relations])),
            last_edited_time=_edited(page),
        )
    except MALFORMED as exc:  # pydantic's ValidationError is a ValueError
        raise UnreadablePage(f"Notion page {page_id!s} is malformed: {type(exc).__name__}: {exc}") from exc
    for skipped in rendered.skipped:
        log.warning("Notion page %s: skipping malformed %s", page_id, skipped)
    return result


def page_title(page: dict) -> str:
    """The title property (its name varies per database: "Name", "Task", ...); an empty one is
    "Untitled", as Notion shows it (a blank title left `ask` citing a source with no name)."""
    titles = [
        plain_text(prop.get("title")) for prop in (page.get("properties") or {}).values() if prop.get("type") == "title"
    ]
    title = titles[0] if titles else plain_text(page.get("title"))  # data sources carry it at the top level
    return title if title.strip() else "Untitled"


def _parent_id(parent: dict) -> str | None:
    """Rows name their database (not the data source) as parent; workspace pages have none."""
    for key in ("database_id", "page_id", "data_source_id", "block_id"):
        if parent.get(key):
            return parent[key]
    return None


def _database_id(source: dict) -> str:
    """The database a data source belongs to: what `link_to_page` and child_database blocks name."""
    return (source.get("parent") or {}).get("database_id") or ""


def _content_ids(block: dict) -> list[str]:
    """The blocks whose children show inside `block`: its own, but a synced copy shows the
    original's, and meeting notes show their summary and notes (kept under blocks of their own;
    the raw transcript is left out). Child pages and databases are listed on their own."""
    kind = block.get("type")
    if kind in MEETING_NOTES:
        body = block.get(kind)
        sections = body.get("children") if isinstance(body, dict) else None
        sections = sections if isinstance(sections, dict) else {}
        return [sections[key] for key in MEETING_SECTIONS if _is_notion_id(sections.get(key))]
    if not block.get("has_children") or kind in SEPARATE_PAGES:
        return []
    synced = block.get("synced_block")
    synced_from = (synced.get("synced_from") if isinstance(synced, dict) else None) or {}
    original = synced_from.get("block_id") if isinstance(synced_from, dict) else None
    return [original if _is_notion_id(original) else block["id"]]


def _is_notion_id(value: Any) -> bool:
    """A UUID, dashed or not (or the like): ids go into request paths, so nothing else is used."""
    return isinstance(value, str) and NOTION_ID.fullmatch(value) is not None


def _guarded(title: Callable[[Any], str], value: Any) -> str:
    """A title for listings and messages; a malformed one is empty (the fetch names the fault)."""
    try:
        return title(value)
    except MALFORMED:
        return ""


def _related_id(item: dict) -> Any:
    """The page a relation's property item points to."""
    related = item.get("relation")
    return related.get("id") if isinstance(related, dict) else None


def _relation_ids(prop: dict) -> list[str]:
    return [r["id"] for r in prop.get("relation") or []] if prop.get("type") == "relation" else []


def _is_live(obj: dict) -> bool:
    return not (obj.get("in_trash") or obj.get("archived"))


def _edited(obj: dict) -> datetime:
    return datetime.fromisoformat(obj["last_edited_time"].replace("Z", "+00:00"))
