"""Small real indexes for tests: pages as the sources make them, indexed as the pipeline does."""

from __future__ import annotations

from datetime import UTC, datetime

from secondbrain_core.agent.assistant import Assistant
from secondbrain_core.rag.pipeline import build_chunks, sync_index
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page


def note_page(pid: str, source: str, title: str, markdown: str, tags: list[str] | None = None) -> Page:
    """A page with a stable test URL and edit time (tags as a Notion "Tags" property)."""
    return Page(
        id=pid,
        source=source,
        title=title,
        url=f"https://example.test/{pid}",
        markdown=markdown,
        properties={"Tags": tags} if tags is not None else {},
        last_edited_time=datetime(2024, 2, 1, tzinfo=UTC),
    )


def index_pages(settings: Settings, pages: list[Page]) -> Settings:
    """Chunk and index `pages` under `settings.home`; the settings, for fixtures to return."""
    sync_index(build_chunks(pages, settings), settings)
    return settings


def assistant_over(settings: Settings, pages: list[Page]) -> Assistant:
    """The assistant over `pages` indexed under `settings.home`, tracing off (no MLflow store)."""
    return Assistant(index_pages(settings, pages).model_copy(update={"agent_tracing": False}))
