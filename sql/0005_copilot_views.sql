-- Read-only views of the copilot conversations for operators, shaped like the seed's tables:
--
--     SELECT * FROM copilot_messages ORDER BY created_at DESC LIMIT 20;
--
-- The service itself never reads these; its state lives in orleansstorage, written by Orleans with
-- the System.Text.Json serializer, so payloadbinary is UTF-8 JSON with snake_case names.
-- graintypestring is the Orleans state name:
--   'copilotsession'      a session header with the open page of messages
--                         {id, owner_id, role, title, created_at, updated_at, status, message_count,
--                          sealed_page_count, in_flight, recent_turns, messages: [message...]}
--   'copilotsessionpage'  a sealed page, written once {session_id, page_number, messages: [...]}
--   message               {id, seq, role, content, created_at, status,
--                          metadata: {model, input_tokens, output_tokens, error_code}}
-- A header whose payload or id is null was cleared: there is no session. Status 'expiring' means the
-- session is being deleted; it is hidden, and so are the pages of any session without a live header.
--
-- No index serves these views: each one decodes the relevant rows of one scan of orleansstorage.
-- jsonb(...) in FROM is the cast-to-jsonb written as a function, so that each payload is decoded
-- once per row rather than once per field read from it.
-- The JSON shapes are a stored format (fields are added, never renamed), so these views only need
-- to change when a field they show is added.


-- One row per live session.
CREATE OR REPLACE VIEW copilot_sessions AS
WITH headers AS
(
    SELECT h.*
    FROM orleansstorage s
    CROSS JOIN LATERAL jsonb(convert_from(s.payloadbinary, 'UTF8')) AS doc
    CROSS JOIN LATERAL jsonb_to_record(doc) AS h
        (id uuid, owner_id uuid, role text, title text, created_at timestamptz,
         updated_at timestamptz, status text, message_count integer)
    WHERE s.graintypestring = 'copilotsession'
      AND s.payloadbinary IS NOT NULL
      AND jsonb_typeof(doc) = 'object'
)
SELECT id,
       owner_id AS user_id,
       created_at,
       updated_at,
       jsonb_build_object('role', role, 'title', title, 'message_count', message_count) AS metadata,
       true AS is_active
FROM headers
WHERE id IS NOT NULL
  AND status = 'active';


-- Every message of every live session: the header's open page plus its sealed pages.
CREATE OR REPLACE VIEW copilot_messages AS
WITH documents AS
(
    -- Headers and pages in one pass; decoded once, used twice below.
    SELECT s.serviceid, s.graintypestring, d.*
    FROM orleansstorage s
    CROSS JOIN LATERAL jsonb(convert_from(s.payloadbinary, 'UTF8')) AS doc
    CROSS JOIN LATERAL jsonb_to_record(doc) AS d
        (id uuid, session_id uuid, status text, messages jsonb)
    WHERE s.graintypestring IN ('copilotsession', 'copilotsessionpage')
      AND s.payloadbinary IS NOT NULL
      AND jsonb_typeof(doc) = 'object'
),
live_sessions AS
(
    SELECT serviceid, id, messages
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
