-- A search inside JSON messages with DuckDB's JSON functions: chat messages of type "message"
-- that mention an invoice, with who said it and the offset to read the stream from.
SELECT
    stream,
    start_offset,
    appended_at,
    json_extract_string(text, '$.user') AS "user",
    json_extract_string(text, '$.body') AS body
FROM messages
WHERE text IS NOT NULL
  AND json_valid(text)
  AND json_extract_string(text, '$.type') = 'message'
  AND lower(json_extract_string(text, '$.body')) LIKE '%invoice%'
ORDER BY stream, start_pos;
