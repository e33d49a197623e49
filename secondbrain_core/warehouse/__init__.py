"""The SQL side of the pipeline: stored documents as DuckDB tables, SQL models run over them."""
