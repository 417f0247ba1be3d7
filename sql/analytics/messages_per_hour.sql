-- Messages per hour per stream (one row per JSON message, one per append for other streams).
SELECT
    stream,
    date_trunc('hour', appended_at) AS hour,
    count(*) AS messages,
    sum(octet_length(payload))::BIGINT AS bytes
FROM messages
GROUP BY stream, hour
ORDER BY stream, hour;
