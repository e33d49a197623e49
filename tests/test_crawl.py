"""The crawl pipeline: links of notes → guarded fetch → crawl4ai Markdown → `crawled_pages`.

Runs against the hostile loopback site (`crawl_site.py`) and the sample KB's SQL reference,
served on a free port; both allow-listed explicitly (loopback is refused by default).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from crawl_site import CrawlSite, SecretServer
from note_pages import note_page

from secondbrain_core.crawl.links import canonical_url, page_links
from secondbrain_core.crawl.pipeline import crawl_source, crawl_urls
from secondbrain_core.crawl.store import CrawlStore, sha256_hex
from secondbrain_core.ingest import ingest_source
from secondbrain_core.settings import REPO_ROOT, SAMPLE_SOURCE, Settings
from secondbrain_core.sources.page import Page
from secondbrain_core.sources.reference_site import ReferenceSite
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore

SOURCE = "notes"


@pytest.fixture
def site() -> Iterator[CrawlSite]:
    with SecretServer() as secret, CrawlSite(secret.port) as served:
        yield served


def _allowing(settings: Settings, *entries: str, **changes: object) -> Settings:
    return settings.model_copy(update={"crawl_allow": ",".join(entries), "crawl_host_delay_s": 0.0, **changes})


def test_links_are_found_everywhere_and_canonicalized() -> None:
    page = Page(
        id="p1",
        source=SOURCE,
        title="Links",
        url="https://www.notion.so/p1",
        markdown=(
            "See [the docs](HTTP://Docs.Example.com:80/a/../guide?b=2&a=1&utm_source=x#intro) and "
            "<https://docs.example.com/guide?a=1&b=2>.\n\n[Bookmark caption](https://blog.example.org/post)\n\n"
            "![diagram](https://img.example.org/d.png) [child](https://www.notion.so/abc123) "
            "a bare https://bare.example.net/x, and ftp://files.example.com/f."
        ),
        properties={"Source": "https://prop.example.com/ref", "Tags": ["x"], "Nested": {"url": "http://n.example/"}},
        links=["0f1e2d3c4b5a69788796a5b4c3d2e1f0", "https://embed.example.com/video"],
        last_edited_time=datetime(2024, 1, 1, tzinfo=UTC),
    )
    assert page_links(page) == [
        "http://docs.example.com/guide?a=1&b=2",
        "https://docs.example.com/guide?a=1&b=2",
        "https://blog.example.org/post",
        "https://bare.example.net/x",
        "https://embed.example.com/video",
        "https://prop.example.com/ref",
        "http://n.example/",
    ]
    assert canonical_url("https://X.org:443") == "https://x.org/"
    assert canonical_url("http://[::1]:80/p") == "http://[::1]/p"
    assert canonical_url("mailto:a@b.c") is None


def test_pages_become_clean_markdown_and_failures_are_recorded(settings: Settings, site: CrawlSite) -> None:
    urls = [f"{site.base}{p}" for p in ("/a.html", "/self.html", "/notes.md", "/hop1", "/file.bin", "/missing.html")]
    pages = crawl_urls(urls, _allowing(settings, f"127.0.0.1:{site.port}"))
    by_path = {p.url.removeprefix(site.base): p for p in pages}
    article = by_path["/a.html"]
    assert article.status == "ok" and article.title == "Vacuum basics"
    assert "transaction ID wraparound" in article.markdown and article.markdown.startswith("# Vacuum basics")
    for boilerplate in ("About us", "Site header boilerplate", "Copyright footer"):
        assert boilerplate not in article.markdown  # nav, header, footer pruned
    assert f"]({site.base}/b.html)" in article.markdown  # relative links resolved against the page
    assert article.content_hash == sha256_hex(article.markdown) and article.final_url == f"{site.base}/a.html"
    # a page linking to itself is crawled once: links of crawled pages are not followed
    assert by_path["/self.html"].status == "ok" and site.hits.count("/self.html") == 1
    assert by_path["/notes.md"].title == "Markdown notes"
    assert (by_path["/hop1"].status, by_path["/file.bin"].status) == ("blocked", "error")
    assert by_path["/missing.html"].http_status == 404 and not by_path["/missing.html"].markdown


def _store_notes(settings: Settings, notes: dict[str, str]) -> None:
    PageStore(open_database(settings)).upsert([note_page(pid, SOURCE, pid, body) for pid, body in notes.items()])


def test_crawl_source_is_incremental(settings: Settings, site: CrawlSite) -> None:
    settings = _allowing(settings, f"127.0.0.1:{site.port}")
    db = open_database(settings)
    b = site.base
    notes = {
        "n1": f"[a]({b}/a.html) [self]({b}/self.html) [bin]({b}/file.bin) [gone]({b}/missing.html) [x]({b}/hop1)",
        "n2": f"Same page, other spelling: {b}/a.html#part and a redirect [to a]({b}/to-a) and {b}/etag.html",
    }
    _store_notes(settings, notes)

    first = crawl_source(SOURCE, settings, db)
    statuses = {p.url.removeprefix(b): p.status for p in first.pages}
    assert statuses == {
        "/a.html": "ok",
        "/self.html": "ok",
        "/file.bin": "error",
        "/missing.html": "error",
        "/hop1": "blocked",
        "/to-a": "ok",
        "/etag.html": "ok",
    }
    assert (first.notes, first.notes_changed, first.fetched) == (2, 2, 7)
    shared = CrawlStore(db).get(f"{b}/a.html")
    assert {(r.source, r.page_id) for r in shared.linked_from} == {(SOURCE, "n1"), (SOURCE, "n2")}
    assert shared.sources == [SOURCE] and first.failed_share == pytest.approx(3 / 7)

    hits = len(site.hits)
    again = crawl_source(SOURCE, settings, db)
    assert (again.notes_changed, again.fetched, len(site.hits)) == (0, 0, hits)  # nothing re-crawled

    _store_notes(settings, {**notes, "n2": notes["n2"] + f" and [b]({b}/b.html)"})
    edited = crawl_source(SOURCE, settings, db)
    assert (edited.notes_changed, edited.fetched) == (1, 1) and site.hits[hits:] == ["/robots.txt", "/b.html"]

    stale = crawl_source(SOURCE, settings.model_copy(update={"crawl_refresh_s": 0.0}), db)
    assert stale.fetched == 8 and stale.unchanged == 5  # every ok page: 304 or the same body
    assert site.body_sent == ["/etag.html"]  # the re-fetch was conditional: 304, no body
    assert CrawlStore(db).get(f"{b}/a.html").content_hash == shared.content_hash

    PageStore(db).mark_deleted(SOURCE, ["n1"])
    after = crawl_source(SOURCE, settings, db)
    assert f"{b}/self.html" not in {p.url for p in after.pages}  # no note of this source links it any more
    assert CrawlStore(db).get(f"{b}/self.html").sources == []
    assert CrawlStore(db).collection.count_documents({}) == 8  # one document per URL, never duplicated


def test_sample_kb_links_crawl_to_markdown(settings: Settings) -> None:
    """The sample notes link the SQL reference at localhost:8765; here it is served on a free port."""
    ingest_source(SAMPLE_SOURCE, settings)
    notes = PageStore(open_database(settings)).live_pages()
    linked = sorted({u for note in notes for u in page_links(note) if u.startswith("http://localhost:8765/docs/")})
    assert len(linked) >= 40
    with ReferenceSite(port=0) as reference:
        urls = [u.replace(":8765/", f":{reference.port}/") for u in linked]
        pages = crawl_urls(urls, _allowing(settings, f"localhost:{reference.port}"))
    assert [p.status for p in pages] == ["ok"] * len(urls), [p.reason for p in pages if p.status != "ok"][:3]
    vacuum = next(p for p in pages if p.url.endswith("/sql-vacuum.html"))
    assert vacuum.title == "VACUUM" and "garbage-collect" in vacuum.markdown
    assert "Prev" not in vacuum.markdown.splitlines()[0]  # the DocBook navigation bar is gone
    assert min(len(p.markdown) for p in pages) > 500


def test_crawl4ai_and_dspy_import_together() -> None:
    """crawl4ai's `unclecode-litellm` installs into the `litellm` package DSPy uses: both must load
    in one process, and DSPy's LM still reaches litellm's completion entry point."""
    import crawl4ai
    import dspy
    import litellm

    assert crawl4ai.__version__.__version__.startswith("0.9")
    assert callable(litellm.completion) and dspy.LM("openai/test-model").model == "openai/test-model"


def test_cli_crawls_through_the_guard(settings: Settings, site: CrawlSite, monkeypatch) -> None:
    monkeypatch.setenv("SECONDBRAIN_CRAWL_ALLOW", f"127.0.0.1:{site.port}")
    monkeypatch.setenv("SECONDBRAIN_CRAWL_HOST_DELAY_S", "0")
    urls = [f"{site.base}/a.html", f"{site.base}/to-metadata", f"{site.base}/broken.html"]
    cli = [sys.executable, "-m", "secondbrain_core.app.cli", "crawl"]
    done = subprocess.run([*cli, "--json", *urls], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = json.loads(done.stdout)
    assert [(r["url"], r["status"]) for r in rows] == list(zip(urls, ["ok", "blocked", "error"], strict=True))
    assert rows[0]["chars"] > 200 and rows[0]["reason"] is None and "cloud metadata" in rows[1]["reason"]
    assert set(rows[0]) == {"url", "status", "reason", "chars"}

    bad = subprocess.run([*cli, "file:///etc/passwd"], capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0
    assert "file:///etc/passwd" in bad.stderr and "only http and https" in bad.stderr
