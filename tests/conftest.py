"""Shared fixtures: a real MongoDB wire server in-process and a throw-away home per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_api import FakeAPI, served

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OPIK_TRACK_DISABLE", "true")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "true")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from secondbrain_core.settings import Settings


@pytest.fixture(scope="session")
def mongo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """secantusdb started in this process on a free loopback port; yields its URI."""
    from secantus.server import SecantusDBServer

    server = SecantusDBServer(port=0, storage_path=str(tmp_path_factory.mktemp("mongo")))
    server.start()
    host, port = server.address
    yield f"mongodb://{host}:{port}/"
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, mongo_server: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for one test: its own home and its own database on the shared server.

    Also exported as environment so subprocesses (the CLI, Dagster) see the same values.
    """
    home = tmp_path / "home"
    database = f"t_{uuid.uuid4().hex[:12]}"
    env = {
        "SECONDBRAIN_HOME": str(home),
        "MONGODB_URI": mongo_server,
        "SECONDBRAIN_MONGODB_DATABASE": database,
        "DAGSTER_HOME": str(home / "dagster"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{home / 'mlflow.db'}",
    }
    for key in ("NOTION_TOKEN", "OPENAI_API_KEY", "OPENAI_BASE_URL", "VOYAGE_API_KEY", "SECONDBRAIN_SOURCES"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    (home / "dagster").mkdir(parents=True)
    return Settings()


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    """The fake OpenAI/Voyage API (`fake_api.py`) serving on a free loopback port."""
    server = FakeAPI()
    with served(server):
        yield server


NOTES = {  # page id -> (source, title, tags, markdown): what the chat tests ask about
    "espresso": (
        "kitchen",
        "Espresso [home]",
        ["coffee"],
        "# Espresso\n\nGrind the beans finely and pull the shot for 25 seconds.\n\n"
        "The basket takes 18 grams of coffee.",
    ),
    "orchid": (
        "garden",
        "Orchid care",
        ["plants"],
        "# Orchids\n\nWater the orchid once a week (rainwater, not `$TAP`) and keep it in bright sunlight: "
        "it cost $12 at the market, the pot $3.",
    ),
    "bike": ("garage", "Bicycle", [], "# Chain\n\nClean the chain with degreaser, then apply chain lubricant."),
}


@pytest.fixture
def notes_index(settings: Settings) -> Settings:
    """A small real index (`NOTES`: three sources, tagged pages) built as the pipeline builds it."""
    from note_pages import index_pages, note_page

    pages = [note_page(pid, source, title, text, tags) for pid, (source, title, tags, text) in NOTES.items()]
    return index_pages(settings, pages)
