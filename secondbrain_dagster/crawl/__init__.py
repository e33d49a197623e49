"""The crawl domain: `crawled_pages`, the web pages each source's notes link (per source)."""
