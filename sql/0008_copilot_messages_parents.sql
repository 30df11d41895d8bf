-- copilot_messages of 0006 with each message's parent in metadata.parent_id (absent for a first message), so every
-- branch of a conversation reads as a tree. Same columns, same rows: every message of every branch.
--
--   message   {id, seq, role, content, created_at, status,
--              metadata: {model, input_tokens, output_tokens, error_code, client_message_id}, parent_id}
--   parent_id the message it answers or follows; all zeros for a first message; absent in rows written before
--             branches, where the parent is the previous message by seq.
-- The session header also holds active_leaf {message_id, seq, from_segment} and forks [{parent_id, children}], and a
-- segment the forks its write changed; the view does not need them.


-- Every message of every live session: its sealed pages, the header's legacy open page, its live segments.
CREATE OR REPLACE VIEW copilot_messages AS
WITH documents AS
(
    SELECT s.serviceid, s.graintypestring, d.*
    FROM orleansstorage s
    CROSS JOIN LATERAL jsonb(convert_from(s.payloadbinary, 'UTF8')) AS doc
    CROSS JOIN LATERAL jsonb_to_record(doc) AS d
        (id uuid, session_id uuid, status text, created_at timestamptz, messages jsonb,
         sealed_page_count integer, first_open_segment bigint, page_number integer, segment_number bigint)
    WHERE s.graintypestring IN ('copilotsession', 'copilotsessionpage', 'copilotsegment')
      AND s.payloadbinary IS NOT NULL
      AND jsonb_typeof(doc) = 'object'
),
live_sessions AS
(
    SELECT serviceid, id, created_at, messages, sealed_page_count, COALESCE(first_open_segment, 0) AS first_open_segment
    FROM documents
    WHERE graintypestring = 'copilotsession'
      AND id IS NOT NULL
      AND status = 'active'
),
message_lists AS
(
    SELECT id AS session_id, messages
    FROM live_sessions
    UNION ALL
    SELECT p.session_id, p.messages
    FROM documents p
    JOIN live_sessions l ON l.serviceid = p.serviceid AND l.id = p.session_id
    WHERE p.graintypestring = 'copilotsessionpage'
      AND p.page_number < l.sealed_page_count
    UNION ALL
    SELECT g.session_id, g.messages
    FROM documents g
    JOIN live_sessions l ON l.serviceid = g.serviceid AND l.id = g.session_id
    WHERE g.graintypestring = 'copilotsegment'
      AND g.segment_number >= l.first_open_segment
      AND (g.messages -> 0 ->> 'created_at')::timestamptz >= l.created_at
)
SELECT m.id,
       ml.session_id,
       m.role,
       m.content,
       m.created_at,
       jsonb_strip_nulls(
           COALESCE(m.metadata, '{}'::jsonb) || jsonb_build_object(
               'seq', m.seq,
               'status', m.status,
               'parent_id', CASE
                   WHEN m.parent_id IS NULL THEN lag(m.id) OVER (PARTITION BY ml.session_id ORDER BY m.seq)
                   WHEN m.parent_id <> '00000000-0000-0000-0000-000000000000' THEN m.parent_id
               END)
       ) AS metadata
FROM message_lists ml
CROSS JOIN LATERAL jsonb_to_recordset(ml.messages) AS m
    (id uuid, seq bigint, role text, content text, created_at timestamptz, status text,
     metadata jsonb, parent_id uuid);
