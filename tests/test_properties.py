"""Property-based tests: arbitrary input to the Notion block renderer, the export reader and the
chunker either works or raises `SecondBrainError`, and always ends (issue 10).

Sizes are bounded and every example runs under a timer, so a loop fails the test instead of
hanging the suite; each test takes a few seconds.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_hardening_sources import within

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.chunking import chunk_page
from secondbrain_core.rag.tokens import count_tokens
from secondbrain_core.sources.notion_api import page_from_api
from secondbrain_core.sources.notion_blocks import render_blocks
from secondbrain_core.sources.notion_export import NotionExportSource
from secondbrain_core.sources.page import Page

EXAMPLE_SECONDS = 10
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

# --- arbitrary JSON, and JSON shaped like Notion's -----------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
BLOCK_TYPES = [
    "paragraph", "heading_1", "heading_2", "heading_3", "bulleted_list_item", "numbered_list_item", "to_do",
    "toggle", "quote", "callout", "code", "divider", "equation", "table", "table_row", "bookmark", "embed",
    "child_page", "child_database", "link_to_page", "synced_block", "column_list", "column", "image", "file",
    "pdf", "video", "audio", "unsupported",
]  # fmt: skip
BODY_KEYS = [
    "rich_text", "checked", "language", "url", "caption", "icon", "type", "external", "file", "expression",
    "table_width", "has_column_header", "title", "page_id", "database_id", "cells", "name", "emoji",
]  # fmt: skip
rich_items = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["text", "mention", "equation", "x"]) | json_values,
        "plain_text": st.text(max_size=30) | json_values,
        "href": st.none() | st.text(max_size=20) | json_values,
        "annotations": st.dictionaries(st.sampled_from(["bold", "italic", "code", "strikethrough"]), json_values),
        "mention": json_values
        | st.fixed_dictionaries({"type": st.sampled_from(["page", "database"]), "page": json_values}),
        "equation": json_values,
    },
)
body_values = st.lists(rich_items, max_size=3) | json_values | st.lists(st.lists(rich_items, max_size=3), max_size=3)
bodies = st.dictionaries(st.sampled_from(BODY_KEYS), body_values, max_size=6)


def _block(kind: str, body: object, extra: dict) -> dict:
    return {"type": kind, kind: body, **extra}


leaf_blocks = st.builds(
    _block,
    st.sampled_from(BLOCK_TYPES),
    bodies | json_values,
    st.fixed_dictionaries({}, optional={"id": st.text(max_size=12) | json_values, "has_children": json_values}),
)
block_trees = st.recursive(
    leaf_blocks | json_values,
    lambda inner: st.builds(lambda b, c: {**b, "children": c}, leaf_blocks, st.lists(inner, max_size=4) | json_values),
    max_leaves=25,
)
PROPERTY_TYPES = [
    "title", "rich_text", "select", "multi_select", "date", "people", "relation", "files", "formula", "rollup",
    "unique_id", "number", "checkbox", "status",
]  # fmt: skip
pages = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=12) | json_values,
        "url": json_values,
        "last_edited_time": st.just("2025-01-02T03:04:00.000Z") | json_values,
        "parent": json_values | st.fixed_dictionaries({"page_id": json_values}),
        "properties": json_values
        | st.dictionaries(
            st.text(max_size=8),
            st.builds(
                lambda kind, value: {"type": kind, kind: value},
                st.sampled_from(PROPERTY_TYPES),
                json_values | st.lists(rich_items, max_size=2),
            ),
            max_size=4,
        ),
    },
)


@PROPERTY_SETTINGS
@given(st.lists(block_trees, max_size=6) | json_values)
def test_block_renderer_never_raises_and_ends(blocks) -> None:
    with within(EXAMPLE_SECONDS):
        rendered = render_blocks(blocks)
    assert isinstance(rendered.markdown, str) and all(isinstance(link, str) for link in rendered.links)


@PROPERTY_SETTINGS
@given(pages, st.lists(block_trees, max_size=4))
def test_page_from_api_raises_only_the_project_error(page, blocks) -> None:
    with within(EXAMPLE_SECONDS):
        try:
            result = page_from_api(page, blocks)
        except SecondBrainError as exc:
            assert str(exc)
            return
    assert result.id == page["id"] and result.content_hash


# --- export folders and zips with arbitrary names and contents -------------------------------

names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00\\"), min_size=1, max_size=30)
file_names = st.builds(
    lambda stem, hex_id, suffix: f"{stem}{hex_id}{suffix}",
    names,
    st.sampled_from(["", " " + "a" * 32, " " + "0123456789abcdef" * 2, " " + "b" * 32 + "_all"]),
    st.sampled_from([".md", ".csv", ".MD", ".txt", ""]),
).filter(lambda n: n not in (".", "..") and len(n.encode()) < 200)
paths = st.lists(st.sampled_from(["", "Sub " + "c" * 32, "Sub " + "c" * 32 + "/Deeper"]), min_size=1, max_size=1)
texts = st.text(max_size=400)
markdownish = st.lists(
    st.sampled_from(["# Title", "Status: Done", "[link](Sub%20" + "c" * 32 + ".md)", "| a | b |", "Name,Status", ""])
    | texts,
    max_size=8,
).map("\n".join)
contents = st.one_of(markdownish.map(str.encode), texts.map(str.encode), st.binary(max_size=300))
exports = st.dictionaries(st.tuples(paths.map(lambda p: p[0]), file_names), contents, min_size=1, max_size=8)


def _read_all(path: Path) -> list[Page]:
    source = NotionExportSource(path, name=f"notion-export:{path}")
    return [source.fetch_page(stub) for stub in source.list_pages()]


@settings(PROPERTY_SETTINGS, max_examples=120)
@given(exports)
@example({("", ":.md"): b"# Colon\n"})  # refused as an "unsafe entry" in a zip, read from a folder
@example({("Meeting: notes " + "e" * 32, "Agenda.md"): b"# Agenda\n"})
def test_export_reader_raises_only_the_project_error_and_folder_equals_zip(files) -> None:
    with tempfile.TemporaryDirectory() as temp, within(EXAMPLE_SECONDS):
        folder, archive = Path(temp) / "export", Path(temp) / "export.zip"
        stamp = datetime(2024, 1, 2, 3, 4, 6, tzinfo=UTC).timestamp()
        with zipfile.ZipFile(archive, "w") as zipped:
            for (sub, name), data in files.items():
                target = folder / sub / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                os.utime(target, (stamp, stamp))
                zipped.writestr(zipfile.ZipInfo(f"{sub}/{name}".lstrip("/"), (2024, 1, 2, 3, 4, 6)), data)
        outcomes = []
        for path in (folder, archive):
            try:
                outcomes.append(sorted((p.id, p.title, p.markdown, p.parent) for p in _read_all(path)))
            except SecondBrainError as exc:
                outcomes.append(type(exc))
        assert outcomes[0] == outcomes[1]


# --- the chunker ---------------------------------------------------------------------------

markdown_lines = st.sampled_from(
    ["# H1", "## H2 ##", "```python", "```", "~~~", "| a | b |", "|---|---|", "- item", "1. one", "", "    indented"]
)
long_lines = st.builds(lambda text, times: text * times, st.text(min_size=1, max_size=60), st.integers(1, 40))
line_starts = st.sampled_from(["```", "~~~", "# ", "| ", "|-", "- "])
long_lines |= st.builds(lambda start, line: start + line, line_starts, long_lines)
documents = st.lists(markdown_lines | st.text(max_size=200) | long_lines, max_size=40).map("\n".join)


@settings(PROPERTY_SETTINGS, max_examples=300)
@given(
    documents | st.text(max_size=2000),
    st.integers(min_value=16, max_value=64) | st.integers(min_value=0, max_value=400),
    st.integers(min_value=-5, max_value=200),
    st.dictionaries(st.sampled_from(["Tags", "tags", "Other"]), json_values, max_size=3),
)
@example("intro\n# \nbody", 64, 8, {})  # an empty heading line: AttributeError (found by this test)
@example("```" + "python " * 100 + "\nprint(1)\n```", 64, 8, {})  # a fence line longer than the bound: IndexError
@example("| a |\n|-" + " " * 200_000 + "x\n" + "| a row of words |\n" * 100, 64, 8, {})  # minutes in a regex
def test_chunker_raises_only_the_project_error_and_respects_the_bound(markdown, max_tokens, overlap, props) -> None:
    page = Page(id="p", source="s", title="T", markdown=markdown, properties=props, last_edited_time=datetime.now(UTC))
    with within(EXAMPLE_SECONDS):
        try:
            chunks = chunk_page(page, max_tokens, overlap)
        except SecondBrainError:
            assert max_tokens < 16
            return
    assert all(c.text.strip() and count_tokens(c.text) <= max_tokens for c in chunks)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert [c.position for c in chunks] == list(range(len(chunks)))
