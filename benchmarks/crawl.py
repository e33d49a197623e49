"""Crawl throughput on loopback: crawl4ai's own HTTP strategy versus the guarded fetch.

The sample's SQL reference (190 pages) is served on 127.0.0.1 by `ReferenceSite`. In one run:

1. URLs/s of crawl4ai's `AsyncHTTPCrawlerStrategy` fetching each page itself (aiohttp) and
   converting it, versus the pipeline's guarded `httpx` fetch (`crawl.fetch`) handing the same
   page to the same crawl4ai conversion (`crawl.markdown`), at the same concurrency, alternated
   over several rounds (median). The pages are served without their `<?xml ... encoding?>`
   line for this comparison: crawl4ai's own fetch path cannot parse that line (lxml refuses a
   str that declares an encoding) and returns an error notice as the page's Markdown, so on
   the pages as shipped it would be fast and useless; that count is reported too.
2. `crawl_source` over notes linking every page, in a temp MongoDB: cold, then a re-crawl
   with nothing changed (no note's links moved: nothing fetched), then a forced revalidation
   (`crawl_refresh_s=0`: every URL re-fetched conditionally, 304s, nothing converted).

    .venv/bin/python -m benchmarks.crawl [--rounds 3] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import tempfile
import time
from pathlib import Path

from secantus.server import SecantusDBServer

from secondbrain_core.crawl.fetch import Fetcher, FetchLimits
from secondbrain_core.crawl.guard import Guard
from secondbrain_core.crawl.markdown import BOILERPLATE_SELECTOR, BOILERPLATE_TAGS, Converter
from secondbrain_core.crawl.pipeline import crawl_one, crawl_source
from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import Settings
from secondbrain_core.sources.reference_site import REFERENCE_DIR, ReferenceSite
from secondbrain_core.stores.mongo import open_database
from secondbrain_core.stores.page_store import PageStore
from tests.note_pages import note_page

ERROR_NOTICE = "Crawl4AI Error"
LINKS_PER_NOTE = 10


def _stripped_copy(target: Path) -> None:
    """The reference pages without their XML declaration (what crawl4ai's own fetch can parse)."""
    target.mkdir(parents=True)
    for page in REFERENCE_DIR.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        (target / page.name).write_text(re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1), encoding="utf-8")


def _urls(base: str) -> list[str]:
    return [base + page.name for page in sorted(REFERENCE_DIR.glob("*.html"))]


async def _crawl4ai_fetching(urls: list[str], concurrency: int) -> tuple[float, list[int], int]:
    """crawl4ai's HTTP strategy end to end: seconds, Markdown lengths, pages that came back as its error notice."""
    from crawl4ai import (
        AsyncWebCrawler,
        BrowserConfig,
        CacheMode,
        CrawlerRunConfig,
        DefaultMarkdownGenerator,
        HTTPCrawlerConfig,
    )
    from crawl4ai.async_crawler_strategy import AsyncHTTPCrawlerStrategy
    from crawl4ai.content_filter_strategy_lxml import PruningContentFilterLXML

    config = CrawlerRunConfig(
        cache_mode=CacheMode.BYPASS,
        markdown_generator=DefaultMarkdownGenerator(content_filter=PruningContentFilterLXML()),
        excluded_tags=BOILERPLATE_TAGS,
        excluded_selector=BOILERPLATE_SELECTOR,
        verbose=False,
    )
    strategy = AsyncHTTPCrawlerStrategy(browser_config=HTTPCrawlerConfig())
    slots = asyncio.Semaphore(concurrency)
    async with AsyncWebCrawler(crawler_strategy=strategy, config=BrowserConfig(verbose=False)) as crawler:

        async def one(url: str) -> str:
            async with slots:
                result = await crawler.arun(url=url, config=config)
                return (result.markdown.fit_markdown or result.markdown.raw_markdown) if result.markdown else ""

        started = time.perf_counter()
        texts = await asyncio.gather(*(one(u) for u in urls))
        seconds = time.perf_counter() - started
    return seconds, [len(t) for t in texts], sum(ERROR_NOTICE in t for t in texts)


async def _guarded(urls: list[str], settings: Settings, concurrency: int) -> tuple[float, list[int], int]:
    """The pipeline's path: guarded httpx fetch, then the same crawl4ai conversion."""
    limits = FetchLimits(host_concurrency=concurrency, host_delay_s=0.0, max_bytes=settings.crawl_max_bytes)
    async with Fetcher(Guard.from_entries(settings.crawl_allow_list), limits) as fetcher, Converter(settings) as conv:
        started = time.perf_counter()
        pages = await asyncio.gather(*(crawl_one(u, fetcher, conv, None) for u in urls))
        seconds = time.perf_counter() - started
    return seconds, [len(p.markdown) for p in pages], sum(p.status != "ok" for p in pages)


def compare_paths(rounds: int, concurrency: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        _stripped_copy(Path(tmp) / "pages")
        with ReferenceSite(Path(tmp) / "pages", port=0) as stripped, ReferenceSite(port=0) as shipped:
            urls = _urls(stripped.base_url)
            settings = Settings(home=Path(tmp) / "home", crawl_allow=f"localhost:{stripped.port}")
            apply_runtime_env(settings)
            crawl4ai_s, guarded_s = [], []
            for _ in range(rounds):  # alternated, so drift on a shared machine hits both alike
                seconds, c4_chars, c4_errors = asyncio.run(_crawl4ai_fetching(urls, concurrency))
                crawl4ai_s.append(seconds)
                seconds, g_chars, g_failed = asyncio.run(_guarded(urls, settings, concurrency))
                guarded_s.append(seconds)
            _, _, shipped_errors = asyncio.run(_crawl4ai_fetching(_urls(shipped.base_url), concurrency))
    c4, g = statistics.median(crawl4ai_s), statistics.median(guarded_s)
    return {
        "urls": len(urls),
        "concurrency": concurrency,
        "rounds": rounds,
        "crawl4ai_http_urls_per_s": round(len(urls) / c4, 1),
        "guarded_httpx_urls_per_s": round(len(urls) / g, 1),
        "ratio_guarded_over_crawl4ai": round(c4 / g, 2),
        "crawl4ai_mean_chars": round(statistics.mean(c4_chars)),
        "guarded_mean_chars": round(statistics.mean(g_chars)),
        "crawl4ai_error_pages": c4_errors,
        "guarded_failed_pages": g_failed,
        "crawl4ai_error_pages_on_shipped_xhtml": shipped_errors,
    }


def incremental(concurrency: int) -> dict:
    """Cold crawl_source vs a re-crawl with nothing changed vs a forced conditional revalidation."""
    with tempfile.TemporaryDirectory() as tmp:
        mongo = SecantusDBServer(port=0, storage_path=str(Path(tmp) / "mongo"))
        mongo.start()
        try:
            with ReferenceSite(port=0) as site:
                host, port = mongo.address
                settings = Settings(
                    home=Path(tmp) / "home",
                    mongodb_uri=f"mongodb://{host}:{port}/",
                    crawl_allow=f"localhost:{site.port}",
                    crawl_host_delay_s=0.0,
                    crawl_host_concurrency=concurrency,
                )
                urls = _urls(site.base_url)
                notes = [
                    note_page(
                        f"n{i}", "bench", f"Note {i}", " ".join(f"[p]({u})" for u in urls[i : i + LINKS_PER_NOTE])
                    )
                    for i in range(0, len(urls), LINKS_PER_NOTE)
                ]
                db = open_database(settings)
                PageStore(db).upsert(notes)
                timings = {}
                for name, run_settings in (
                    ("cold", settings),
                    ("nothing_changed", settings),
                    ("revalidate_all", settings.model_copy(update={"crawl_refresh_s": 0.0})),
                ):
                    started = time.perf_counter()
                    report = crawl_source("bench", run_settings, db)
                    timings[name] = {
                        "seconds": round(time.perf_counter() - started, 3),
                        "fetched": report.fetched,
                        "unchanged": report.unchanged,
                        "ok": report.count("ok"),
                    }
        finally:
            mongo.stop()
    timings["speedup_nothing_changed"] = round(timings["cold"]["seconds"] / timings["nothing_changed"]["seconds"], 1)
    timings["speedup_revalidate_all"] = round(timings["cold"]["seconds"] / timings["revalidate_all"]["seconds"], 1)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "paths": compare_paths(args.rounds, args.concurrency),
        "incremental": incremental(args.concurrency),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
