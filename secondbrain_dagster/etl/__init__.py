"""The ETL domain after the crawl: quality scores and the SQL models."""
