"""Document quality: heuristic and LLM-judge scores for notes and crawled pages, cached in MongoDB."""
