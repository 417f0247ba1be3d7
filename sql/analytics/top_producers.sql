-- The producers that wrote the most messages, and into how many streams.
SELECT
    producer_id,
    count(*) AS messages,
    count(DISTINCT stream) AS streams,
    max(producer_epoch) AS last_epoch,
    min(appended_at) AS first_seen,
    max(appended_at) AS last_seen
FROM messages
WHERE producer_id IS NOT NULL
GROUP BY producer_id
ORDER BY messages DESC, producer_id
LIMIT 10;
