"""Notion JSON to Markdown and plain values: every block type, no HTTP."""

from __future__ import annotations

from fake_notion import (
    block,
    bullet,
    code,
    heading,
    mention,
    numbered,
    paragraph,
    prop,
    rich,
    table,
    todo,
    toggle,
)

from secondbrain_core.sources.notion_api import page_from_api, page_title
from secondbrain_core.sources.notion_blocks import (
    notion_url,
    property_value,
    render_blocks,
    render_rich_text,
)

PAGE_ID = "1c2d3e4f-0000-4000-8000-00000000abcd"


def md(*blocks: dict) -> str:
    return render_blocks(list(blocks)).markdown


def test_rich_text_annotations_keep_spaces_outside_markers():
    items = [
        rich("plain "),
        rich("bold ", bold=True),
        rich("it", italic=True),
        rich(" "),
        rich("x()", code=True),
        rich(" "),
        rich("gone", strikethrough=True),
        rich(" "),
        rich("site", href="https://example.com"),
        rich(" "),
        rich("all", bold=True, italic=True, href="https://e.org"),
    ]
    assert render_rich_text(items) == (
        "plain **bold** *it* `x()` ~~gone~~ [site](https://example.com) [***all***](https://e.org)"
    )


def test_page_mentions_become_links_and_are_recorded():
    links: list[str] = []
    text = render_rich_text([rich("see "), mention(PAGE_ID, "Roadmap")], links)
    assert text == f"see [Roadmap]({notion_url(PAGE_ID)})"
    assert links == [PAGE_ID]
    inline_math = {"type": "equation", "equation": {"expression": "E=mc^2"}, "plain_text": "E=mc^2"}
    assert render_rich_text([inline_math]) == "$E=mc^2$"


def test_headings_paragraphs_and_toggleable_heading_children():
    out = md(
        heading(1, "Title"),
        paragraph("Intro."),
        heading(2, "Two"),
        heading(3, "Three", children=[paragraph("hidden under a toggle heading")]),
    )
    assert out == "# Title\n\nIntro.\n\n## Two\n\n### Three\n\nhidden under a toggle heading"


def test_lists_nest_three_levels_and_number_consecutively():
    out = md(
        bullet("a", children=[bullet("a.1", children=[bullet("a.1.i", children=[bullet("deepest")])])]),
        bullet("b"),
        numbered("one", children=[numbered("one.one")]),
        numbered("two"),
        paragraph("break"),
        numbered("again one"),
    )
    assert out == (
        "- a\n  - a.1\n    - a.1.i\n      - deepest\n- b\n1. one\n   1. one.one\n2. two\n\nbreak\n\n1. again one"
    )


def test_todo_toggle_quote_callout_divider_equation():
    callout = block("callout", text="Remember", icon={"type": "emoji", "emoji": "💡"}, color="default")
    out = md(
        todo("open"),
        todo("done", checked=True),
        toggle("More", children=[paragraph("inside")]),
        block("quote", text="Said", children=[paragraph("and more")]),
        callout,
        block("divider"),
        block("equation", expression="a^2+b^2=c^2"),
    )
    assert out == (
        "- [ ] open\n- [x] done\n- More\n  inside\n\n> Said\n>\n> and more\n\n> 💡 Remember\n\n---\n\n"
        "$$\na^2+b^2=c^2\n$$"
    )


def test_code_fences_with_language_and_survives_backticks():
    assert md(code("print('hi')", "python")) == "```python\nprint('hi')\n```"
    assert md(code("a ``` b", "plain text")) == "````\na ``` b\n````"


def test_table_with_and_without_header_row():
    assert md(table([["Name", "Role"], ["Ann", "a|b"]])) == "| Name | Role |\n| --- | --- |\n| Ann | a\\|b |"
    assert md(table([["x", "y"]], header=False)) == "|  |  |\n| --- | --- |\n| x | y |"


def test_links_media_and_children_pages():
    child = {**block("child_page", title="Sub page"), "id": PAGE_ID}
    database = {**block("child_database", title="Tasks"), "id": "db-1"}
    image = block("image", type="file", file={"url": "https://s3.aws/x/pic.png?X-Amz-Signature=abc"}, caption=[])
    pdf = block("pdf", type="external", external={"url": "https://e.org/a.pdf"}, caption=[rich("Spec")])
    linked = block("link_to_page", type="page_id", page_id="linked-1")
    rendered = render_blocks(
        [
            block("bookmark", url="https://e.org", caption=[rich("Example")]),
            block("embed", url="https://e.org/embed", caption=[]),
            block("link_preview", url="https://github.com/x/y/pull/1"),
            child,
            database,
            image,
            pdf,
            linked,
        ]
    )
    assert rendered.markdown.split("\n\n") == [
        "[Example](https://e.org)",
        "[https://e.org/embed](https://e.org/embed)",
        "[https://github.com/x/y/pull/1](https://github.com/x/y/pull/1)",
        f"[Sub page]({notion_url(PAGE_ID)})",
        f"[Tasks]({notion_url('db-1')})",
        "Image: pic.png",  # hosted by Notion: the URL expires, so only the name is kept
        "[Spec](https://e.org/a.pdf)",
        f"[Linked page]({notion_url('linked-1')})",
    ]
    assert rendered.links == [PAGE_ID, "db-1", "linked-1"]


def test_containers_render_children_and_unknown_blocks_vanish():
    columns = block(
        "column_list",
        children=[block("column", children=[paragraph("left")]), block("column", children=[paragraph("right")])],
    )
    synced = block("synced_block", synced_from=None, children=[paragraph("shared")])
    weird = {"object": "block", "id": "x", "type": "ai_block_from_the_future", "has_children": False}
    broken = {"object": "block", "id": "y", "type": "paragraph", "paragraph": None}
    assert md(columns, weird, synced, broken, block("unsupported"), block("breadcrumb")) == "left\n\nright\n\nshared"


def test_property_values_are_plain_json():
    values = {
        "title": prop("title", "Row"),
        "text": prop("rich_text", "note"),
        "n": prop("number", 3.5),
        "sel": prop("select", "Doing"),
        "status": prop("status", "Done"),
        "tags": prop("multi_select", ["a", "b"]),
        "due": prop("date", "2025-02-01"),
        "span": prop("date", ("2025-02-01", "2025-02-03")),
        "ok": prop("checkbox", True),
        "url": prop("url", "https://e.org"),
        "mail": prop("email", "a@e.org"),
        "who": prop("people", ["Ann", "Bo"]),
        "rel": prop("relation", ["p1", "p2"]),
        "empty_select": {"type": "select", "select": None},
        "formula": {"type": "formula", "formula": {"type": "number", "number": 7}},
        "uid": {"type": "unique_id", "unique_id": {"prefix": "TASK", "number": 12}},
        "odd": {"type": "button", "button": {}},
    }
    assert {k: property_value(v) for k, v in values.items()} == {
        "title": "Row",
        "text": "note",
        "n": 3.5,
        "sel": "Doing",
        "status": "Done",
        "tags": ["a", "b"],
        "due": "2025-02-01",
        "span": "2025-02-01/2025-02-03",
        "ok": True,
        "url": "https://e.org",
        "mail": "a@e.org",
        "who": ["Ann", "Bo"],
        "rel": ["p1", "p2"],
        "empty_select": None,
        "formula": 7,
        "uid": "TASK-12",
        "odd": None,
    }


def test_database_row_becomes_page_with_properties_parent_and_links():
    row = {
        "object": "page",
        "id": PAGE_ID,
        "url": "https://www.notion.so/Ship-it-1c2d",
        "last_edited_time": "2025-03-01T10:00:00.000Z",
        "parent": {"type": "data_source_id", "data_source_id": "ds-1", "database_id": "db-1"},
        "properties": {
            "Task": prop("title", "Ship it"),
            "Status": prop("status", "Doing"),
            "Blocks": prop("relation", ["other-page"]),
        },
    }
    page = page_from_api(row, [paragraph([rich("see "), mention("mentioned", "M")])], titles={"other-page": "Other"})
    assert (page.title, page.parent, page.url) == ("Ship it", "db-1", row["url"])
    assert page.properties == {"Status": "Doing", "Blocks": ["other-page"]}
    assert page.markdown == (f"- **Status:** Doing\n- **Blocks:** Other\n\nsee [M]({notion_url('mentioned')})")
    assert page.links == ["mentioned", "other-page"]
    assert page.last_edited_time.isoformat() == "2025-03-01T10:00:00+00:00"
    assert page_title({"object": "data_source", "title": [rich("Tasks")], "properties": {}}) == "Tasks"
