"""Fetched HTML to clean Markdown with crawl4ai: navigation and boilerplate pruned away.

Why crawl4ai does not fetch: its HTTP strategy (aiohttp) follows redirects itself and resolves
names when it connects, so neither each hop nor the connected address would pass our guard
(`guard.py`). The guarded fetcher (`fetch.py`) does all network I/O; crawl4ai receives the
fetched HTML as a `raw:` document through the same `AsyncWebCrawler` + `AsyncHTTPCrawlerStrategy`
(or, with `SECONDBRAIN_CRAWL_BROWSER=1`, the Playwright strategy on Debian's chromium) and does
what it is good at: scraping (`excluded_tags`/`excluded_selector` drop nav, header, footer,
DocBook nav bars), `PruningContentFilterLXML` (drops low-text blocks), `DefaultMarkdownGenerator`
(links resolved against the page's final URL). In browser mode every request the page makes is
aborted inside the browser: scripts run on the fetched HTML, but the browser reaches no address
the guard did not check. Plain text and Markdown need no conversion and are kept as fetched.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import re
import shutil
from types import TracebackType

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import Settings

log = logging.getLogger(__name__)
BOILERPLATE_TAGS = ["nav", "header", "footer", "aside", "script", "style", "noscript", "form", "iframe"]
BOILERPLATE_SELECTOR = ".navheader, .navfooter, [role=navigation], [role=banner], [role=contentinfo], .breadcrumb"
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def text_markdown(text: str, url: str) -> tuple[str, str]:
    """(title, markdown) of a plain-text or Markdown document: its first heading or first line."""
    heading = _HEADING.search(text)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return (heading.group(1) if heading else first[:200]) or url, text.strip()


class Converter:
    """`async with Converter(settings) as c: title, md = await c.html(html, final_url)`."""

    def __init__(self, settings: Settings) -> None:
        apply_runtime_env(settings)  # crawl4ai reads its home and notice switch when first imported
        self.browser = settings.crawl_browser
        self._stack = contextlib.AsyncExitStack()
        self._crawler = None
        self._config = None

    async def __aenter__(self) -> Converter:
        from crawl4ai import AsyncWebCrawler, BrowserConfig, CacheMode, CrawlerRunConfig, DefaultMarkdownGenerator
        from crawl4ai.content_filter_strategy_lxml import PruningContentFilterLXML

        self._config = CrawlerRunConfig(
            cache_mode=CacheMode.BYPASS,
            markdown_generator=DefaultMarkdownGenerator(content_filter=PruningContentFilterLXML()),
            excluded_tags=BOILERPLATE_TAGS,
            excluded_selector=BOILERPLATE_SELECTOR,
            process_in_browser=self.browser,  # else crawl4ai reads raw: HTML without the browser
            verbose=False,
        )
        strategy = self._browser_strategy() if self.browser else self._http_strategy()
        quiet = BrowserConfig(verbose=False)  # crawl4ai logs to stdout, which is the CLI's JSON
        crawler = AsyncWebCrawler(crawler_strategy=strategy, config=quiet)
        self._crawler = await self._stack.enter_async_context(crawler)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._stack.aclose()

    async def html(self, html: str, url: str) -> tuple[str, str]:
        """(title, Markdown) of an HTML page fetched from `url`; ("", "") when nothing is left."""
        assert self._crawler is not None, "use Converter as an async context manager"
        html = _XML_DECLARATION.sub("", html, count=1)  # lxml refuses str input that declares an encoding
        config = copy.copy(self._config)  # not `clone`: it re-runs __init__ (0.2 s a page in inspect.signature)
        config.base_url = url
        result = await self._crawler.arun(url="raw:" + html, config=config)
        if not result.success or result.markdown is None:
            return "", ""
        markdown = (result.markdown.fit_markdown or result.markdown.raw_markdown or "").strip()
        title = str((result.metadata or {}).get("title") or "").strip()
        return title, markdown

    @staticmethod
    def _http_strategy():  # type: ignore[no-untyped-def]
        from crawl4ai import HTTPCrawlerConfig
        from crawl4ai.async_crawler_strategy import AsyncHTTPCrawlerStrategy

        return AsyncHTTPCrawlerStrategy(browser_config=HTTPCrawlerConfig(follow_redirects=False))

    @staticmethod
    def _browser_strategy():  # type: ignore[no-untyped-def]
        """Playwright on Debian's chromium, offline: every request is aborted before it leaves
        the browser; should one escape, no name resolves and any address goes to a closed proxy."""
        from crawl4ai import BrowserConfig
        from crawl4ai.async_crawler_strategy import AsyncPlaywrightCrawlerStrategy

        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium is None:
            raise SecondBrainError("SECONDBRAIN_CRAWL_BROWSER=1 needs chromium (apt-get install chromium)")
        offline_args = [
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
            "--dns-prefetch-disable",
        ]
        config = BrowserConfig(browser_type="chromium", headless=True, verbose=False, extra_args=offline_args)
        strategy = AsyncPlaywrightCrawlerStrategy(browser_config=config)
        manager = strategy.browser_manager
        build = manager._build_browser_args  # crawl4ai has no option for the executable
        manager._build_browser_args = lambda: {**build(), "executable_path": chromium}

        async def abort(route) -> None:  # type: ignore[no-untyped-def]
            await route.abort("blockedbyclient")

        async def offline(page, context, **_: object):  # type: ignore[no-untyped-def]
            if not getattr(context, "_secondbrain_offline", False):
                await context.route("**/*", abort)
                context._secondbrain_offline = True
            return page

        strategy.set_hook("on_page_context_created", offline)
        return strategy
