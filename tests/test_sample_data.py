"""The shipped sample knowledge base parses as a Notion export and its reference links are served."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from secondbrain_core.settings import REPO_ROOT, SAMPLE_SOURCE
from secondbrain_core.sources.notion_export import NotionExportSource
from secondbrain_core.sources.page import Page
from secondbrain_core.sources.reference_site import REFERENCE_DIR, ReferenceSite

SAMPLE = REPO_ROOT / "sample_data"
REFERENCE_LINK = re.compile(r"http://localhost:8765/docs/([a-z0-9-]+\.html)")


@pytest.fixture(scope="module")
def pages() -> dict[str, Page]:
    source = NotionExportSource(Path(SAMPLE_SOURCE.removeprefix("notion-export:")), name=SAMPLE_SOURCE)
    return {stub.id: source.fetch_page(stub) for stub in source.list_pages()}


def test_sample_is_a_workspace_with_hierarchy_and_reading_list(pages: dict[str, Page]) -> None:
    assert len(pages) >= 40
    roots = [p for p in pages.values() if p.parent is None]
    assert [r.title for r in roots] == ["PostgreSQL notes"]
    assert all(p.parent in pages for p in pages.values() if p.parent)
    assert all(re.fullmatch(r"[0-9a-f]{32}", pid) and pages[pid].url.endswith(pid) for pid in pages)
    reading = next(p for p in pages.values() if p.title == "Reading list")
    rows = [p for p in pages.values() if p.parent == reading.id]
    assert len(rows) >= 20
    assert all({"Topic", "Status", "Link"} <= set(r.properties) and r.markdown for r in rows)
    internal = [link for p in pages.values() for link in p.links if not link.startswith("http")]
    assert internal and all(link in pages for link in internal)
    assert not any(".md)" in p.markdown for p in pages.values())  # every export link was resolved
    assert any("```" in p.markdown for p in pages.values()) and any("| --- |" in p.markdown for p in pages.values())


def test_reference_links_point_at_shipped_pages(pages: dict[str, Page]) -> None:
    linked = {m for p in pages.values() for m in REFERENCE_LINK.findall(p.markdown)}
    assert len(linked) >= 20
    assert all((REFERENCE_DIR / name).is_file() for name in linked)
    local = [link for p in pages.values() for link in p.links if "localhost" in link or "127.0.0.1" in link]
    assert local and all(REFERENCE_LINK.match(link) for link in local)


def test_reference_server_serves_a_linked_page(pages: dict[str, Page]) -> None:
    link = next(link for p in pages.values() for link in p.links if "/docs/sql-select.html" in link)
    with ReferenceSite(port=0) as site:
        url = link.replace("http://localhost:8765/docs/", site.base_url)
        with urllib.request.urlopen(url, timeout=10) as response:
            body = response.read().decode()
        assert response.status == 200 and "<title>SELECT</title>" in body
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(f"http://127.0.0.1:{site.port}/pyproject.toml", timeout=10)


def test_sample_stays_small_and_licensed() -> None:
    size = sum(f.stat().st_size for f in SAMPLE.rglob("*") if f.is_file())
    assert size < 15 * 1024 * 1024
    assert "Permission to use, copy, modify, and distribute" in (SAMPLE / "LICENSE").read_text()
    assert "scripts/build_sample_data.py" in (SAMPLE / "README.md").read_text()
