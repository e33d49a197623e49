"""Crawling the pages notes link to: one URL guard, a guarded fetcher, Markdown, a store."""
