"""NotionApiSource against the fake Notion server through the real notion-client."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from fake_notion import FakeNotion, SampleWorkspace, block, build_sample_workspace, paragraph
from notion_client.errors import APIResponseError

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings
from secondbrain_core.sources.notion_api import NotionApiSource


@pytest.fixture(scope="module")
def notion() -> Iterator[FakeNotion]:
    with FakeNotion() as fake:
        yield fake


@pytest.fixture(scope="module")
def workspace(notion: FakeNotion) -> SampleWorkspace:
    return build_sample_workspace(notion)


@pytest.fixture
def source(notion: FakeNotion, workspace: SampleWorkspace) -> NotionApiSource:
    notion.clear_log()
    return NotionApiSource(_settings(notion))


def _settings(notion: FakeNotion, **overrides) -> Settings:
    return Settings(notion_token=notion.token, notion_base_url=notion.base_url, _env_file=None, **overrides)


def _fetch(source: NotionApiSource, page_id: str):
    stub = next(s for s in source.list_pages() if s.id == page_id)
    return source.fetch_page(stub)


def test_list_pages_paginates_everything_and_reads_no_blocks(source, notion, workspace):
    stubs = source.list_pages()

    assert sorted(s.id for s in stubs) == sorted(workspace.live_pages)
    assert len(stubs) > 200
    assert workspace.trashed not in {s.id for s in stubs} and workspace.archived not in {s.id for s in stubs}
    searches = notion.requests_to("/v1/search")
    assert len(searches) >= 3 and all(r.body["page_size"] == 100 for r in searches)
    assert any(r.body.get("start_cursor") for r in searches)
    assert len(notion.requests_to(f"/v1/data_sources/{workspace.tasks}/query")) == 2  # 102 rows
    assert notion.requests_to("/v1/blocks/") == []
    titles = {s.id: s.title for s in stubs}
    assert titles[workspace.rows[5]] == "Task 5" and titles[workspace.home] == "Home"


def test_fetch_page_follows_block_pagination_at_every_level(source, notion, workspace):
    page = _fetch(source, workspace.long)

    lines = page.markdown.split("\n\n")
    assert lines[:2] == ["Line 0", "Line 1"] and "Line 149" in lines
    assert page.markdown.endswith("- Archive\n" + "\n".join(f"  - Old item {i}" for i in range(120)))
    toggle_id = notion.requests_to(f"/v1/blocks/{workspace.long}/children")[-1]
    assert toggle_id.query.get("start_cursor")  # the page's second hundred
    children_calls = notion.requests_to("/v1/blocks/")
    assert len(children_calls) == 4  # page: 2 pages of results, nested toggle: 2


def test_fetch_page_renders_nesting_links_parent_and_properties(source, workspace):
    deep = _fetch(source, workspace.deep)
    assert "- Level 1\n  - Level 2\n    - Level 3\n      - Level 4\n1. First\n2. Second\n- [x] Ship" in deep.markdown
    assert "```sql\nSELECT 1;\n```" in deep.markdown and "| Key | Value |" in deep.markdown
    assert "> ⚠️ Careful" in deep.markdown and "In a column" in deep.markdown

    home = _fetch(source, workspace.home)
    assert home.parent is None and home.url.startswith("https://www.notion.so/Home-")
    assert set(home.links) >= {workspace.child, workspace.deep}
    assert "[Child page](https://www.notion.so/" in home.markdown and "[Tasks](" in home.markdown

    child = _fetch(source, workspace.child)
    assert child.parent == workspace.home and child.markdown == "I live under Home."

    row = _fetch(source, workspace.rows[1])
    assert row.title == "Task 1" and row.properties == {"Status": "Done", "Tags": ["x"]}
    assert row.parent is not None and row.parent != workspace.tasks  # the database, not the data source
    assert row.markdown == "- **Status:** Done\n- **Tags:** x\n\nDetails of task 1"


def test_fetch_page_without_listing_retrieves_the_page(notion, workspace):
    fresh = NotionApiSource(_settings(notion))
    stub = next(s for s in NotionApiSource(_settings(notion)).list_pages() if s.id == workspace.child)
    notion.clear_log()
    assert fresh.fetch_page(stub).title == "Child page"
    assert [r.path for r in notion.requests_to("/v1/pages/")] == [f"/v1/pages/{workspace.child}"]


def test_synced_copy_reads_the_original_blocks():
    original = block("synced_block", synced_from=None, children=[paragraph("shared words")])
    copy = {**block("synced_block", synced_from={"type": "block_id", "block_id": original["id"]}), "has_children": True}
    with FakeNotion() as notion:
        holder = notion.add_page("Synced holder", blocks=[original])
        other = notion.add_page("Synced copy", blocks=[copy])
        source = NotionApiSource(_settings(notion))
        assert _fetch(source, other).markdown == "shared words"
        assert _fetch(source, holder).markdown == "shared words"


def test_rate_limit_waits_for_retry_after(source, notion):
    notion.fail_next("/v1/search", count=2, status=429, retry_after=1)
    started = time.monotonic()
    stubs = source.list_pages()
    assert time.monotonic() - started >= 2.0
    assert [r.status for r in notion.requests_to("/v1/search")][:3] == [429, 429, 200]
    assert len(stubs) > 200


def test_server_errors_on_read_only_posts_are_retried(source, notion, workspace):
    notion.fail_next(f"/v1/data_sources/{workspace.tasks}/query", count=1, status=503, retry_after=None)
    assert len(source.list_pages()) == len(workspace.live_pages)
    statuses = [r.status for r in notion.requests_to(f"/v1/data_sources/{workspace.tasks}/query")]
    assert statuses == [503, 200, 200]


def test_retries_are_bounded(notion):
    notion.clear_log()
    notion.fail_next("/v1/search", count=3, status=429, retry_after=0)
    source = NotionApiSource(_settings(notion, notion_max_retries=2))
    with pytest.raises(APIResponseError) as err:
        source.list_pages()
    assert err.value.status == 429
    assert [r.status for r in notion.requests_to("/v1/search")] == [429, 429, 429]


def test_token_problems_are_user_errors(notion):
    with pytest.raises(SecondBrainError, match="NOTION_TOKEN is not set"):
        NotionApiSource(Settings(notion_token=None, _env_file=None))
    bad = NotionApiSource(Settings(notion_token="secret_wrong", notion_base_url=notion.base_url, _env_file=None))
    with pytest.raises(SecondBrainError, match=r"^Notion rejected NOTION_TOKEN \(unauthorized"):
        bad.list_pages()


def test_unreachable_base_url_names_the_setting(notion):
    source = NotionApiSource(Settings(notion_token="t", notion_base_url="http://127.0.0.1:9", _env_file=None))
    with pytest.raises(SecondBrainError, match=re.escape("SECONDBRAIN_NOTION_BASE_URL=http://127.0.0.1:9")):
        source.list_pages()
