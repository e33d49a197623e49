"""Notion API JSON (blocks, rich text, database properties) to Markdown and plain values.

Pure functions over the JSON the API returns, so every block type is testable without HTTP.
A block carries its fetched children under the extra key `children`. Unknown blocks render to
nothing; a malformed one (a string where the API has a list, a missing key) renders to nothing
too and is listed in `Rendered.skipped`, so the caller can say which: one odd block must not
cost the whole page. Nesting is rendered `MAX_BLOCK_DEPTH` levels deep at most.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from textwrap import indent
from typing import Any
from urllib.parse import unquote, urlsplit

LIST_ITEMS = frozenset({"bulleted_list_item", "numbered_list_item", "to_do", "toggle"})
HEADINGS = {"heading_1": "#", "heading_2": "##", "heading_3": "###", "heading_4": "####"}
UNSHOWN = frozenset({"template"})  # its children are what a button would insert, not the page's text
MEDIA = {"image": "Image", "file": "File", "pdf": "PDF", "video": "Video", "audio": "Audio"}
HOSTED = frozenset({"file", "file_upload"})  # files Notion stores: their URLs expire within the hour
# A link in text to a Notion page: `/<32 hex>` as the API gives it, or a notion.so address
_NOTION_LINK = re.compile(
    r"^(?:https?://(?:www\.)?notion\.so)?/(?:[^/?#]*/)?(?:[^/?#]*-)?([0-9a-f]{32})(?:[?#].*)?$", re.IGNORECASE
)
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


def render_blocks(blocks: list[dict], titles: Mapping[str, str] | None = None) -> Rendered:
    """`titles` (page or database id -> title, from the listing) names the targets of links to
    pages, which the blocks carry as ids only."""
    renderer = _Renderer(titles or {})
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
    return "".join(_segment(item, sink) for item in _runs(items or []))


def plain_text(items: list[dict] | None) -> str:
    return "".join(item.get("plain_text", "") for item in items or [])


class _Renderer:
    """Walks a block tree; collects linked page ids as it goes."""

    def __init__(self, titles: Mapping[str, str]) -> None:
        self.links: list[str] = []
        self._titles = titles
        self.skipped: list[str] = []
        self._depth = 0
        self._by_type: dict[str, Callable[[dict, dict], str]] = {
            "paragraph": self._paragraph,
            "heading_1": self._heading,
            "heading_2": self._heading,
            "heading_3": self._heading,
            "heading_4": self._heading,
            "quote": self._quote,
            "callout": self._callout,
            "code": self._code,
            "divider": lambda block, body: "---",
            "equation": self._equation,
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
            "tab": self._container,  # each tab is a paragraph: its label, its content as children
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
            number = _list_start(block) if number == 1 else number
            links = len(self.links)
            try:
                text = self._list_item(block, number) if kind in LIST_ITEMS else self.block(block)
            except MALFORMED as exc:
                del self.links[links:]  # a skipped block links nowhere
                self.skipped.append(f"{describe_block(block)}: {type(exc).__name__}: {exc}")
                continue
            if not text.strip():  # a block of only spaces says nothing either
                number -= kind == "numbered_list_item"  # an empty item is left out, so not counted
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
        if handler is None and kind not in UNSHOWN:
            return self._other(block, body if isinstance(body, dict) else {})
        if handler is None or not isinstance(body, dict):
            return ""
        return handler(block, body)

    def _other(self, block: dict, body: dict) -> str:
        """A block type this renderer does not know (Notion adds some each year: meeting notes,
        tabs, a fourth heading level): its text and its children, rather than nothing."""
        text = render_rich_text(body.get("rich_text") or body.get("title"), self.links)
        return _join(text, self._children(block))

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
        text, children = self._text(body), self._children(block)
        if not text.strip() and not children:
            return ""  # an empty item (a trailing "-" or "[ ]" left in the page) says nothing
        pad = " " * (len(marker) + 1 if kind == "numbered_list_item" else 2)
        first, _, more = text.partition("\n")  # a soft line break (shift+enter) stays in its item
        parts = (f"{marker} {first}".rstrip(), indent(more, pad), indent(children, pad))
        return "\n".join(part for part in parts if part)

    def _paragraph(self, block: dict, body: dict) -> str:
        return _join(self._text(body), self._children(block))

    def _heading(self, block: dict, body: dict) -> str:
        text = " ".join(self._text(body).split("\n"))  # a heading is one line in Markdown
        heading = f"{HEADINGS[block['type']]} {text}" if text.strip() else ""
        return _join(heading, self._children(block))  # toggleable headings keep their content

    def _quote(self, block: dict, body: dict) -> str:
        return _quoted(_join(self._text(body), self._children(block)))

    def _callout(self, block: dict, body: dict) -> str:
        icon = body.get("icon") or {}
        emoji = icon.get("emoji", "") if icon.get("type") == "emoji" else ""
        text, children = self._text(body), self._children(block)
        if not text.strip() and not children:
            return ""  # an icon alone says nothing
        return _quoted(_join(f"{emoji} {text}".strip(), children))

    def _code(self, block: dict, body: dict) -> str:
        """A fenced block, its caption (what the snippet is) after it."""
        code = plain_text(body.get("rich_text"))
        caption = render_rich_text(body.get("caption"), self.links)
        if not code.strip():
            return caption
        language = body.get("language", "")
        language = "" if language == "plain text" else language
        fence = "`" * max(3, _longest_backticks(code) + 1)
        return _join(f"{fence}{language}\n{code}\n{fence}", caption)

    def _equation(self, block: dict, body: dict) -> str:
        expression = body.get("expression") or ""
        return f"$$\n{expression}\n$$" if expression.strip() else ""

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
        return f"[{self._titles.get(target) or 'Linked page'}]({notion_url(target)})"

    def _container(self, block: dict, body: dict) -> str:
        return self._children(block)

    def _media(self, block: dict, body: dict) -> str:
        """External media as links; a file Notion hosts as its kind and name only: its URL is
        signed anew on every read and dies within the hour (without the signature it is refused),
        so it would only change the page's hash on each sync and send the crawler to a dead link."""
        caption = render_rich_text(body.get("caption"), self.links)
        if body.get("type") in HOSTED:
            hosted = body.get(body["type"]) or {}
            label = caption or body.get("name") or _file_name(hosted.get("url") or "")
            return f"{MEDIA[block['type']]}: {label}" if label else ""
        url = _external_url(body)
        if not url:
            return caption
        label = caption or body.get("name") or _file_name(url) or url
        return f"![{label}]({url})" if block["type"] == "image" else f"[{label}]({url})"


MARKS = ("bold", "italic", "strikethrough", "code")  # the annotations Markdown shows


def _runs(items: Iterable[dict]) -> list[dict]:
    """Neighbouring text items that look the same, as one: the API splits text into items of
    2,000 characters at most (mid-word), and editing leaves splits behind, which rendered one
    bold sentence as `**a sent****ence**` and one link as two."""
    runs: list[dict] = []
    for item in items:
        last = runs[-1] if runs else None
        if last is not None and item.get("type") == last.get("type") == "text" and _style(item) == _style(last):
            runs[-1] = {**last, "plain_text": last.get("plain_text", "") + item.get("plain_text", "")}
        else:
            runs.append(item)
    return runs


def _style(item: dict) -> tuple:
    annotations = item.get("annotations") or {}
    return (item.get("href"), *(bool(annotations.get(mark)) for mark in MARKS))


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
    elif isinstance(href, str) and (match := _NOTION_LINK.match(href)):
        # a link to a page of the workspace: the API gives `/<id>`, which leads nowhere outside Notion
        links.append(_dashed(match.group(1)))
        href = f"https://www.notion.so{href}" if href.startswith("/") else href
    return _annotate(text, item.get("annotations") or {}, href)


def _dashed(hex_id: str) -> str:
    """A page id as the API spells it (a dashed UUID), from the 32 hex digits of a link."""
    h = hex_id.lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _annotate(text: str, annotations: dict, href: str | None) -> str:
    """Markers hug the words: `** bold**` is not bold in Markdown, so spaces stay outside."""
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    if annotations.get("code"):
        ticks = "`" * (_longest_backticks(core) + 1)
        pad = " " if core.startswith("`") or core.endswith("`") else ""
        core = f"{ticks}{pad}{core}{pad}{ticks}"
    if annotations.get("strikethrough"):
        core = f"~~{core}~~"
    if annotations.get("italic"):
        core = f"*{core}*"
    if annotations.get("bold"):
        core = f"**{core}**"
    if href:
        core = f"[{core}]({href})"
    return f"{lead}{core}{trail}"


def _list_start(block: dict) -> int:
    """The number a numbered list starts at: Notion lets a list start anywhere (`list_start_index`)."""
    body = block.get("numbered_list_item")
    start = body.get("list_start_index") if isinstance(body, dict) else None
    return start if isinstance(start, int) and not isinstance(start, bool) and start >= 1 else 1


def _join(first: str, rest: str) -> str:
    return "\n\n".join(part for part in (first, rest) if part)


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _longest_backticks(text: str) -> int:
    """A code span or fence needs more backticks than any run inside it."""
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _external_url(body: dict) -> str:
    """The URL of an external file; files Notion hosts have none worth keeping (see `_media`)."""
    return (body.get("external") or {}).get("url") or "" if body.get("type") == "external" else ""


def _file_name(url: str) -> str:
    """`Screen Shot 1.png` from `.../Screen%20Shot%201.png?X-Amz-...`; empty when the path ends in
    no file name (`youtube.com/watch?v=...`)."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return name if "." in name.strip(".") else ""


# --- database properties -----------------------------------------------------------------


def property_value(prop: dict) -> Any:
    """One database property as a plain value: a string, number, boolean or a flat list of them
    (None when empty or unknown), so its Markdown never shows `{}`, `['a']` or `None`."""
    return _plain(_property_value(prop))


def _property_value(prop: dict) -> Any:
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
    if kind == "place":
        return value.get("name") or value.get("address")
    if kind in ("created_by", "last_edited_by"):
        return _person(value)
    if kind == "relation":
        return [related.get("id") for related in value]
    if kind == "files":
        return [entry.get("name") or _external_url(entry) for entry in value]
    if kind == "formula":
        inner = value.get(value.get("type", ""))
        return _date(inner) if value.get("type") == "date" and inner else inner
    if kind == "rollup":
        inner = value.get(value.get("type", ""))
        if value.get("type") == "array":  # the related pages' values; ids of their relations say nothing
            return [property_value(item) for item in inner or [] if item.get("type") != "relation"]
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
        shown = ", ".join(_shown(v) for v in value) if isinstance(value, list) else _shown(value)
        lines.append(f"- **{name}:** {indent(shown, '  ').lstrip()}")  # a multi-line value stays in its item
    return "\n".join(lines)


def _shown(value: Any) -> str:
    """A checkbox reads Yes/No, as a person would say it, not Python's True/False."""
    return ("Yes" if value else "No") if isinstance(value, bool) else str(value)


def _plain(value: Any) -> Any:
    """Nested lists (a rollup of multi-selects) flattened; empty parts and objects (an
    `unsupported` rollup's `{}`) dropped."""
    if isinstance(value, list):
        flat = [item for part in value for item in (part if isinstance(part, list) else [part])]
        return [item for item in flat if item not in (None, "") and not isinstance(item, dict | list)]
    return None if isinstance(value, dict) else value


def _date(value: dict) -> str | None:
    start, end = value.get("start"), value.get("end")
    return f"{start}/{end}" if start and end else start


def _person(person: dict) -> str | None:
    """A person's name; an integration without the user-information capability sees ids only,
    which mean nothing to a reader, so those are left out."""
    return person.get("name") or (person.get("person") or {}).get("email")
