"""Retrieval: structure-aware chunking, contextual retrieval, embeddings, the hybrid index.

Entry points: `pipeline.build_chunks` / `pipeline.sync_index` / `pipeline.index_store` to index,
`search.Retriever` to query; both reach the index through `backend.IndexBackend` (the local
files or Atlas, chosen in `backends.py`). The Dagster assets in `secondbrain_dagster/rag` call
the same code.
"""
