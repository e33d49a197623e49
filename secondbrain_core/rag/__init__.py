"""Retrieval: structure-aware chunking, contextual retrieval, embeddings, the hybrid index.

Entry points: `pipeline.build_chunks` / `pipeline.sync_index` / `pipeline.index_store` to index,
`search.Retriever` to query. The Dagster assets in `secondbrain_dagster/rag` call the same code.
"""
