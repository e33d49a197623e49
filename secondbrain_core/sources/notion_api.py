"""Every page shared with a Notion integration, read through the official API.

Uses notion-client (Notion-Version 2025-09-03: databases hold data sources, whose rows are
pages). `list_pages` costs only the paginated search and data-source queries; block trees are
fetched in `fetch_page`, so a re-sync of an unchanged workspace reads no blocks at all. Every
listing follows `next_cursor` to the end: the loader this replaces stopped at the first 100.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
from notion_client import Client
from notion_client.client import ClientOptions, RetryOptions
from notion_client.errors import APIResponseError, is_http_response_error

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings
from secondbrain_core.sources.notion_blocks import (
    plain_text,
    property_value,
    render_blocks,
    render_properties,
)
from secondbrain_core.sources.page import Page, PageStub

PAGE_SIZE = 100  # the API's maximum
SEPARATE_PAGES = frozenset({"child_page", "child_database"})  # listed and fetched on their own
# The client logs every failed attempt at WARNING; failures that matter surface as exceptions
# (and the CLI's one line), so only its errors are shown.
_CLIENT_LOG = logging.getLogger(f"{__name__}.client")


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
                auth=settings.notion_token,
                base_url=self._base_url,
                retry=RetryOptions(max_retries=settings.notion_max_retries),
                logger=_CLIENT_LOG,
                log_level=logging.ERROR,
            )
        )
        self._listed: dict[str, dict] = {}

    def list_pages(self) -> list[PageStub]:
        """Live pages from search plus the rows of every live data source, without block trees."""
        pages: dict[str, dict] = {}
        for page in self._paginate(self._client.search, filter={"property": "object", "value": "page"}):
            pages[page["id"]] = page
        for source in self._paginate(self._client.search, filter={"property": "object", "value": "data_source"}):
            if _is_live(source):
                for row in self._paginate(self._client.data_sources.query, data_source_id=source["id"]):
                    pages[row["id"]] = row
        self._listed = {pid: page for pid, page in pages.items() if _is_live(page)}
        return [
            PageStub(id=pid, last_edited_time=_edited(page), title=page_title(page))
            for pid, page in self._listed.items()
        ]

    def fetch_page(self, stub: PageStub) -> Page:
        page = self._listed.get(stub.id) or self._call(self._client.pages.retrieve, page_id=stub.id)
        return page_from_api(page, self._block_tree(stub.id), source=self.name)

    def _block_tree(self, block_id: str) -> list[dict]:
        """All children at every depth, each page of results followed; child pages stay links."""
        blocks = list(self._paginate(self._client.blocks.children.list, block_id=block_id))
        for block in blocks:
            if block.get("has_children") and block.get("type") not in SEPARATE_PAGES:
                block["children"] = self._block_tree(_content_id(block))
        return blocks

    def _paginate(self, method: Callable[..., Any], **kwargs: Any) -> Iterator[dict]:
        cursor = None
        while True:
            response = self._call(method, **kwargs, start_cursor=cursor, page_size=PAGE_SIZE)
            yield from response.get("results", [])
            cursor = response.get("next_cursor")
            if not response.get("has_more") or not cursor:
                return

    def _call(self, method: Callable[..., Any], **kwargs: Any) -> dict:
        """One API call (retries inside the client); a refused token or base URL is the user's to fix."""
        try:
            return method(**kwargs)
        except APIResponseError as exc:
            if exc.status == 401:
                raise SecondBrainError(
                    f"Notion rejected NOTION_TOKEN ({exc.code.value}: {exc}); check the integration token"
                ) from exc
            raise
        except httpx.TransportError as exc:
            raise SecondBrainError(
                f"cannot reach Notion at SECONDBRAIN_NOTION_BASE_URL={self._base_url}: {exc}"
            ) from exc


def page_from_api(page: dict, blocks: list[dict], source: str = NotionApiSource.name) -> Page:
    """A page object and its block tree as a `Page`; a database row's properties lead its text."""
    properties = {
        name: property_value(prop)
        for name, prop in (page.get("properties") or {}).items()
        if prop.get("type") != "title"
    }
    rendered = render_blocks(blocks)
    relations = [rid for prop in (page.get("properties") or {}).values() for rid in _relation_ids(prop)]
    markdown = "\n\n".join(part for part in (render_properties(properties), rendered.markdown) if part)
    return Page(
        id=page["id"],
        source=source,
        title=page_title(page),
        url=page.get("url", ""),
        parent=_parent_id(page.get("parent") or {}),
        markdown=markdown,
        properties=properties,
        links=list(dict.fromkeys([*rendered.links, *relations])),
        last_edited_time=_edited(page),
    )


def page_title(page: dict) -> str:
    """The title property (its name varies per database: "Name", "Task", ...)."""
    for prop in (page.get("properties") or {}).values():
        if prop.get("type") == "title":
            return plain_text(prop.get("title"))
    return plain_text(page.get("title"))  # data sources carry their title at the top level


def _parent_id(parent: dict) -> str | None:
    """Rows name their database (not the data source) as parent; workspace pages have none."""
    for key in ("database_id", "page_id", "data_source_id", "block_id"):
        if parent.get(key):
            return parent[key]
    return None


def _content_id(block: dict) -> str:
    """A synced copy reads its children from the original block."""
    synced_from = (block.get("synced_block") or {}).get("synced_from") or {}
    return synced_from.get("block_id") or block["id"]


def _relation_ids(prop: dict) -> list[str]:
    return [r["id"] for r in prop.get("relation") or []] if prop.get("type") == "relation" else []


def _is_live(obj: dict) -> bool:
    return not (obj.get("in_trash") or obj.get("archived"))


def _edited(obj: dict) -> datetime:
    return datetime.fromisoformat(obj["last_edited_time"].replace("Z", "+00:00"))
