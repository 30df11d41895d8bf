-- Search index writes with less CPU per turn (docs/storage.md, "Search": cost per turn).
--
-- A row's tsvector and codes were generated columns. PostgreSQL prepares a table's generation expressions again for
-- every statement that inserts into it (it reads them from the catalog and plans them), and the triggers insert a
-- segment's messages with one statement per segment write. They are now plain columns that the statements writing
-- the table fill from copilot_search_terms(body), in plans the triggers keep: the same values as before (compared on
-- 1,088 texts; SchemaTests checks rows indexed before this script), about 0.3 ms less PostgreSQL CPU per turn of a
-- 2,000-character reply in the benchmark's search phase (what the index adds, +1.45 ms before and +1.15 after on
-- average over four alternating runs each). NOT NULL makes a writer that forgets them fail rather than store a row
-- no search finds.
--
-- Nothing here changes what a search finds or returns; the stored values of existing rows are kept as they are
-- (DROP EXPRESSION turns a generated column into a plain one with its values).

-- What a row of copilot_search derives from its text: the English tsvector (words, stemmed, with positions for
-- phrases) and the codes (its words that hold a digit, in order, space-separated: what the trigram index holds;
-- copilot_search_codes of 0013 until now). A one-row table function in SQL, so a statement that joins it (CROSS JOIN
-- LATERAL copilot_search_terms(body)) has it inlined into its own plan: no function call, and no second parse and
-- plan per statement as a SQL function called in an expression needs.
CREATE OR REPLACE FUNCTION copilot_search_terms(body text) RETURNS TABLE (tsv tsvector, codes text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT to_tsvector('english', body), COALESCE(string_agg(m[1], ' '), '')
    FROM regexp_matches(body, '\S*[0-9]\S*', 'g') AS m
$function$;

ALTER TABLE copilot_search ALTER COLUMN tsv DROP EXPRESSION IF EXISTS;
ALTER TABLE copilot_search ALTER COLUMN codes DROP EXPRESSION IF EXISTS;
ALTER TABLE copilot_search ALTER COLUMN tsv SET NOT NULL;
ALTER TABLE copilot_search ALTER COLUMN codes SET NOT NULL;
DROP FUNCTION IF EXISTS copilot_search_codes(text);


-- As in 0010, with the title's tsvector and codes written beside it.
CREATE OR REPLACE FUNCTION copilot_search_index_session() RETURNS trigger
LANGUAGE plpgsql
AS $function$
DECLARE
    doc     jsonb;
    session uuid;
    title   text;
BEGIN
    IF TG_OP <> 'DELETE' AND NEW.payloadbinary IS NOT NULL THEN
        doc := convert_from(NEW.payloadbinary, 'UTF8')::jsonb;
        IF jsonb_typeof(doc) = 'object' AND doc ->> 'id' IS NOT NULL AND doc ->> 'status' = 'active' THEN
            title := COALESCE(doc ->> 'title', '');
            INSERT INTO copilot_search AS s
                (session_id, message_id, user_id, persona, role, created_at, branched, body, tsv, codes)
            SELECT (doc ->> 'id')::uuid, '00000000-0000-0000-0000-000000000000', (doc ->> 'owner_id')::uuid,
                   doc ->> 'role', 'title', (doc ->> 'created_at')::timestamptz,
                   COALESCE(jsonb_array_length(doc -> 'forks'), 0) > 0, title, d.tsv, d.codes
            FROM copilot_search_terms(title) AS d
            ON CONFLICT (session_id, message_id) DO UPDATE
            SET body = EXCLUDED.body, tsv = EXCLUDED.tsv, codes = EXCLUDED.codes,
                branched = s.branched OR EXCLUDED.branched
            WHERE s.body IS DISTINCT FROM EXCLUDED.body OR (EXCLUDED.branched AND NOT s.branched);
            RETURN NULL;
        END IF;

        session := CASE WHEN jsonb_typeof(doc) = 'object' THEN (doc ->> 'id')::uuid END;
    END IF;

    IF session IS NULL AND TG_OP <> 'INSERT' AND OLD.payloadbinary IS NOT NULL THEN
        doc := convert_from(OLD.payloadbinary, 'UTF8')::jsonb;
        session := CASE WHEN jsonb_typeof(doc) = 'object' THEN (doc ->> 'id')::uuid END;
    END IF;

    IF session IS NOT NULL THEN
        DELETE FROM copilot_search WHERE session_id = session;
    END IF;

    RETURN NULL;
END
$function$;


-- As in 0010, with each message's tsvector and codes written beside it.
CREATE OR REPLACE FUNCTION copilot_search_index_segment() RETURNS trigger
LANGUAGE plpgsql
AS $function$
DECLARE
    doc     jsonb := convert_from(NEW.payloadbinary, 'UTF8')::jsonb;
    session uuid;
    owner   record;
BEGIN
    IF jsonb_typeof(doc) <> 'object' OR jsonb_typeof(doc -> 'messages') <> 'array' THEN
        RETURN NULL;
    END IF;

    session := (doc ->> 'session_id')::uuid;
    SELECT user_id, persona INTO owner
    FROM copilot_search
    WHERE session_id = session AND message_id = '00000000-0000-0000-0000-000000000000';
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;

    INSERT INTO copilot_search (session_id, message_id, user_id, persona, role, created_at, body, tsv, codes)
    SELECT session, m.id, owner.user_id, owner.persona, m.role, m.created_at, m.content, d.tsv, d.codes
    FROM jsonb_to_recordset(doc -> 'messages') AS m (id uuid, role text, created_at timestamptz, content text)
    CROSS JOIN LATERAL copilot_search_terms(m.content) AS d
    WHERE m.content <> ''
    ON CONFLICT (session_id, message_id) DO NOTHING;

    IF COALESCE(jsonb_array_length(doc -> 'forks'), 0) > 0 THEN
        UPDATE copilot_search
        SET branched = true
        WHERE session_id = session AND message_id = '00000000-0000-0000-0000-000000000000' AND NOT branched;
    END IF;

    RETURN NULL;
END
$function$;


-- As in 0010, writing each row's tsvector and codes.
CREATE OR REPLACE FUNCTION copilot_search_rebuild() RETURNS bigint
LANGUAGE plpgsql
AS $function$
DECLARE
    indexed bigint;
BEGIN
    LOCK TABLE copilot_search IN ACCESS EXCLUSIVE MODE;
    TRUNCATE copilot_search;

    INSERT INTO copilot_search (session_id, message_id, user_id, persona, role, created_at, body, tsv, codes)
    SELECT id, '00000000-0000-0000-0000-000000000000', user_id, metadata ->> 'role', 'title', created_at, t.title,
           d.tsv, d.codes
    FROM copilot_sessions
    CROSS JOIN LATERAL (SELECT COALESCE(metadata ->> 'title', '') AS title) AS t
    CROSS JOIN LATERAL copilot_search_terms(t.title) AS d
    ON CONFLICT (session_id, message_id) DO NOTHING;

    INSERT INTO copilot_search (session_id, message_id, user_id, persona, role, created_at, body, tsv, codes)
    SELECT m.session_id, m.id, t.user_id, t.persona, m.role, m.created_at, m.content, d.tsv, d.codes
    FROM copilot_messages m
    JOIN copilot_search t ON t.session_id = m.session_id AND t.message_id = '00000000-0000-0000-0000-000000000000'
    CROSS JOIN LATERAL copilot_search_terms(m.content) AS d
    WHERE m.content <> ''
    ON CONFLICT (session_id, message_id) DO NOTHING;

    UPDATE copilot_search t
    SET branched = true
    FROM (SELECT DISTINCT session_id
          FROM copilot_messages
          GROUP BY session_id, metadata ->> 'parent_id'
          HAVING count(*) > 1) b
    WHERE t.session_id = b.session_id AND t.message_id = '00000000-0000-0000-0000-000000000000';

    SELECT count(*) INTO indexed FROM copilot_search;
    RETURN indexed;
END
$function$;
