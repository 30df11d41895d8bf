-- The read-only views of 0005, for the storage layout with segment rows. Same columns, same rows:
-- exactly what the session grains return.
--
-- graintypestring (the Orleans state name):
--   'copilotsession'      the session header, written at create, rename, delete and each page seal
--                         {id, owner_id, role, title, created_at, updated_at, status, message_count,
--                          sealed_page_count, in_flight, recent_turns, messages, expiry_due_at,
--                          sealed_page_starts, first_open_segment}
--                         messages is the open page of the release before segments (empty once sealed);
--                         message_count and updated_at are as of the header's last write.
--   'copilotsessionpage'  a sealed page, written once {session_id, page_number, messages: [...]};
--                         pages numbered at or past sealed_page_count are orphans of a failed seal.
--   'copilotsegment'      the messages of one write, written once
--                         {session_id, segment_number, messages: [...], in_flight}; live when numbered
--                         at or past the header's first_open_segment (missing: 0) and not older than
--                         the session (a leftover of an earlier session with the same id).
--   message               {id, seq, role, content, created_at, status,
--                          metadata: {model, input_tokens, output_tokens, error_code, client_message_id}}
-- A session's message count and update time are the newer of its header's and its newest live segment's.


CREATE OR REPLACE VIEW copilot_sessions AS
WITH documents AS
(
    SELECT s.serviceid, s.graintypestring, d.*
    FROM orleansstorage s
    CROSS JOIN LATERAL jsonb(convert_from(s.payloadbinary, 'UTF8')) AS doc
    CROSS JOIN LATERAL jsonb_to_record(doc) AS d
        (id uuid, owner_id uuid, role text, title text, created_at timestamptz, updated_at timestamptz,
         status text, message_count integer, first_open_segment bigint,
         session_id uuid, segment_number bigint, messages jsonb)
    WHERE s.graintypestring IN ('copilotsession', 'copilotsegment')
      AND s.payloadbinary IS NOT NULL
      AND jsonb_typeof(doc) = 'object'
),
headers AS
(
    SELECT *
    FROM documents
    WHERE graintypestring = 'copilotsession'
      AND id IS NOT NULL
      AND status = 'active'
),
segment_activity AS
(
    SELECT h.serviceid,
           h.id,
           max((g.messages -> -1 ->> 'created_at')::timestamptz) AS updated_at,
           max((g.messages -> -1 ->> 'seq')::integer) + 1 AS message_count
    FROM headers h
    JOIN documents g
      ON g.graintypestring = 'copilotsegment'
     AND g.serviceid = h.serviceid
     AND g.session_id = h.id
     AND g.segment_number >= COALESCE(h.first_open_segment, 0)
     AND (g.messages -> 0 ->> 'created_at')::timestamptz >= h.created_at
    GROUP BY h.serviceid, h.id
)
SELECT h.id,
       h.owner_id AS user_id,
       h.created_at,
       GREATEST(h.updated_at, a.updated_at) AS updated_at,
       jsonb_build_object('role', h.role, 'title', h.title,
                          'message_count', GREATEST(h.message_count, a.message_count)) AS metadata,
       true AS is_active
FROM headers h
LEFT JOIN segment_activity a ON a.serviceid = h.serviceid AND a.id = h.id;


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
           COALESCE(m.metadata, '{}'::jsonb) || jsonb_build_object('seq', m.seq, 'status', m.status)
       ) AS metadata
FROM message_lists ml
CROSS JOIN LATERAL jsonb_to_recordset(ml.messages) AS m
    (id uuid, seq bigint, role text, content text, created_at timestamptz, status text,
     metadata jsonb);
