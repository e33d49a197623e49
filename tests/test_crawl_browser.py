"""Browser mode (`SECONDBRAIN_CRAWL_BROWSER=1`): chromium renders the fetched HTML, offline.

Scripts run (content they add is kept), but every request the page makes — script, image,
frame, fetch() to a loopback service or to the metadata address — is aborted inside the
browser, so the guard stays the only way out. (Without the hook, the same page reaches the
secret server four times: checked when this mode was built.)
"""

from __future__ import annotations

import asyncio

from crawl_site import SecretServer

from secondbrain_core.crawl.markdown import Converter
from secondbrain_core.settings import Settings

PAGE = """<html><head><title>Rendered page</title><script src="{base}/lib.js"></script></head><body>
<nav>Home | About</nav><main><h1>Rendered</h1>
<p id="x">A static paragraph about vacuum and analyze in PostgreSQL, long enough to survive pruning.</p>
<img src="{base}/img.png"><iframe src="{base}/frame"></iframe>
<script>
document.getElementById('x').insertAdjacentHTML('afterend',
  '<p>Added by a script: autovacuum thresholds explained in a sentence long enough to be kept.</p>');
fetch('{base}/xhr').catch(() => 0);
fetch('http://169.254.169.254/latest/meta-data/').catch(() => 0);
</script></main></body></html>"""


def test_browser_mode_runs_scripts_and_reaches_nothing(settings: Settings) -> None:
    browser = settings.model_copy(update={"crawl_browser": True})
    with SecretServer() as secret:

        async def render() -> tuple[str, str]:
            async with Converter(browser) as converter:
                return await converter.html(PAGE.format(base=secret.base), "http://docs.example.test/page")

        title, markdown = asyncio.run(render())
        assert secret.hits == []
    assert title == "Rendered page" and markdown.startswith("# Rendered")
    assert "Added by a script" in markdown and "Home | About" not in markdown
