-- description: Notes and crawled pages good enough to retrieve from: quality at or above SECONDBRAIN_QUALITY_THRESHOLD, one copy of identical text per source. The chunks asset indexes exactly these.
-- test: not_null doc_id
-- test: unique source,doc_id
-- test: accepted_range quality 0 1
-- test: not_empty markdown
WITH documents AS (
    SELECT doc_id, source, markdown FROM raw_notion_pages
    UNION ALL
    SELECT doc_id, source, markdown FROM crawled_pages WHERE status = 'ok'
)
SELECT
    q.doc_id,
    q.kind,
    q.source,
    q.title,
    q.url,
    q.words,
    q.quality,
    q.heuristic,
    q.judge_score,
    d.markdown
FROM quality_scores AS q
JOIN documents AS d ON d.doc_id = q.doc_id AND d.source = q.source
WHERE q.quality >= $quality_threshold
    AND length(trim(d.markdown)) > 0
QUALIFY row_number() OVER (PARTITION BY q.source, md5(d.markdown) ORDER BY q.kind DESC, q.doc_id) = 1
ORDER BY q.source, q.doc_id
