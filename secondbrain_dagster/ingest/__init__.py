"""Ingest domain: raw pages from each configured source, one partition per source."""
