"""The retrieval domain: `chunks` (per source) and `vector_index` (their union)."""
