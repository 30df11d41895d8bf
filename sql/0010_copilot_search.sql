-- Search over each user's own messages and session titles (GET /v1/search).
--
-- copilot_search is derived data: one row per stored message with text, plus one row per live session (its title,
-- message_id all zeros), keeping the owner and persona that the messages themselves do not carry. Triggers on
-- orleansstorage keep it in the same transaction as the row write they follow, so the index and the conversation
-- commit together or not at all, whatever fails when:
--   a segment row written (a turn's user message, a reply, an append batch)   its messages are inserted;
--                                                                              the same message again is a no-op
--   a session header written with status active                                its title row is inserted or updated
--   a session header marked expiring, cleared or deleted (delete, expiry)      every row of the session goes
-- Sealed pages are not indexed: every message reaches a page through a segment, and the messages stored before
-- segments existed are indexed by copilot_search_rebuild() below, which this script runs once.
--
-- Rebuild from the stored sessions at any time (the silo's `reindex` command runs it):
--     SELECT copilot_search_rebuild();
--
-- pg_trgm (substring search for fragments such as "RG-2041", through the words of a text that hold a digit) and btree_gin (the owner in the same GIN index as the
-- words) are contrib extensions shipped with PostgreSQL and trusted: a database owner may create them.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- The words of a text that hold a digit (job numbers, addresses, part codes), space-separated: what the trigram index
-- holds instead of the whole text. A substring search for a fragment with a digit first finds the rows whose codes
-- hold each of its words with a digit (any text containing the fragment has them), then checks the whole text. A
-- 2,000-character reply has a few such words instead of about 1,500 trigrams.
CREATE OR REPLACE FUNCTION copilot_search_codes(body text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT COALESCE(string_agg(word, ' '), '')
    FROM regexp_split_to_table(body, '\s+') AS word
    WHERE word ~ '[0-9]'
$function$;

CREATE TABLE IF NOT EXISTS copilot_search
(
    session_id uuid        NOT NULL,
    -- The message; all zeros on the session's title row.
    message_id uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    persona    text        NOT NULL,
    -- 'user' or 'assistant' for a message, 'title' for the session's title row.
    role       text        NOT NULL,
    created_at timestamptz NOT NULL,
    -- On the title row: the session has more than one version of some message (a branch), so a hit's place on the
    -- active path must be asked of the session.
    branched   boolean     NOT NULL DEFAULT false,
    body       text        NOT NULL,
    tsv        tsvector    GENERATED ALWAYS AS (to_tsvector('english', body)) STORED,
    codes      text        GENERATED ALWAYS AS (copilot_search_codes(body)) STORED,
    PRIMARY KEY (session_id, message_id)
);

-- Every search names its user first: both indexes hold the owner beside the words (or the codes' trigrams), so a
-- search reads that user's matches only, however many other users share a word.
CREATE INDEX IF NOT EXISTS ix_copilot_search_words ON copilot_search USING gin (user_id, tsv);
CREATE INDEX IF NOT EXISTS ix_copilot_search_codes ON copilot_search USING gin (user_id, codes gin_trgm_ops);


-- A session header: its title row follows the header; a header that no longer describes a live session takes every
-- row of the session with it.
CREATE OR REPLACE FUNCTION copilot_search_index_session() RETURNS trigger
LANGUAGE plpgsql
AS $function$
DECLARE
    doc     jsonb;
    session uuid;
BEGIN
    IF TG_OP <> 'DELETE' AND NEW.payloadbinary IS NOT NULL THEN
        doc := convert_from(NEW.payloadbinary, 'UTF8')::jsonb;
        IF jsonb_typeof(doc) = 'object' AND doc ->> 'id' IS NOT NULL AND doc ->> 'status' = 'active' THEN
            INSERT INTO copilot_search AS s (session_id, message_id, user_id, persona, role, created_at, branched, body)
            VALUES ((doc ->> 'id')::uuid, '00000000-0000-0000-0000-000000000000', (doc ->> 'owner_id')::uuid,
                    doc ->> 'role', 'title', (doc ->> 'created_at')::timestamptz,
                    COALESCE(jsonb_array_length(doc -> 'forks'), 0) > 0, COALESCE(doc ->> 'title', ''))
            ON CONFLICT (session_id, message_id) DO UPDATE
            SET body = EXCLUDED.body, branched = s.branched OR EXCLUDED.branched
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


-- A segment: its messages with text, under the owner and persona of the session's title row. No title row means
-- no live session (deleted, or written by an activation that lost the race with a delete): nothing to index.
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

    INSERT INTO copilot_search (session_id, message_id, user_id, persona, role, created_at, body)
    SELECT session, m.id, owner.user_id, owner.persona, m.role, m.created_at, m.content
    FROM jsonb_to_recordset(doc -> 'messages') AS m (id uuid, role text, created_at timestamptz, content text)
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


DROP TRIGGER IF EXISTS copilot_search_sessions ON orleansstorage;
CREATE TRIGGER copilot_search_sessions
    AFTER INSERT OR UPDATE ON orleansstorage
    FOR EACH ROW WHEN (NEW.graintypestring = 'copilotsession')
    EXECUTE FUNCTION copilot_search_index_session();

DROP TRIGGER IF EXISTS copilot_search_sessions_deleted ON orleansstorage;
CREATE TRIGGER copilot_search_sessions_deleted
    AFTER DELETE ON orleansstorage
    FOR EACH ROW WHEN (OLD.graintypestring = 'copilotsession')
    EXECUTE FUNCTION copilot_search_index_session();

DROP TRIGGER IF EXISTS copilot_search_segments ON orleansstorage;
CREATE TRIGGER copilot_search_segments
    AFTER INSERT OR UPDATE ON orleansstorage
    FOR EACH ROW WHEN (NEW.graintypestring = 'copilotsegment' AND NEW.payloadbinary IS NOT NULL)
    EXECUTE FUNCTION copilot_search_index_segment();


-- Empties the index and fills it again from what the views read: every live session's title, and every message of
-- every branch (sealed pages, a legacy open page, live segments). The table is locked for the duration, so a write
-- that commits meanwhile is indexed after it by its own trigger, never lost; searches wait. Returns the rows indexed.
CREATE OR REPLACE FUNCTION copilot_search_rebuild() RETURNS bigint
LANGUAGE plpgsql
AS $function$
DECLARE
    indexed bigint;
BEGIN
    LOCK TABLE copilot_search IN ACCESS EXCLUSIVE MODE;
    TRUNCATE copilot_search;

    INSERT INTO copilot_search (session_id, message_id, user_id, persona, role, created_at, body)
    SELECT id, '00000000-0000-0000-0000-000000000000', user_id, metadata ->> 'role', 'title', created_at,
           COALESCE(metadata ->> 'title', '')
    FROM copilot_sessions
    ON CONFLICT (session_id, message_id) DO NOTHING;

    INSERT INTO copilot_search (session_id, message_id, user_id, persona, role, created_at, body)
    SELECT m.session_id, m.id, t.user_id, t.persona, m.role, m.created_at, m.content
    FROM copilot_messages m
    JOIN copilot_search t ON t.session_id = m.session_id AND t.message_id = '00000000-0000-0000-0000-000000000000'
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

SELECT copilot_search_rebuild();
