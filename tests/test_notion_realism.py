"""The Notion API source on what real workspaces hold: payloads shaped as the API returns them.

Each test names the shape that once rendered wrongly: text the API split into several items,
links to pages as `/<id>`, users the integration may not name, rollups of lists, files whose
URLs are signed anew on every read, edits deep inside a page, synced blocks, rate limits.
"""

from __future__ import annotations

import re
import uuid

import pytest
from fake_notion import (
    FakeNotion,
    block,
    bullet,
    code,
    heading,
    hosted_file,
    numbered,
    paragraph,
    prop,
    rich,
    table,
    todo,
    toggle,
)

from secondbrain_core.rag.chunking import chunk_page
from secondbrain_core.settings import Settings
from secondbrain_core.sources.notion_api import NotionApiSource, page_from_api
from secondbrain_core.sources.notion_blocks import notion_url, property_value, render_blocks, render_rich_text
from secondbrain_core.sources.sync import sync_source
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PLAIN = rich("")["annotations"]
PARTIAL_USER = {"object": "user", "id": "71e95936-2737-4e11-b03d-f174f6f13087"}  # no user-information capability


def md(*blocks: dict) -> str:
    return render_blocks(list(blocks)).markdown


def styled(text: str, href: str | None = None, **marks: bool) -> dict:
    return {**rich(text, href=href), "annotations": {**PLAIN, **marks}}


def mentioned(kind: str, value: dict, plain: str, href: str | None = None) -> dict:
    return {
        "type": "mention",
        "mention": {"type": kind, kind: value},
        "annotations": PLAIN,
        "plain_text": plain,
        "href": href,
    }


# --- rich text -----------------------------------------------------------------------------


def test_text_the_api_split_into_items_reads_as_one_run():
    """Notion splits text into items of 2,000 characters at most, mid-word, each with the same
    annotations; a bold sentence came out as `**... wo****rd ...**` and a link as two links."""
    long = "word " * 500 + "end"
    bold = [styled(long[:1998], bold=True), styled(long[1998:], bold=True)]  # split inside a word
    assert md(paragraph(bold)) == f"**{long}**"
    linked = [styled("Read the ", "https://e.org/doc"), styled("docs", "https://e.org/doc"), rich(".")]
    assert render_rich_text(linked) == "[Read the docs](https://e.org/doc)."
    colours = [
        styled("re", bold=True),
        {**styled("d", bold=True), "annotations": {**PLAIN, "bold": True, "color": "red"}},
    ]
    assert render_rich_text(colours) == "**red**"  # colour is not shown, so it splits nothing
    assert render_rich_text([styled("a", bold=True), styled("b", italic=True)]) == "**a***b*"


def test_links_to_workspace_pages_lead_to_notion_and_are_recorded():
    """The API gives a text link to another page as the relative `/<32 hex>`."""
    hex_id = "57ec9a2db8544bf694a45f0e2a0b68d1"
    rendered = render_blocks(
        [paragraph([rich("See "), styled("the plan", f"/{hex_id}"), rich(" and "), styled("x", f"/{hex_id}#b1")])]
    )
    assert rendered.markdown == (
        f"See [the plan](https://www.notion.so/{hex_id}) and [x](https://www.notion.so/{hex_id}#b1)"
    )
    assert rendered.links == ["57ec9a2d-b854-4bf6-94a4-5f0e2a0b68d1"]
    external = render_blocks([paragraph([styled("site", f"https://example.com/{hex_id}")])])
    assert external.links == [] and external.markdown == f"[site](https://example.com/{hex_id})"


def test_mentions_of_every_kind_read_as_their_text():
    page_id, db_id = str(uuid.uuid4()), str(uuid.uuid4())
    items = [
        mentioned("user", PARTIAL_USER, "@Ann Lee"),
        rich(" meets "),
        mentioned("page", {"id": page_id}, "Roadmap", notion_url(page_id)),
        rich(" on "),
        mentioned("date", {"start": "2025-03-01", "end": "2025-03-03", "time_zone": None}, "2025-03-01 → 2025-03-03"),
        rich(" about "),
        mentioned("database", {"id": db_id}, "Tasks", notion_url(db_id)),
        rich(", "),
        mentioned("link_mention", {"href": "https://github.com/a/b", "title": "a/b"}, "a/b", "https://github.com/a/b"),
        rich(", "),
        mentioned("template_mention", {"type": "template_mention_date", "template_mention_date": "today"}, "@Today"),
        rich(" and "),
        {
            "type": "equation",
            "equation": {"expression": "x^2"},
            "annotations": PLAIN,
            "plain_text": "x^2",
            "href": None,
        },
    ]
    links: list[str] = []
    assert render_rich_text(items, links) == (
        f"@Ann Lee meets [Roadmap]({notion_url(page_id)}) on 2025-03-01 → 2025-03-03 about "
        f"[Tasks]({notion_url(db_id)}), [a/b](https://github.com/a/b), @Today and $x^2$"
    )
    assert links == [page_id, db_id]


def test_inline_code_holding_backticks_stays_one_code_span():
    assert render_rich_text([rich("run "), styled("git log `HEAD`", code=True)]) == "run `` git log `HEAD` ``"
    assert render_rich_text([styled("a`b", code=True)]) == "``a`b``"


# --- blocks --------------------------------------------------------------------------------


def test_list_items_keep_soft_breaks_inside_and_drop_empty_items():
    out = md(
        bullet("first line\nsecond line", children=[todo("sub\ntask", checked=True)]),
        bullet(""),  # the empty item Notion leaves at the end of a list
        todo(""),
        numbered("one"),
        numbered(""),
        numbered("two", children=[numbered("two.a", children=[bullet("deep\nline")])]),
    )
    assert out == (
        "- first line\n  second line\n  - [x] sub\n    task\n1. one\n2. two\n   1. two.a\n      - deep\n        line"
    )
    assert md(heading(2, "Plan\nfor Q3")) == "## Plan for Q3"
    assert md(bullet("", children=[paragraph("only children")])) == "-\n  only children"


def test_code_caption_kept_and_empty_blocks_leave_nothing():
    captioned = block("code", text="SELECT 1;", language="sql", caption=[rich("Health check query")])
    assert md(captioned) == "```sql\nSELECT 1;\n```\n\nHealth check query"
    empty = [
        paragraph([]),
        paragraph("   "),
        block("code", rich_text=[], language="python", caption=[]),
        block("equation", expression=""),
        heading(1, []),
        block("quote", rich_text=[], color="default"),
        block("callout", rich_text=[], icon={"type": "emoji", "emoji": "💡"}, color="default"),
        block("bookmark", url="", caption=[]),
        block("table_of_contents", color="default"),
        block("breadcrumb"),
        block("unsupported"),
    ]
    assert md(*empty, paragraph("kept")) == "kept"


def test_media_hosted_by_notion_show_kind_and_name_external_ones_link():
    """A hosted file's URL is signed for an hour; without the signature S3 refuses it."""
    out = md(
        hosted_file("image", "Screen Shot 2024-05-01.png"),
        hosted_file("image", "arch.png", caption="Architecture overview"),
        hosted_file("pdf", "Q3 report.pdf"),
        hosted_file("file", "data.csv"),
        hosted_file("video", "demo.mp4"),
        block("video", type="external", external={"url": "https://www.youtube.com/watch?v=abc"}, caption=[]),
        block("image", type="external", external={"url": "https://e.org/img/cat%20photo.jpg"}, caption=[]),
        block("image", type="file_upload", file_upload={"id": str(uuid.uuid4())}, caption=[]),
    )
    assert out.split("\n\n") == [
        "Image: Screen Shot 2024-05-01.png",
        "Image: Architecture overview",
        "PDF: Q3 report.pdf",
        "File: data.csv",
        "Video: demo.mp4",
        "[https://www.youtube.com/watch?v=abc](https://www.youtube.com/watch?v=abc)",
        "![cat photo.jpg](https://e.org/img/cat%20photo.jpg)",
    ]
    assert "amazonaws" not in out and "Signature" not in out


def test_block_types_newer_than_the_renderer_keep_their_text():
    """Notion adds block types (tabs, a fourth heading level, meeting notes): their text and
    children must not vanish; a template's children are what its button inserts, not the page."""
    tabs = block(
        "tab",
        children=[
            paragraph("Overview", children=[paragraph("The service runs on Fly.")]),
            paragraph("Runbook", children=[numbered("Page on-call")]),
        ],
    )
    future = block("ai_summary_from_the_future", text="A summary", children=[bullet("first point")])
    template = block("template", text="Add a task", children=[todo("New task")])
    assert md(heading(4, "Fine print"), tabs, future, template) == (
        "#### Fine print\n\nOverview\n\nThe service runs on Fly.\n\nRunbook\n\n1. Page on-call\n\n"
        "A summary\n\n- first point"
    )


def test_a_numbered_list_starts_where_notion_says():
    first = block("numbered_list_item", text="five", list_start_index=5, list_format="numbers", color="default")
    assert md(first, numbered("six"), paragraph("break"), numbered("one")) == "5. five\n6. six\n\nbreak\n\n1. one"


# --- properties ----------------------------------------------------------------------------


def test_row_properties_read_as_text_never_ids_or_reprs():
    project = str(uuid.uuid4())
    hidden = str(uuid.uuid4())  # a related page the integration was not given
    properties = {
        "Task name": prop("title", "Ship the beta"),
        "Tags": prop("multi_select", ["ml", "infra"]),
        "Owner": {"id": "a", "type": "people", "people": [PARTIAL_USER, {**PARTIAL_USER, "name": "Ann"}]},
        "Created by": {"id": "b", "type": "created_by", "created_by": PARTIAL_USER},
        "Last edited by": {"id": "c", "type": "last_edited_by", "last_edited_by": PARTIAL_USER},
        "Done": prop("checkbox", False),
        "Blocked": {"id": "d", "type": "formula", "formula": {"type": "boolean", "boolean": True}},
        "Estimate": {"id": "e", "type": "number", "number": None},
        "Project": {"id": "f", "type": "relation", "relation": [{"id": project}, {"id": hidden}], "has_more": False},
        "Team": {
            "id": "g",
            "type": "rollup",
            "rollup": {
                "type": "array",
                "function": "show_original",
                "array": [
                    {"type": "people", "people": [{**PARTIAL_USER, "name": "Bo"}]},
                    {"type": "multi_select", "multi_select": [{"id": "1", "name": "core", "color": "red"}]},
                    {"type": "relation", "relation": [{"id": project}]},
                ],
            },
        },
        "Odd": {"id": "h", "type": "rollup", "rollup": {"type": "unsupported", "unsupported": {}, "function": "x"}},
        "Status": prop("status", "In progress"),
        "Due": prop("date", ("2025-03-01", "2025-03-05")),
        "Notes": prop("rich_text", "Needs legal review.\nAsk Bo first."),
    }
    row = {
        "object": "page",
        "id": str(uuid.uuid4()),
        "url": "https://www.notion.so/Ship-the-beta-1",
        "last_edited_time": "2025-03-01T10:00:00.000Z",
        "parent": {"type": "data_source_id", "data_source_id": "ds", "database_id": "db"},
        "properties": properties,
    }
    page = page_from_api(row, [], titles={project: "Website relaunch"})
    assert page.title == "Ship the beta"
    properties["Task name"] = prop("title", " ")
    assert page_from_api(row, []).title == "Untitled"  # what Notion shows for a blank title
    assert page.markdown == (
        "- **Tags:** ml, infra\n- **Owner:** Ann\n- **Done:** No\n- **Blocked:** Yes\n"
        "- **Project:** Website relaunch\n- **Team:** Bo, core\n- **Status:** In progress\n"
        "- **Due:** 2025-03-01/2025-03-05\n- **Notes:** Needs legal review.\n  Ask Bo first."
    )
    assert page.properties["Project"] == [project, hidden] and page.links == [project, hidden]
    assert property_value(properties["Odd"]) is None and property_value(properties["Team"]) == ["Bo", "core"]


# --- through the API -----------------------------------------------------------------------


def _settings(notion: FakeNotion) -> Settings:
    return Settings(notion_token=notion.token, notion_base_url=notion.base_url, _env_file=None)


def _fetch_all(notion: FakeNotion) -> dict:
    source = NotionApiSource(_settings(notion))
    return {page.title: page for page in (source.fetch_page(stub) for stub in source.list_pages())}


def _every_block_type(notion: FakeNotion) -> tuple[str, str]:
    """A page with every block type a real page has; returns (its id, the related page's id)."""
    target = notion.add_page("Launch checklist", blocks=[paragraph("Steps to launch.")])
    original = block("synced_block", synced_from=None, children=[paragraph("Office hours are Tuesdays.")])
    copy = {**block("synced_block", synced_from={"type": "block_id", "block_id": original["id"]}), "has_children": True}
    page = notion.add_page(
        "Team handbook",
        blocks=[
            heading(1, "Handbook"),
            paragraph([rich("Welcome, read "), styled("this first", bold=True), rich(".")]),
            heading(2, "Onboarding", children=[bullet("Laptop", children=[bullet("Mac", children=[bullet("M3")])])]),
            heading(3, "Rituals"),
            numbered("Standup"),
            numbered("Retro", children=[numbered("Monthly")]),
            todo("Sign the contract", checked=True),
            toggle("FAQ", children=[paragraph("Ask in #help."), code("make setup", "shell")]),
            block("quote", text="Be kind.", color="default"),
            block("callout", text="Security first", icon={"type": "emoji", "emoji": "🔒"}, color="gray_background"),
            block("equation", expression="e^{i\\pi}+1=0"),
            block("divider"),
            table([["Tool", "Owner"], ["CI", "Ann"]]),
            block(
                "column_list",
                children=[
                    block("column", children=[paragraph("Left side")]),
                    block("column", children=[paragraph("Right side")]),
                ],
            ),
            original,
            copy,  # the same synced content twice on one page: shown once
            block("link_to_page", type="page_id", page_id=target),
            block("bookmark", url="https://e.org/guide", caption=[rich("Style guide")]),
            block("embed", url="https://www.figma.com/file/abc", caption=[]),
            block("link_preview", url="https://github.com/acme/app/pull/1"),
            hosted_file("image", "org chart.png"),
            block("table_of_contents", color="default"),
            block("breadcrumb"),
            block("unsupported"),
            paragraph([]),
        ],
    )
    notion.add_page("Sub page", parent=page, blocks=[paragraph("Nested page text.")])
    return page, target


def test_a_page_with_every_block_type_reads_like_the_page(settings):
    with FakeNotion() as notion:
        _, target = _every_block_type(notion)
        page = _fetch_all(notion)["Team handbook"]
    expected = [
        "# Handbook",
        "Welcome, read **this first**.",
        "## Onboarding",
        "- Laptop\n  - Mac\n    - M3",
        "### Rituals",
        "1. Standup\n2. Retro\n   1. Monthly\n- [x] Sign the contract\n- FAQ\n  Ask in #help.",
        "  ```shell\n  make setup\n  ```",
        "> Be kind.",
        "> 🔒 Security first",
        "$$\ne^{i\\pi}+1=0\n$$",
        "---",
        "| Tool | Owner |\n| --- | --- |\n| CI | Ann |",
        "Left side",
        "Right side",
        "Office hours are Tuesdays.",
        f"[Launch checklist]({notion_url(target)})",
        "[Style guide](https://e.org/guide)",
        "[https://www.figma.com/file/abc](https://www.figma.com/file/abc)",
        "[https://github.com/acme/app/pull/1](https://github.com/acme/app/pull/1)",
        "Image: org chart.png",
    ]
    parts = page.markdown.split("\n\n")
    assert parts[: len(expected)] == expected
    assert re.fullmatch(r"\[Sub page\]\(https://www\.notion\.so/[0-9a-f]{32}\)", parts[-1])
    assert page.markdown.count("Office hours") == 1
    for chunk in chunk_page(page, max_tokens=64, overlap_tokens=8):  # what `ask` quotes
        assert not re.search(r"\bNone\b|\*\*\*\*|\{\}|\['|amazonaws", chunk.text), chunk.text
        assert not UUID.search(chunk.text), chunk.text


def test_resync_is_idempotent_though_file_urls_are_signed_anew(settings):
    with FakeNotion() as notion:
        page_id, _ = _every_block_type(notion)
        source, store = NotionApiSource(_settings(notion)), PageStore(open_database(settings))
        first = sync_source(source, store)
        assert (first.new, first.updated) == (3, 0)
        notion.resign_files()
        notion.edit_page(page_id)  # read again (its edit time moved), but nothing it says changed
        again = sync_source(source, store)
    assert (again.fetched, again.updated, again.unchanged) == (1, 0, 3)


def test_an_edit_deep_inside_a_page_is_synced(settings):
    """Notion bumps the page's last_edited_time for an edit anywhere in it: the whole tree is read again."""
    deepest = bullet("old detail")
    with FakeNotion() as notion:
        page_id = notion.add_page(
            "Deep", blocks=[toggle("Archive", children=[bullet("level 2", children=[bullet("level 3", [deepest])])])]
        )
        other = notion.add_page("Untouched", blocks=[paragraph("same")])
        source, store = NotionApiSource(_settings(notion)), PageStore(open_database(settings))
        sync_source(source, store)
        notion.edit_block(deepest["id"], text="new detail")
        report = sync_source(source, store)
    assert (report.updated, report.unchanged, report.fetched) == (1, 1, 1)
    stored = store.get(page_id)
    assert "new detail" in stored.markdown and "old detail" not in stored.markdown
    assert store.get(other).markdown == "same"


def test_relations_and_links_to_pages_show_titles_when_shared(settings):
    with FakeNotion() as notion:
        home = notion.add_page("Home")
        projects = notion.add_database("Projects", parent=home, schema={})
        relaunch = notion.add_row(projects, "Website relaunch")
        tasks = notion.add_database("Tasks", parent=home, schema={"Project": "relation"})
        notion.add_row(tasks, "Write copy", properties={"Project": prop("relation", [relaunch])})
        pages = _fetch_all(notion)
        assert pages["Write copy"].markdown == "- **Project:** Website relaunch"
        database_id = pages["Website relaunch"].parent  # a row's parent is its database
        notion.add_page("Index", blocks=[block("link_to_page", type="database_id", database_id=database_id)])
        pages = _fetch_all(notion)
    assert pages["Index"].markdown == f"[Projects]({notion_url(database_id)})"


def test_a_relation_past_the_25_a_page_object_lists_is_read_whole(settings):
    with FakeNotion() as notion:
        home = notion.add_page("Home")
        tasks = notion.add_database("Tasks", parent=home)
        task_ids = [notion.add_row(tasks, f"Task {n:02}") for n in range(40)]
        projects = notion.add_database("Projects", parent=home, schema={"Tasks": "relation"})
        project = notion.add_row(projects, "Relaunch", properties={"Tasks": prop("relation", task_ids)})
        page = _fetch_all(notion)["Relaunch"]
        statuses = [r.status for r in notion.requests_to(f"/v1/pages/{project}/properties/")]
    assert page.properties["Tasks"] == task_ids and page.links == task_ids
    assert page.markdown == "- **Tasks:** " + ", ".join(f"Task {n:02}" for n in range(40))
    assert statuses == [200]  # one request of 100 items at most


def test_synced_copy_on_another_page_shows_the_original_text(settings):
    with FakeNotion() as notion:
        original = block("synced_block", synced_from=None, children=[bullet("Escalate to on-call")])
        copy = block("synced_block", synced_from={"type": "block_id", "block_id": original["id"]})
        notion.add_page("Runbook", blocks=[original])
        notion.add_page("Incident notes", blocks=[paragraph("Steps:"), {**copy, "has_children": True}])
        pages = _fetch_all(notion)
    assert pages["Incident notes"].markdown == "Steps:\n\n- Escalate to on-call"
    assert pages["Runbook"].markdown == "- Escalate to on-call"


def test_rate_limits_and_server_errors_deep_in_a_page_are_retried(settings):
    rows = [["Key", "Value"], *([f"k{i}", f"v{i}"] for i in range(130))]
    grid = table(rows)
    inner = toggle("Inner", children=[paragraph(f"item {i}") for i in range(105)])
    with FakeNotion() as notion:
        notion.add_page("Big", blocks=[grid, toggle("Outer", children=[inner])])
        notion.fail_next(f"/v1/blocks/{grid['id']}/children", count=1, status=429, retry_after=0)
        notion.fail_next(f"/v1/blocks/{inner['id']}/children", count=1, status=502)
        page = _fetch_all(notion)["Big"]
        statuses = [r.status for r in notion.requests_to(f"/v1/blocks/{inner['id']}/children")]
    assert statuses == [502, 200, 200]  # retried, then both windows of 105 children read
    assert page.markdown.count("\n| k") == 130 and "| k129 | v129 |" in page.markdown
    assert "item 0" in page.markdown and "item 104" in page.markdown


def test_meeting_notes_show_their_summary_and_notes(settings):
    """AI meeting notes keep summary, notes and transcript under blocks of their own, named by id."""
    summary = paragraph([], children=[bullet("Ship on Friday")])
    notes = paragraph([], children=[paragraph("Ann owns QA.")])
    transcript = paragraph([], children=[paragraph("um, so, yeah")])
    meeting = block("transcription", title=[rich("Weekly sync")], status="notes_ready")
    meeting["transcription"]["children"] = {
        "summary_block_id": summary["id"],
        "notes_block_id": notes["id"],
        "transcript_block_id": transcript["id"],
    }
    with FakeNotion() as notion:
        notion.add_page("Meetings", blocks=[meeting])
        notion.append_blocks(meeting["id"], [summary, notes, transcript])
        page = _fetch_all(notion)["Meetings"]
    assert page.markdown == "Weekly sync\n\n- Ship on Friday\n\nAnn owns QA."


@pytest.mark.parametrize("flag", ["in_trash", "archived"])
def test_trashed_pages_and_rows_are_not_synced(settings, flag):
    with FakeNotion() as notion:
        home = notion.add_page("Home")
        tasks = notion.add_database("Tasks", parent=home)
        notion.add_row(tasks, "Kept")
        binned = notion.add_row(tasks, "Binned")
        old = notion.add_page("Old notes")
        for gone in (binned, old):
            notion.patch(gone, **{flag: True})
        assert set(_fetch_all(notion)) == {"Home", "Kept"}
