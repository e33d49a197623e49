"""Notion's HTML inside exported Markdown, reduced to the text it carries.

A "Markdown & CSV" export writes callouts as `<aside>` blocks opened by the icon's `<img>`
(`<img src="/icons/light-bulb_yellow.svg" alt="/icons/…" width="40px" />`), toggles as
`<details><summary>…</summary>…</details>` and line breaks inside table cells as `<br>`.
Left as they are, the tags reach the chunks, and the assistant quotes `<aside>` and icon paths
as if they were the note. This keeps the text and drops the markup; fenced code is left alone
(`<details>` in a code sample is the sample).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from urllib.parse import unquote

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
# The block tags Notion writes around callouts and toggles (`<details open>` too), whole lines or inline.
_BLOCK_TAG = re.compile(r"</?(?:aside|details|summary)(?:\s[^<>]*)?>", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_IMG = re.compile(r"<img\s[^<>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""\b(?P<name>src|alt)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", re.IGNORECASE)
# Captions that say nothing: Notion's default `Untitled`, `Untitled 1`, `image`, a file name.
_NAMELESS = re.compile(r"^(?:untitled(?: \d+)?|image(?: \d+)?|)$", re.IGNORECASE)
_BLANK_RUN = re.compile(r"\n(?:[ \t]*\n){2,}")
_EDGE_BLANKS = re.compile(r"\A(?:[ \t]*\n){2,}|\n(?:[ \t]*\n)+[ \t]*\Z")
_FILE_NAME = re.compile(r"\.[A-Za-z0-9]{2,5}$")


def outside_code(markdown: str, transform: Callable[[str], str]) -> str:
    """`markdown` with `transform` applied to each run of lines outside fenced code blocks."""
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if prose:
            out.append(transform("\n".join(prose)))
            prose.clear()

    for line in markdown.split("\n"):
        opening = _FENCE.match(line)
        if fence is None and not opening:
            prose.append(line)
            continue
        if fence is None:
            flush()
            fence = opening.group(1)
        elif opening and line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            fence = None
        out.append(line)
    flush()
    return "\n".join(out)


def strip_notion_html(prose: str) -> str:
    """`prose` (no code in it) without Notion's callout/toggle tags, icon images and `<br>`."""
    return _IMG.sub(_img_caption, _BREAK.sub(" ", _BLOCK_TAG.sub("", prose)))


def squeeze_blank_lines(prose: str) -> str:
    """One blank line where removed tags and images left several (or lines of spaces), also
    where this run of prose meets fenced code (the line end joining them is the other)."""
    return _EDGE_BLANKS.sub("\n", _BLANK_RUN.sub("\n\n", prose))


def image_caption(alt: str, target: str) -> str:
    """What an image says in text: `Image: <alt>` when the caption was written by a person;
    "" for Notion's defaults (`Untitled`, `image.png`, the file's own name, an icon path)."""
    alt = " ".join(alt.split())
    name = posixpath.basename(unquote(target.split("?", 1)[0]))
    if _NAMELESS.match(alt) or alt == name or _FILE_NAME.search(alt) or "/" in alt:
        return ""
    return f"Image: {alt}"


def _img_caption(match: re.Match[str]) -> str:
    attributes = {m["name"].lower(): m["dq"] if m["dq"] is not None else m["sq"] for m in _ATTRIBUTE.finditer(match[0])}
    return image_caption(attributes.get("alt", ""), attributes.get("src", ""))
