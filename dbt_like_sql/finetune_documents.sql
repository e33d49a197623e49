-- description: The stricter cut for training data: rag_documents at or above SECONDBRAIN_FINETUNE_QUALITY_THRESHOLD with at least 80 words.
-- test: not_null doc_id
-- test: unique source,doc_id
-- test: accepted_range quality 0 1
-- test: not_empty markdown
SELECT doc_id, kind, source, title, url, words, quality, markdown
FROM rag_documents
WHERE quality >= $finetune_quality_threshold
    AND words >= 80
ORDER BY source, doc_id
