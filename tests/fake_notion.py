"""A fake Notion API on 127.0.0.1: the endpoints notion-client 3.x calls, with real pagination.

Notion is outside this machine, so tests replace it at the HTTP boundary and nowhere else: the
real `notion-client` talks to this server. Shapes follow Notion-Version 2025-09-03 (databases
hold data sources, rows are pages whose parent is a `data_source_id`).

    from fake_notion import FakeNotion, bullet, paragraph, prop   # pytest puts tests/ on sys.path

    with FakeNotion() as notion:              # env: NOTION_TOKEN=notion.token,
        home = notion.add_page("Home", blocks=[paragraph("hi"), bullet("a", children=[bullet("b")])])
        tasks = notion.add_database("Tasks", parent=home, schema={"Status": "select"})
        row = notion.add_row(tasks, "Write tests", properties={"Status": prop("select", "Doing")})
        notion.edit_page(home, blocks=[paragraph("changed")])   # bumps last_edited_time
        notion.trash_page(row)
        notion.edit_block(block_id, text="new words")   # a nested block: bumps its page
        notion.resign_files()                  # hosted file URLs signed anew, as each read is
        notion.fail_next("/v1/search", count=1, status=429, retry_after=1)
        notion.requests_to("/v1/blocks/")     # the request log, filtered by path prefix

    Hostile or buggy shapes, for hardening tests:

        notion.link_child(block, block)        # a block that is its own child (or any cycle)
        notion.stick_cursor("/v1/search")      # has_more forever with the same next_cursor
        notion.stick_cursor("/v1/search", repeat=False)   # ... with a new cursor every time
        notion.patch(page, remove=["last_edited_time"])   # serve a malformed object
        notion.patch(block_id, paragraph={"rich_text": "not a list"})
        notion.restrict(page)                  # every request about it: 403 restricted_resource
        notion.garble("/v1/blocks/")           # 200 with an HTML body, as a wrong base URL would give

Served: POST /v1/search, POST /v1/data_sources/{id}/query, GET /v1/data_sources/{id},
GET /v1/pages/{id}, GET /v1/pages/{id}/properties/{property id} (relations past the 25 a page
object lists), GET /v1/blocks/{id}/children. Lists take `page_size` (default 100, at
most 100) and `start_cursor`; a wrong bearer token gets 401 like the real API.
`build_workspace(notion, n)` makes n plain pages quickly (benchmarks, sensor tests);
`build_sample_workspace(notion)` makes the awkward one (pagination everywhere, nesting, trash).
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

NOTION_VERSION = "2025-09-03"
MAX_PAGE_SIZE = 100
RELATION_LIMIT = 25  # related pages a page object lists per relation; the rest via the property endpoint
_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
_USER = {"object": "user", "id": "9a3b5ae0-c6e6-482d-b0e1-ed315ee6dc57"}


# --- JSON builders: what the API returns, usable on their own in renderer tests -----------


def rich(
    content: str,
    *,
    bold: bool = False,
    italic: bool = False,
    code: bool = False,
    strikethrough: bool = False,
    href: str | None = None,
) -> dict:
    """One rich-text item of type text."""
    annotations = {
        "bold": bold,
        "italic": italic,
        "strikethrough": strikethrough,
        "underline": False,
        "code": code,
        "color": "default",
    }
    return {
        "type": "text",
        "text": {"content": content, "link": {"url": href} if href else None},
        "annotations": annotations,
        "plain_text": content,
        "href": href,
    }


def mention(page_id: str, title: str) -> dict:
    """A rich-text mention of a page."""
    return {
        "type": "mention",
        "mention": {"type": "page", "page": {"id": page_id}},
        "annotations": rich("")["annotations"],
        "plain_text": title,
        "href": f"https://www.notion.so/{page_id.replace('-', '')}",
    }


def _rich_list(text: str | list[dict]) -> list[dict]:
    return [rich(text)] if isinstance(text, str) else text


def block(kind: str, children: list[dict] | None = None, **body: Any) -> dict:
    """Any block; `text=` becomes its rich_text. Children ride along under `children`."""
    if "text" in body:
        body["rich_text"] = _rich_list(body.pop("text"))
    return {
        "object": "block",
        "id": str(uuid.uuid4()),
        "type": kind,
        "has_children": bool(children),
        "archived": False,
        "in_trash": False,
        kind: body,
        "children": children or [],
    }


def paragraph(text: str | list[dict], children: list[dict] | None = None) -> dict:
    return block("paragraph", children, text=text, color="default")


def heading(level: int, text: str | list[dict], children: list[dict] | None = None) -> dict:
    return block(f"heading_{level}", children, text=text, is_toggleable=bool(children), color="default")


def bullet(text: str | list[dict], children: list[dict] | None = None) -> dict:
    return block("bulleted_list_item", children, text=text, color="default")


def numbered(text: str | list[dict], children: list[dict] | None = None) -> dict:
    return block("numbered_list_item", children, text=text, color="default")


def todo(text: str | list[dict], checked: bool = False, children: list[dict] | None = None) -> dict:
    return block("to_do", children, text=text, checked=checked, color="default")


def toggle(text: str | list[dict], children: list[dict] | None = None) -> dict:
    return block("toggle", children, text=text, color="default")


def code(source: str, language: str = "python") -> dict:
    return block("code", text=source, language=language, caption=[])


def table(rows: list[list[str]], header: bool = True) -> dict:
    cells = [block("table_row", cells=[[rich(c)] for c in row]) for row in rows]
    width = max(len(r) for r in rows)
    return block("table", cells, table_width=width, has_column_header=header, has_row_header=False)


def hosted_file(kind: str, name: str, caption: str = "") -> dict:
    """An image/file/pdf/video block Notion hosts: its URL is signed and expires within the hour
    (`FakeNotion.resign_files` signs it anew, as every real read does)."""
    path = f"{uuid.uuid4()}/{uuid.uuid4()}/{name.replace(' ', '%20')}"
    url = f"https://prod-files-secure.s3.us-west-2.amazonaws.com/{path}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    body = {"url": f"{url}&X-Amz-Signature=0", "expiry_time": "2025-01-01T01:00:00.000Z"}
    extra = {"name": name} if kind in ("file", "pdf") else {}
    return block(kind, caption=_rich_list(caption) if caption else [], type="file", file=body, **extra)


def prop(kind: str, value: Any) -> dict:
    """A database property value from a plain value: prop("select", "Doing"), prop("people", ["Ann"])."""
    if kind in ("title", "rich_text"):
        data: Any = [rich(value)]
    elif kind in ("select", "status"):
        data = {"id": str(uuid.uuid4())[:4], "name": value, "color": "default"}
    elif kind == "multi_select":
        data = [{"id": str(uuid.uuid4())[:4], "name": v, "color": "default"} for v in value]
    elif kind == "date":
        start, end = value if isinstance(value, tuple) else (value, None)
        data = {"start": start, "end": end, "time_zone": None}
    elif kind == "people":
        data = [{"object": "user", "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, v)), "name": v} for v in value]
    elif kind == "relation":
        data = [{"id": v} for v in value]
    else:
        data = value
    result = {"id": str(uuid.uuid4())[:4], "type": kind, kind: data}
    if kind == "relation":
        result["has_more"] = False
    return result


# --- the server ---------------------------------------------------------------------------


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]
    body: dict
    status: int


@dataclass
class _Failure:
    prefix: str
    remaining: int
    status: int
    retry_after: int | None


class FakeNotion:
    """The workspace (builder methods) and the HTTP server that serves it (a context manager)."""

    def __init__(self, token: str = "secret_fake_notion_token") -> None:
        self.token = token
        self.requests: list[LoggedRequest] = []
        self._lock = threading.RLock()
        self._minutes = 0
        self._pages: dict[str, dict] = {}  # page id -> page object (rows included)
        self._sources: dict[str, dict] = {}  # data source id -> data source object
        self._blocks: dict[str, dict] = {}  # block id -> block object (without children)
        self._children: dict[str, list[str]] = {}  # page or block id -> child block ids, in order
        self._failures: list[_Failure] = []
        self._stuck: dict[str, bool] = {}  # path prefix -> repeat the same cursor (else a new one each time)
        self._restricted: dict[str, int] = {}  # object id -> the status requests about it get
        self._garbled: dict[str, bytes] = {}  # path prefix -> the body served instead of the API's JSON
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle --
    def __enter__(self) -> FakeNotion:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "use FakeNotion as a context manager"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- workspace builders --
    def add_page(self, title: str, parent: str | None = None, blocks: list[dict] = ()) -> str:
        """A page at the workspace top level, or under `parent` (which gains a child_page block)."""
        with self._lock:
            page_id = str(uuid.uuid4())
            parent_ref = {"type": "page_id", "page_id": parent} if parent else {"type": "workspace", "workspace": True}
            self._pages[page_id] = self._object("page", page_id, title, parent_ref)
            self._pages[page_id]["properties"] = {"title": {"id": "title", "type": "title", "title": [rich(title)]}}
            self._set_children(page_id, list(blocks))
            if parent:
                self._append(parent, {**block("child_page", title=title), "id": page_id})
            return page_id

    def add_database(self, title: str, parent: str, schema: dict[str, str] | None = None) -> str:
        """A database (one data source) under page `parent`; returns the data source id."""
        with self._lock:
            database_id, source_id = str(uuid.uuid4()), str(uuid.uuid4())
            source = self._object("data_source", source_id, title, {"type": "database_id", "database_id": database_id})
            source["title"] = [rich(title)]
            source["database_parent"] = {"type": "page_id", "page_id": parent}
            columns = {"Name": "title", **(schema or {})}
            source["properties"] = {
                name: {"id": str(uuid.uuid4())[:4], "name": name, "type": kind, kind: {}}
                for name, kind in columns.items()
            }
            self._sources[source_id] = source
            self._append(parent, {**block("child_database", title=title), "id": database_id})
            return source_id

    def add_row(self, data_source: str, title: str, properties: dict[str, dict] | None = None, blocks=()) -> str:
        """A row (a page) of a data source; `properties` maps column names to `prop(...)` values."""
        with self._lock:
            source = self._sources[data_source]
            parent = {
                "type": "data_source_id",
                "data_source_id": data_source,
                "database_id": source["parent"]["database_id"],
            }
            page_id = str(uuid.uuid4())
            page = self._object("page", page_id, title, parent)
            page["properties"] = {
                "Name": {"id": "title", "type": "title", "title": [rich(title)]},
                **(properties or {}),
            }
            self._pages[page_id] = page
            self._set_children(page_id, list(blocks))
            return page_id

    def append_blocks(self, parent: str, blocks: list[dict]) -> None:
        with self._lock:
            for item in blocks:
                self._append(parent, item)

    def edit_page(
        self, page_id: str, blocks: list[dict] | None = None, title: str | None = None, properties: dict | None = None
    ) -> None:
        """Replace the page's content (any part given) and bump its last_edited_time."""
        with self._lock:
            page = self._pages[page_id]
            if blocks is not None:
                self._set_children(page_id, blocks)
            if title is not None:
                title_key = next(k for k, v in page["properties"].items() if v["type"] == "title")
                page["properties"][title_key]["title"] = [rich(title)]
            page["properties"].update(properties or {})
            self._bump(page)

    def edit_block(self, block_id: str, **body: Any) -> None:
        """Change a block's type body (`text=` becomes its rich_text), nested at any depth, and
        bump the last_edited_time of the page holding it, as Notion does for any edit in a page."""
        with self._lock:
            stored = self._blocks[block_id]
            if "text" in body:
                body["rich_text"] = _rich_list(body.pop("text"))
            stored[stored["type"]].update(body)
            holder = stored["parent"]
            while holder.get("type") == "block_id":
                holder = self._blocks[holder["block_id"]]["parent"]
            self._bump(self._pages[holder["page_id"]])

    def resign_files(self) -> None:
        """A new signature on every Notion-hosted file URL, as each real read of a page gives."""
        with self._lock:
            for stored in self._blocks.values():
                hosted = (stored.get(stored["type"]) or {}).get("file")
                if isinstance(hosted, dict) and "X-Amz-Signature=" in hosted.get("url", ""):
                    url, _, signature = hosted["url"].rpartition("X-Amz-Signature=")
                    hosted["url"] = f"{url}X-Amz-Signature={int(signature) + 1}"

    def trash_page(self, page_id: str) -> None:
        """Move to the trash: the current API sets `in_trash` (and the legacy `archived`)."""
        with self._lock:
            page = self._pages[page_id]
            page["in_trash"] = page["archived"] = True
            self._bump(page)

    def archive_page(self, page_id: str) -> None:
        """Only the legacy `archived` flag, as older pages and integrations still show it."""
        with self._lock:
            page = self._pages[page_id]
            page["archived"] = True
            self._bump(page)

    def fail_next(self, path_prefix: str, count: int = 1, status: int = 429, retry_after: int | None = 1) -> None:
        """The next `count` requests whose path starts with `path_prefix` fail with `status`."""
        with self._lock:
            self._failures.append(_Failure(path_prefix, count, status, retry_after if status == 429 else None))

    # -- hostile shapes --
    def link_child(self, parent: str, child: str) -> None:
        """Make the existing block `child` also a child of `parent`: `link_child(b, b)` is a self-cycle."""
        with self._lock:
            self._children.setdefault(parent, []).append(child)
            if parent in self._blocks:
                self._blocks[parent]["has_children"] = True

    def stick_cursor(self, path_prefix: str, repeat: bool = True) -> None:
        """Lists under `path_prefix` answer `has_more` forever: with the same `next_cursor` each
        time (`repeat`), or with a new one each time (what only a page cap stops)."""
        with self._lock:
            self._stuck[path_prefix] = repeat

    def patch(self, object_id: str, remove: list[str] = (), **fields: Any) -> None:
        """Serve page, data source or block `object_id` with `fields` replaced and `remove` gone,
        whatever shape that leaves (a string where the API has a list, a missing key...)."""
        with self._lock:
            obj = self._pages.get(object_id) or self._sources.get(object_id) or self._blocks[object_id]
            obj.update(fields)
            for key in remove:
                obj.pop(key, None)

    def restrict(self, object_id: str, status: int = 403) -> None:
        """Requests about `object_id` answer 403 restricted_resource, as for content the
        integration was not given access to (or 404 object_not_found: gone, or never shared)."""
        with self._lock:
            self._restricted[object_id] = status

    def garble(self, path_prefix: str, body: bytes = b"<html><body>Not the API</body></html>") -> None:
        """Requests under `path_prefix` get 200 and `body` (an HTML page unless told) instead of the API's JSON."""
        with self._lock:
            self._garbled[path_prefix] = body

    # -- the request log --
    def requests_to(self, path_prefix: str, method: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [
                r for r in self.requests if r.path.startswith(path_prefix) and (method is None or r.method == method)
            ]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- internals --
    def _now(self) -> str:
        """A clock that moves a minute per change: Notion reports edit times to the minute."""
        self._minutes += 1
        return (_EPOCH + timedelta(minutes=self._minutes)).strftime("%Y-%m-%dT%H:%M:00.000Z")

    def _object(self, kind: str, object_id: str, title: str, parent: dict) -> dict:
        now = self._now()
        slug = "-".join(title.split()) or "Untitled"
        return {
            "object": kind,
            "id": object_id,
            "created_time": now,
            "last_edited_time": now,
            "created_by": _USER,
            "last_edited_by": _USER,
            "cover": None,
            "icon": None,
            "parent": parent,
            "archived": False,
            "in_trash": False,
            "is_locked": False,
            "url": f"https://www.notion.so/{slug}-{object_id.replace('-', '')}",
            "public_url": None,
        }

    def _bump(self, obj: dict) -> None:
        obj["last_edited_time"] = self._now()

    def _set_children(self, parent: str, blocks: list[dict]) -> None:
        self._children[parent] = []
        for item in blocks:
            self._append(parent, item, bump=False)

    def _append(self, parent: str, item: dict, bump: bool = True) -> None:
        children = item.get("children") or []
        stored = {k: v for k, v in item.items() if k != "children"}
        stored["has_children"] = stored["has_children"] or bool(children)
        kind = "page_id" if parent in self._pages else "block_id"
        stored["parent"] = {"type": kind, kind: parent}
        self._blocks[stored["id"]] = stored
        self._children.setdefault(parent, []).append(stored["id"])
        if children:
            self._set_children(stored["id"], children)
        if bump and parent in self._pages:
            self._bump(self._pages[parent])

    # -- request handling (called from the server's threads) --
    def handle(self, method: str, path: str, query: dict[str, str], body: dict, headers: dict) -> tuple:
        """(status, json body, extra headers) for one request; every request lands in the log."""
        with self._lock:
            status, payload, extra = self._route(method, path, query, body, headers)
            self.requests.append(LoggedRequest(method, path, query, body, status))
            return status, payload, extra

    def _route(self, method: str, path: str, query: dict, body: dict, headers: dict) -> tuple:
        if headers.get("authorization") != f"Bearer {self.token}":
            return _error(401, "unauthorized", "API token is invalid.")
        if headers.get("notion-version") != NOTION_VERSION:
            return _error(400, "missing_version", f"Notion-Version header must be {NOTION_VERSION}.")
        for failure in self._failures:
            if failure.remaining > 0 and path.startswith(failure.prefix):
                failure.remaining -= 1
                code = {429: "rate_limited", 503: "service_unavailable"}.get(failure.status, "internal_server_error")
                status, payload, _ = _error(failure.status, code, "Injected failure.")
                retry_after = failure.retry_after
                return status, payload, {} if retry_after is None else {"Retry-After": str(retry_after)}
        garbled = next((body for prefix, body in self._garbled.items() if path.startswith(prefix)), None)
        if garbled is not None:
            return 200, garbled, {"Content-Type": "text/html"}
        refused = next((status for object_id, status in self._restricted.items() if f"/{object_id}" in path), None)
        if refused == 403:
            return _error(403, "restricted_resource", "API token does not have access to this resource.")
        if refused is not None:
            return _error(refused, "object_not_found", "Could not find the object. Make sure it is shared.")
        stuck = next((repeat for prefix, repeat in self._stuck.items() if path.startswith(prefix)), None)
        if stuck is not None:
            return self._stuck_list(method, path, query, body, repeat=stuck)
        return self._dispatch(method, path, query, body)

    def _dispatch(self, method: str, path: str, query: dict, body: dict) -> tuple:
        parts = path.strip("/").split("/")
        if parts[:1] != ["v1"]:
            return _error(404, "invalid_request_url", "Invalid request URL.")
        parts = parts[1:]
        if method == "POST" and parts == ["search"]:
            return self._search(body)
        if method == "POST" and len(parts) == 3 and parts[0] == "data_sources" and parts[2] == "query":
            return self._query(parts[1], body)
        if method == "GET" and len(parts) == 2 and parts[0] in ("pages", "data_sources"):
            store = self._pages if parts[0] == "pages" else self._sources
            found = store.get(parts[1])
            return (
                (200, _served(found), {}) if found else _error(404, "object_not_found", f"Could not find {parts[1]}.")
            )
        if method == "GET" and len(parts) == 4 and parts[0] == "pages" and parts[2] == "properties":
            return self._property_items(parts[1], parts[3], query)
        if method == "GET" and len(parts) == 3 and parts[0] == "blocks" and parts[2] == "children":
            if parts[1] not in self._children:
                return _error(404, "object_not_found", f"Could not find block with ID: {parts[1]}.")
            items = [self._blocks[b] for b in self._children[parts[1]]]
            return _paginated(items, query.get("start_cursor"), query.get("page_size"), "block")
        return _error(400, "invalid_request_url", f"Invalid request URL: {method} {path}.")

    def _stuck_list(self, method: str, path: str, query: dict, body: dict, repeat: bool) -> tuple:
        """The first window of the list again, claiming there is more behind a bogus cursor."""
        cursor = str(query.get("start_cursor") or body.get("start_cursor") or "stuck-0")
        status, payload, extra = self._dispatch(
            method,
            path,
            {k: v for k, v in query.items() if k != "start_cursor"},
            {k: v for k, v in body.items() if k != "start_cursor"},
        )
        if status == 200:
            count = int(cursor.removeprefix("stuck-"))
            payload = {**payload, "has_more": True, "next_cursor": "stuck-0" if repeat else f"stuck-{count + 1}"}
        return status, payload, extra

    def _search(self, body: dict) -> tuple:
        wanted = (body.get("filter") or {}).get("value")
        items = [
            *(self._pages.values() if wanted in (None, "page") else []),
            *(self._sources.values() if wanted in (None, "data_source") else []),
        ]
        needle = (body.get("query") or "").lower()
        if needle:
            items = [i for i in items if needle in _title_of(i).lower()]
        sort = body.get("sort") or {}
        if sort.get("timestamp") == "last_edited_time":  # ISO strings of one format sort as times
            items.sort(key=lambda i: i["last_edited_time"], reverse=sort.get("direction") == "descending")
        items = [_served(i) for i in items]
        return _paginated(items, body.get("start_cursor"), body.get("page_size"), "page_or_data_source")

    def _query(self, source_id: str, body: dict) -> tuple:
        if source_id not in self._sources:
            return _error(404, "object_not_found", f"Could not find data_source with ID: {source_id}.")
        rows = [
            p
            for p in self._pages.values()
            if (p.get("parent") or {}).get("data_source_id") == source_id and not p.get("in_trash")
        ]
        return _paginated([_served(r) for r in rows], body.get("start_cursor"), body.get("page_size"), "page")

    def _property_items(self, page_id: str, property_id: str, query: dict) -> tuple:
        """GET /v1/pages/{id}/properties/{property id}: a relation as a paginated list of
        property items (cursor: the offset), any other property as one item."""
        page = self._pages.get(page_id) or {}
        found = next((p for p in page.get("properties", {}).values() if p.get("id") == property_id), None)
        if found is None:
            return _error(404, "object_not_found", f"Could not find property {property_id} of {page_id}.")
        kind = found["type"]
        if kind != "relation":
            return 200, {"object": "property_item", "id": property_id, "type": kind, kind: found[kind]}, {}
        start, size = int(query.get("start_cursor") or 0), int(query.get("page_size") or RELATION_LIMIT)
        related = found["relation"]
        more = start + size < len(related)
        payload = {
            "object": "list",
            "results": [
                {"object": "property_item", "id": property_id, "type": "relation", "relation": r}
                for r in related[start : start + size]
            ],
            "next_cursor": str(start + size) if more else None,
            "has_more": more,
            "type": "property_item",
            "property_item": {"id": property_id, "next_url": None, "type": "relation", "relation": {}},
            "request_id": str(uuid.uuid4()),
        }
        return 200, payload, {}


def build_workspace(notion: FakeNotion, pages: int, blocks_per_page: int = 5) -> list[str]:
    """`pages` top-level pages, each a heading, paragraphs and a nested list; returns their ids."""
    ids = []
    for n in range(pages):
        body = [heading(2, f"Section {n}")]
        body += [
            paragraph(f"Paragraph {i} of page {n}: notes about topic {n * 7 % 13}.") for i in range(blocks_per_page - 2)
        ]
        body.append(bullet(f"Point {n}", children=[bullet(f"Detail {n}")]))
        ids.append(notion.add_page(f"Page {n}", blocks=body))
    return ids


@dataclass
class SampleWorkspace:
    """Ids of the interesting pages `build_sample_workspace` made."""

    home: str
    notes: list[str]
    long: str
    deep: str
    child: str
    tasks: str
    rows: list[str]
    trashed: str
    archived: str

    @property
    def live_pages(self) -> list[str]:
        return [self.home, *self.notes, self.long, self.deep, self.child, *self.rows]


def build_sample_workspace(notion: FakeNotion, notes: int = 105, rows: int = 102) -> SampleWorkspace:
    """Everything that broke loaders before: > 100 pages, > 100 blocks in a page and in a nested
    toggle, lists 4 deep, a database of > 100 rows, sub-pages, mentions, trashed/archived pages."""
    home = notion.add_page("Home")
    note_ids = [notion.add_page(f"Note {n}", blocks=[paragraph(f"Note number {n}.")]) for n in range(notes)]
    long = notion.add_page(
        "Long page",
        blocks=[
            *(paragraph(f"Line {i}") for i in range(150)),
            toggle("Archive", children=[bullet(f"Old item {i}") for i in range(120)]),
        ],
    )
    deep = notion.add_page(
        "Deep page",
        blocks=[
            heading(1, "Plan"),
            bullet("Level 1", children=[bullet("Level 2", children=[bullet("Level 3", children=[bullet("Level 4")])])]),
            numbered("First"),
            numbered("Second"),
            todo("Ship", checked=True),
            code("SELECT 1;", "sql"),
            table([["Key", "Value"], ["a", "1"]]),
            block("callout", text="Careful", icon={"type": "emoji", "emoji": "⚠️"}, color="default"),
            block("column_list", children=[block("column", children=[paragraph("In a column")])]),
        ],
    )
    child = notion.add_page("Child page", parent=home, blocks=[paragraph("I live under Home.")])
    notion.append_blocks(home, [paragraph([rich("Start at "), mention(deep, "Deep page")])])
    tasks = notion.add_database("Tasks", parent=home, schema={"Status": "status", "Tags": "multi_select"})
    row_ids = [
        notion.add_row(
            tasks,
            f"Task {n}",
            properties={"Status": prop("status", "Done" if n % 2 else "Todo"), "Tags": prop("multi_select", ["x"])},
            blocks=[paragraph(f"Details of task {n}")] if n < 3 else [],
        )
        for n in range(rows)
    ]
    trashed = notion.add_page("Trashed page", blocks=[paragraph("gone")])
    notion.trash_page(trashed)
    archived = notion.add_page("Archived page", blocks=[paragraph("old")])
    notion.archive_page(archived)
    return SampleWorkspace(home, note_ids, long, deep, child, tasks, row_ids, trashed, archived)


def _served(obj: dict) -> dict:
    """A page as the API serves it: a relation of more than 25 pages lists the first 25 and says `has_more`."""
    properties = obj.get("properties")
    if obj.get("object") != "page" or not isinstance(properties, dict):
        return obj  # a data source, or a page `patch` made malformed on purpose
    long = {
        name: {**prop_, "relation": prop_["relation"][:RELATION_LIMIT], "has_more": True}
        for name, prop_ in properties.items()
        if isinstance(prop_, dict)
        and prop_.get("type") == "relation"
        and len(prop_.get("relation") or []) > RELATION_LIMIT
    }
    return {**obj, "properties": {**properties, **long}} if long else obj


def _title_of(obj: dict) -> str:
    if obj["object"] == "data_source":
        return "".join(t["plain_text"] for t in obj["title"])
    prop_ = next((v for v in obj["properties"].values() if v["type"] == "title"), None)
    return "".join(t["plain_text"] for t in prop_["title"]) if prop_ else ""


def _paginated(items: list[dict], cursor: str | None, page_size: Any, kind: str) -> tuple:
    size = MAX_PAGE_SIZE if page_size in (None, "") else int(page_size)
    if not 1 <= size <= MAX_PAGE_SIZE:
        return _error(400, "validation_error", f"page_size should be ≤ {MAX_PAGE_SIZE}, instead was {size}.")
    start = 0
    if cursor:
        ids = [i["id"] for i in items]
        if cursor not in ids:
            return _error(400, "validation_error", f"start_cursor {cursor} is invalid.")
        start = ids.index(cursor)
    window = items[start : start + size]
    has_more = start + size < len(items)
    payload = {
        "object": "list",
        "results": window,
        "next_cursor": items[start + size]["id"] if has_more else None,
        "has_more": has_more,
        "type": kind,
        kind: {},
        "request_id": str(uuid.uuid4()),
    }
    return 200, payload, {}


def _error(status: int, code: str, message: str) -> tuple:
    payload = {"object": "error", "status": status, "code": code, "message": message, "request_id": str(uuid.uuid4())}
    return status, payload, {}


def _handler_for(notion: FakeNotion) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects from api.notion.com
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall

        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else {}
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, payload, extra = notion.handle(self.command, url.path, query, body, headers)
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status, HTTPStatus(status).phrase)
            self.send_header("Content-Type", extra.pop("Content-Type", "application/json; charset=utf-8"))
            self.send_header("Content-Length", str(len(data)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests assert on `FakeNotion.requests` instead."""

    return Handler
