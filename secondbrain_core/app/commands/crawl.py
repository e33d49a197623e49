"""`secondbrain crawl URL...`: the pipeline's guarded crawl, for URLs given by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from secondbrain_core.app.commands.common import add_command
from secondbrain_core.app.output import CommandResult

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings


def register(subparsers, groups) -> None:
    parser = add_command(subparsers, "crawl", "crawl URLs through the same guard as the pipeline", _crawl)
    parser.add_argument("urls", nargs="+", metavar="URL")
    parser.add_argument("--markdown", action="store_true", help="print the Markdown of each page crawled")


def _crawl(args, settings: Settings) -> CommandResult:
    from secondbrain_core.crawl.guard import BadURL, split_url
    from secondbrain_core.crawl.links import canonical_url
    from secondbrain_core.crawl.pipeline import crawl_urls

    for url in args.urls:
        split_url(url)  # a URL that is not http(s) is the user's mistake: exit 2, naming it
    canonical = [canonical_url(url) for url in args.urls]
    if None in canonical:
        raise BadURL(f"URL {args.urls[canonical.index(None)]!r} is not a crawlable http(s) URL")
    unique = list(dict.fromkeys(url for url in canonical if url))
    pages = {p.url: p for p in crawl_urls(unique, settings)}
    rows, lines = [], []
    for given, url in zip(args.urls, canonical, strict=True):
        page = pages[url]
        rows.append({"url": given, "status": page.status, "reason": page.reason, "chars": len(page.markdown)})
        lines.append(f"{page.status:7} {len(page.markdown):7} {given}" + (f"  ({page.reason})" if page.reason else ""))
        if args.markdown and page.markdown:
            lines.append(f"\n# {page.title or given}\n\n{page.markdown}\n")
    return CommandResult(data=rows, text="\n".join(lines))
