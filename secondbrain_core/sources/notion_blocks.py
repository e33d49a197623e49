"""Notion API JSON (blocks, rich text, database properties) to Markdown and plain values.

Pure functions over the JSON the API returns, so every block type is testable without HTTP.
A block carries its fetched children under the extra key `children`. Unknown blocks render to
nothing; a malformed one (a string where the API has a list, a missing key) renders to nothing
too and is listed in `Rendered.skipped`, so the caller can say which: one odd block must not
cost the whole page. Nesting is rendered `MAX_BLOCK_DEPTH` levels deep at most.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from textwrap import indent
from typing import Any
from urllib.parse import urlsplit, urlunsplit

LIST_ITEMS = frozenset({"bulleted_list_item", "numbered_list_item", "to_do", "toggle"})
HEADINGS = {"heading_1": "#", "heading_2": "##", "heading_3": "###"}
MEDIA = frozenset({"image", "file", "pdf", "video", "audio"})
MAX_BLOCK_DEPTH = 64  # nesting levels read and rendered below a page; real pages stay far shallower


def notion_url(object_id: str) -> str:
    """The canonical web address of a page or database; the API's ids are dashed UUIDs."""
    return f"https://www.notion.so/{object_id.replace('-', '')}"


# What a handler raises on JSON of the wrong shape; anything else is a bug and propagates.
MALFORMED = (AttributeError, TypeError, KeyError, ValueError, IndexError)


@dataclass
class Rendered:
    """A block tree as Markdown, plus the ids of the pages it points to (mentions, children)
    and a description of each block left out because it was malformed."""

    markdown: str
    links: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def render_blocks(blocks: list[dict]) -> Rendered:
    renderer = _Renderer()
    if not isinstance(blocks, list):
        return Rendered(markdown="", skipped=[f"a block list that is a {type(blocks).__name__}"])
    markdown = renderer.blocks(blocks)
    links = [link for link in dict.fromkeys(renderer.links) if isinstance(link, str)]
    return Rendered(markdown=markdown, links=links, skipped=renderer.skipped)


def describe_block(block: Any) -> str:
    """How a warning names a block: its id and type when it has them."""
    if not isinstance(block, dict):
        return f"a {type(block).__name__} where a block belongs"
    return f"block {block.get('id')!s} ({block.get('type')!s})"


def render_rich_text(items: list[dict] | None, links: list[str] | None = None) -> str:
    """Rich text with its annotations as Markdown; page mentions become links (ids into `links`)."""
    sink = [] if links is None else links
    return "".join(_segment(item, sink) for item in items or [])


def plain_text(items: list[dict] | None) -> str:
    return "".join(item.get("plain_text", "") for item in items or [])


class _Renderer:
    """Walks a block tree; collects linked page ids as it goes."""

    def __init__(self) -> None:
        self.links: list[str] = []
        self.skipped: list[str] = []
        self._depth = 0
        self._by_type: dict[str, Callable[[dict, dict], str]] = {
            "paragraph": self._paragraph,
            "heading_1": self._heading,
            "heading_2": self._heading,
            "heading_3": self._heading,
            "quote": self._quote,
            "callout": self._callout,
            "code": self._code,
            "divider": lambda block, body: "---",
            "equation": lambda block, body: f"$$\n{body.get('expression', '')}\n$$",
            "table": self._table,
            "bookmark": self._bookmark,
            "embed": self._bookmark,
            "link_preview": self._bookmark,
            "child_page": self._child,
            "child_database": self._child,
            "link_to_page": self._link_to_page,
            "synced_block": self._container,
            "column_list": self._container,
            "column": self._container,
            **dict.fromkeys(MEDIA, self._media),
        }

    def blocks(self, blocks: list[dict]) -> str:
        """Siblings: list items sit on consecutive lines, everything else is a paragraph apart."""
        out = ""
        previous_is_item = False
        number = 0
        for block in blocks:
            kind = block.get("type") if isinstance(block, dict) else None
            kind = kind if isinstance(kind, str) else ""
            number = number + 1 if kind == "numbered_list_item" else 0
            links = len(self.links)
            try:
                text = self._list_item(block, number) if kind in LIST_ITEMS else self.block(block)
            except MALFORMED as exc:
                del self.links[links:]  # a skipped block links nowhere
                self.skipped.append(f"{describe_block(block)}: {type(exc).__name__}: {exc}")
                continue
            if not text:
                continue
            is_item = kind in LIST_ITEMS
            if out:
                out += "\n" if is_item and previous_is_item else "\n\n"
            out += text
            previous_is_item = is_item
        return out

    def block(self, block: dict) -> str:
        kind = block.get("type", "")
        handler = self._by_type.get(kind)
        body = block.get(kind)
        if handler is None or not isinstance(body, dict):
            return ""
        return handler(block, body)

    def _text(self, body: dict) -> str:
        return render_rich_text(body.get("rich_text"), self.links)

    def _children(self, block: dict) -> str:
        children = block.get("children") or []
        if not children:
            return ""
        if self._depth >= MAX_BLOCK_DEPTH:
            self.skipped.append(f"{describe_block(block)}: children nested deeper than {MAX_BLOCK_DEPTH} levels")
            return ""
        if not isinstance(children, list):
            raise TypeError(f"children is a {type(children).__name__}, not a list")
        self._depth += 1
        try:
            return self.blocks(children)
        finally:
            self._depth -= 1

    def _list_item(self, block: dict, number: int) -> str:
        kind = block["type"]
        body = block.get(kind) or {}
        marker = {
            "numbered_list_item": f"{number}.",
            "to_do": "- [x]" if body.get("checked") else "- [ ]",
        }.get(kind, "-")
        line = f"{marker} {self._text(body)}".rstrip()
        children = self._children(block)
        if not children:
            return line
        width = len(marker) + 1 if kind == "numbered_list_item" else 2
        return f"{line}\n{indent(children, ' ' * width)}"

    def _paragraph(self, block: dict, body: dict) -> str:
        return _join(self._text(body), self._children(block))

    def _heading(self, block: dict, body: dict) -> str:
        text = self._text(body)
        heading = f"{HEADINGS[block['type']]} {text}" if text else ""
        return _join(heading, self._children(block))  # toggleable headings keep their content

    def _quote(self, block: dict, body: dict) -> str:
        return _quoted(_join(self._text(body), self._children(block)))

    def _callout(self, block: dict, body: dict) -> str:
        icon = body.get("icon") or {}
        emoji = icon.get("emoji", "") if icon.get("type") == "emoji" else ""
        first = f"{emoji} {self._text(body)}".strip()
        return _quoted(_join(first, self._children(block)))

    def _code(self, block: dict, body: dict) -> str:
        code = plain_text(body.get("rich_text"))
        language = body.get("language", "")
        language = "" if language == "plain text" else language
        longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"{fence}{language}\n{code}\n{fence}"

    def _table(self, block: dict, body: dict) -> str:
        rows = [
            [_cell(render_rich_text(cell, self.links)) for cell in (row.get("table_row") or {}).get("cells", [])]
            for row in block.get("children") or []
            if isinstance(row, dict) and row.get("type") == "table_row"
        ]
        width = max([body.get("table_width", 0), *(len(r) for r in rows)])
        if not rows or not width:
            return ""
        rows = [r + [""] * (width - len(r)) for r in rows]
        header, rest = (rows[0], rows[1:]) if body.get("has_column_header") else ([""] * width, rows)
        lines = [header, ["---"] * width, *rest]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)

    def _bookmark(self, block: dict, body: dict) -> str:
        url = body.get("url") or ""
        caption = render_rich_text(body.get("caption"), self.links)
        return f"[{caption or url}]({url})" if url else caption

    def _child(self, block: dict, body: dict) -> str:
        block_id = block.get("id", "")
        self.links.append(block_id)
        return f"[{body.get('title') or 'Untitled'}]({notion_url(block_id)})"

    def _link_to_page(self, block: dict, body: dict) -> str:
        target = body.get(body.get("type", "")) or ""
        if not isinstance(target, str) or not target:
            return ""
        self.links.append(target)
        return f"[Linked page]({notion_url(target)})"

    def _container(self, block: dict, body: dict) -> str:
        return self._children(block)

    def _media(self, block: dict, body: dict) -> str:
        url = _file_url(body)
        caption = render_rich_text(body.get("caption"), self.links)
        if not url:
            return caption
        label = caption or body.get("name") or url.rsplit("/", 1)[-1]
        return f"![{label}]({url})" if block["type"] == "image" else f"[{label}]({url})"


def _segment(item: dict, links: list[str]) -> str:
    kind = item.get("type")
    text = item.get("plain_text", "")
    if kind == "equation":
        return f"${(item.get('equation') or {}).get('expression', text)}$"
    href = item.get("href")
    if kind == "mention":
        mention = item.get("mention") or {}
        target = (mention.get(mention.get("type", "")) or {}) if mention.get("type") in ("page", "database") else {}
        if target.get("id"):
            links.append(target["id"])
            href = href or notion_url(target["id"])
    return _annotate(text, item.get("annotations") or {}, href)


def _annotate(text: str, annotations: dict, href: str | None) -> str:
    """Markers hug the words: `** bold**` is not bold in Markdown, so spaces stay outside."""
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    if annotations.get("code"):
        core = f"`{core}`"
    if annotations.get("strikethrough"):
        core = f"~~{core}~~"
    if annotations.get("italic"):
        core = f"*{core}*"
    if annotations.get("bold"):
        core = f"**{core}**"
    if href:
        core = f"[{core}]({href})"
    return f"{lead}{core}{trail}"


def _join(first: str, rest: str) -> str:
    return "\n\n".join(part for part in (first, rest) if part)


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _file_url(body: dict) -> str:
    """External links as given; Notion-hosted files lose their signature, which changes on every
    read (and expires within the hour), so an untouched page keeps an unchanged content hash."""
    kind = body.get("type")
    url = (body.get(kind) or {}).get("url", "") if kind in ("external", "file") else ""
    if kind == "file" and url:
        parts = urlsplit(url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return url


# --- database properties -----------------------------------------------------------------


def property_value(prop: dict) -> Any:
    """One database property as a plain JSON-able value (None when empty or unknown)."""
    kind = prop.get("type", "")
    value = prop.get(kind)
    if value is None:
        return None
    if kind in ("title", "rich_text"):
        return plain_text(value)
    if kind in ("select", "status"):
        return value.get("name")
    if kind == "multi_select":
        return [option.get("name") for option in value]
    if kind == "date":
        return _date(value)
    if kind == "people":
        return [_person(person) for person in value]
    if kind in ("created_by", "last_edited_by"):
        return _person(value)
    if kind == "relation":
        return [related.get("id") for related in value]
    if kind == "files":
        return [entry.get("name") or _file_url(entry) for entry in value]
    if kind == "formula":
        inner = value.get(value.get("type", ""))
        return _date(inner) if value.get("type") == "date" and inner else inner
    if kind == "rollup":
        inner = value.get(value.get("type", ""))
        if value.get("type") == "array":
            return [property_value(item) for item in inner or []]
        return _date(inner) if value.get("type") == "date" and inner else inner
    if kind == "unique_id":
        prefix, number = value.get("prefix"), value.get("number")
        return f"{prefix}-{number}" if prefix else number
    if kind == "verification":
        return value.get("state")
    if kind in ("number", "checkbox", "url", "email", "phone_number", "created_time", "last_edited_time"):
        return value
    return None


def render_properties(properties: dict[str, Any]) -> str:
    """A database row's properties as a Markdown list, so its text is searchable like its body."""
    lines = []
    for name, value in properties.items():
        if value is None or value == "" or value == []:
            continue
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        lines.append(f"- **{name}:** {shown}")
    return "\n".join(lines)


def _date(value: dict) -> str | None:
    start, end = value.get("start"), value.get("end")
    return f"{start}/{end}" if start and end else start


def _person(person: dict) -> str | None:
    return person.get("name") or person.get("id")
