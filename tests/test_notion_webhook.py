"""The loopback Notion webhook receiver: verification, signed events only, and the sensor it wakes."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import dagster as dg
import pytest
from fake_api import served
from fake_notion import FakeNotion, paragraph
from test_dagster_ingest import requested, tick

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings
from secondbrain_core.sources.notion_webhook import PATH, last_wake, make_server, state_dir

TOKEN = "secret_verification_token"


@pytest.fixture
def receiver(settings: Settings) -> Iterator[str]:
    server = make_server(settings, "127.0.0.1", 0)
    with served(server):
        yield f"http://127.0.0.1:{server.server_address[1]}{PATH}"


def post(url: str, body: dict, signature: str | None = None) -> int:
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Notion-Signature"] = signature
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def sign(body: dict) -> str:
    return "sha256=" + hmac.new(TOKEN.encode(), json.dumps(body).encode(), hashlib.sha256).hexdigest()


def test_only_signed_events_wake(settings: Settings, receiver: str) -> None:
    event = {"type": "page.content_updated", "entity": {"id": "x"}}
    assert post(receiver, event, sign(event)) == 401, "no verification token yet"
    assert post(receiver, {"verification_token": TOKEN}) == 200
    assert last_wake(settings) is None
    assert post(receiver, event, "sha256=" + "0" * 64) == 401
    assert post(receiver, event) == 401
    assert last_wake(settings) is None
    assert post(receiver, event, sign(event)) == 200
    assert last_wake(settings) is not None


def test_a_second_verification_token_cannot_replace_the_first(settings: Settings, receiver: str) -> None:
    assert post(receiver, {"verification_token": TOKEN}) == 200
    assert (state_dir(settings) / "token.json").stat().st_mode & 0o077 == 0  # readable by its owner only
    assert post(receiver, {"verification_token": "a stranger's token"}) == 409
    event = {"type": "page.created", "entity": {"id": "y"}}
    forged = "sha256=" + hmac.new(b"a stranger's token", json.dumps(event).encode(), hashlib.sha256).hexdigest()
    assert post(receiver, event, forged) == 401
    assert post(receiver, event, sign(event)) == 200


def test_receiver_refuses_other_interfaces(settings: Settings) -> None:
    with pytest.raises(SecondBrainError, match="loopback only"):
        make_server(settings, "0.0.0.0", 0)


def test_sensor_polls_only_after_an_event(settings: Settings, receiver: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeNotion() as notion:
        page = notion.add_page("Home", blocks=[paragraph("hello")])
        notion.patch(page, last_edited_time="2024-01-01T10:00:00.000Z")
        for key, value in {
            "NOTION_TOKEN": notion.token,
            "SECONDBRAIN_NOTION_BASE_URL": notion.base_url,
            "SECONDBRAIN_SOURCES": "notion",
            "SECONDBRAIN_NOTION_WEBHOOK_PORT": "8765",
        }.items():
            monkeypatch.setenv(key, value)
        instance = dg.DagsterInstance.ephemeral()
        first = tick(instance, None)
        assert requested(first) == ["notion"]
        notion.clear_log()
        notion.edit_page(page, blocks=[paragraph("edited")])
        quiet = tick(instance, first.cursor)
        assert requested(quiet) == [] and not notion.requests, "no event yet: no request to Notion"

        assert post(receiver, {"verification_token": TOKEN}) == 200
        event = {"type": "page.content_updated"}
        assert post(receiver, event, sign(event)) == 200
        woken = tick(instance, first.cursor)
        assert requested(woken) == ["notion"]
