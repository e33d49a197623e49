"""`secondbrain ingest` / `show` end to end: CLI in-process, fake Notion over HTTP, real MongoDB."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fake_notion import FakeNotion, SampleWorkspace, build_sample_workspace, heading, paragraph

from secondbrain_core.app.cli import main
from secondbrain_core.settings import Settings
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PAGES


@pytest.fixture
def notion(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNotion]:
    with FakeNotion() as fake:
        monkeypatch.setenv("NOTION_TOKEN", fake.token)
        monkeypatch.setenv("SECONDBRAIN_NOTION_BASE_URL", fake.base_url)
        monkeypatch.setenv("SECONDBRAIN_SOURCES", "notion")
        yield fake


def _cli(capsys: pytest.CaptureFixture, *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def _block_parents(notion: FakeNotion) -> set[str]:
    return {r.path.split("/")[3] for r in notion.requests_to("/v1/blocks/")}


def _stored(settings: Settings) -> dict[str, dict]:
    return {d["id"]: d for d in open_database(settings)[PAGES].find({}, {"_id": 0})}


def test_ingest_syncs_incrementally(settings, notion, capsys):
    ws: SampleWorkspace = build_sample_workspace(notion)
    total = len(ws.live_pages)
    notion.fail_next("/v1/blocks/", count=1, status=429, retry_after=1)

    cold = _cli(capsys, "ingest")
    assert cold == {"pages": total, "new": total, "updated": 0, "unchanged": 0, "deleted": 0}
    assert _block_parents(notion) >= set(ws.live_pages)
    before = _stored(settings)
    assert len(before) == total

    notion.clear_log()
    again = _cli(capsys, "ingest")
    assert again == {"pages": total, "new": 0, "updated": 0, "unchanged": total, "deleted": 0}
    assert notion.requests_to("/v1/blocks/") == [] and notion.requests_to("/v1/pages/") == []
    assert _stored(settings) == before  # not even synced_at moved

    notion.edit_page(ws.deep, blocks=[heading(1, "Plan v2"), paragraph("Rewritten.")])
    notion.edit_page(ws.child)  # touched, same content
    notion.clear_log()
    edited = _cli(capsys, "ingest")
    assert edited == {"pages": total, "new": 0, "updated": 1, "unchanged": total - 1, "deleted": 0}
    assert _block_parents(notion) == {ws.deep, ws.child}
    shown = _cli(capsys, "show", ws.deep)
    assert shown["markdown"] == "# Plan v2\n\nRewritten."
    assert shown["title"] == "Deep page" and shown["url"].startswith("https://www.notion.so/Deep-page-")

    notion.clear_log()
    assert _cli(capsys, "ingest")["unchanged"] == total
    assert notion.requests_to("/v1/blocks/") == []  # the touched page's new edit time was recorded

    notion.trash_page(ws.rows[0])
    gone = _cli(capsys, "ingest")
    assert gone == {"pages": total - 1, "new": 0, "updated": 0, "unchanged": total - 1, "deleted": 1}
    assert _stored(settings)[ws.rows[0]]["deleted"] is True


def test_show_prints_markdown_for_people(settings, notion, capsys):
    page = notion.add_page("Solo", blocks=[paragraph("Just me.")])
    _cli(capsys, "ingest")
    assert main(["show", page]) == 0
    assert capsys.readouterr().out == "# Solo\n\nJust me.\n"


def test_bad_token_exits_2_with_one_line(settings, notion, capsys, monkeypatch):
    notion.add_page("Private")
    monkeypatch.setenv("NOTION_TOKEN", "secret_not_the_right_one")
    assert main(["ingest", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: Notion rejected NOTION_TOKEN") and captured.err.count("\n") == 1


def test_missing_token_exits_2_naming_it(settings, notion, capsys, monkeypatch):
    monkeypatch.delenv("NOTION_TOKEN")
    assert main(["ingest"]) == 2
    assert "NOTION_TOKEN is not set" in capsys.readouterr().err
