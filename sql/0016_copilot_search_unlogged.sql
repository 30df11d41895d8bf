-- The search index without WAL (docs/storage.md, "Search": why the index is unlogged, and how it is rebuilt).
--
-- copilot_search is derived data, rebuilt from the stored sessions. Logged, it wrote about 10 KB of WAL for each turn
-- of a 2,000-character reply, three times the turn's own; unlogged it writes none. PostgreSQL empties an unlogged
-- table when it recovers from a crash (and a standby holds none of it), so copilot_search_built says whether the
-- index is whole: a search without its row answers 503 (search_rebuilding) and the service rebuilds the index with
-- copilot_search_rebuild_concurrently(), beside the writes and searches of every user.

-- One row while copilot_search holds every live session's title and messages. Unlogged too, so the crash recovery
-- that empties the index removes it; a rebuild removes it first and writes it last.
CREATE UNLOGGED TABLE IF NOT EXISTS copilot_search_built
(
    whole    boolean     PRIMARY KEY DEFAULT true CHECK (whole),
    built_at timestamptz NOT NULL DEFAULT now()
);

-- Until now the index was logged and kept whole by its triggers since 0010 built it: mark it whole as it turns
-- unlogged (once: a table already unlogged says nothing about its rows).
DO $upgrade$
BEGIN
    IF (SELECT relpersistence FROM pg_class WHERE oid = 'copilot_search'::regclass) = 'p' THEN
        ALTER TABLE copilot_search SET UNLOGGED;
        INSERT INTO copilot_search_built DEFAULT VALUES ON CONFLICT DO NOTHING;
    END IF;
END
$upgrade$;


-- Indexes the title of every live session that has no title row; returns how many it added.
CREATE OR REPLACE FUNCTION copilot_search_index_titles() RETURNS bigint
LANGUAGE sql
AS $function$
    WITH added AS
    (
        INSERT INTO copilot_search (session_id, message_id, user_id, persona, role, created_at, body, tsv, codes)
        SELECT id, '00000000-0000-0000-0000-000000000000', user_id, metadata ->> 'role', 'title', created_at, t.title,
               d.tsv, d.codes
        FROM copilot_sessions
        CROSS JOIN LATERAL (SELECT COALESCE(metadata ->> 'title', '') AS title) AS t
        CROSS JOIN LATERAL copilot_search_terms(t.title) AS d
        ON CONFLICT (session_id, message_id) DO NOTHING
        RETURNING 1
    )
    SELECT count(*) FROM added
$function$;


-- Marks the sessions with branches, and indexes every stored message with text (every branch: sealed pages, a legacy
-- open page, live segments) that is not indexed yet and whose session has a title row; returns how many it added.
CREATE OR REPLACE FUNCTION copilot_search_index_messages() RETURNS bigint
LANGUAGE sql
AS $function$
    UPDATE copilot_search t
    SET branched = true
    FROM (SELECT DISTINCT session_id
          FROM copilot_messages
          GROUP BY session_id, metadata ->> 'parent_id'
          HAVING count(*) > 1) b
    WHERE t.session_id = b.session_id AND t.message_id = '00000000-0000-0000-0000-000000000000' AND NOT t.branched;

    WITH added AS
    (
        INSERT INTO copilot_search (session_id, message_id, user_id, persona, role, created_at, body, tsv, codes)
        SELECT m.session_id, m.id, t.user_id, t.persona, m.role, m.created_at, m.content, d.tsv, d.codes
        FROM copilot_messages m
        JOIN copilot_search t ON t.session_id = m.session_id AND t.message_id = '00000000-0000-0000-0000-000000000000'
        CROSS JOIN LATERAL copilot_search_terms(m.content) AS d
        WHERE m.content <> ''
          AND NOT EXISTS (SELECT FROM copilot_search x WHERE x.session_id = m.session_id AND x.message_id = m.id)
        ON CONFLICT (session_id, message_id) DO NOTHING
        RETURNING 1
    )
    SELECT count(*) FROM added
$function$;


-- Removes the rows of every session that is not live (deleted or expiring); returns how many it removed.
CREATE OR REPLACE FUNCTION copilot_search_drop_dead_sessions() RETURNS bigint
LANGUAGE sql
AS $function$
    WITH removed AS
    (
        DELETE FROM copilot_search s
        WHERE NOT EXISTS (SELECT FROM copilot_sessions c WHERE c.id = s.session_id)
        RETURNING 1
    )
    SELECT count(*) FROM removed
$function$;


-- Waits until every transaction that was running when `seen` was taken has ended.
CREATE OR REPLACE FUNCTION copilot_search_wait_for(seen pg_snapshot) RETURNS void
LANGUAGE plpgsql
AS $function$
BEGIN
    WHILE EXISTS (SELECT FROM pg_snapshot_xip(seen) AS x WHERE pg_xact_status(x) = 'in progress') LOOP
        PERFORM pg_sleep(0.02);
    END LOOP;
END
$function$;


-- Empties the index and fills it again from the stored sessions, in one transaction with the table locked: searches
-- and every storage write wait until it ends. For a quiet database (psql); the service uses the procedure below.
-- Returns the rows indexed.
CREATE OR REPLACE FUNCTION copilot_search_rebuild() RETURNS bigint
LANGUAGE plpgsql
AS $function$
DECLARE
    indexed bigint;
BEGIN
    LOCK TABLE copilot_search IN ACCESS EXCLUSIVE MODE;
    TRUNCATE copilot_search, copilot_search_built;
    PERFORM copilot_search_index_titles();
    PERFORM copilot_search_index_messages();
    INSERT INTO copilot_search_built DEFAULT VALUES;
    SELECT count(*) INTO indexed FROM copilot_search;
    RETURN indexed;
END
$function$;


-- Fills the index again from the stored sessions while the service writes and searches, holding no lock longer than
-- a TRUNCATE: emptied first (a manual reindex, which recomputes every row), or kept as it is (a lost index: what the
-- triggers have indexed since the crash is right). Call it outside a transaction (CALL commits between its steps);
-- searches answer search_rebuilding until it ends. A write meanwhile is indexed by its trigger as ever, once its
-- session's title row is in; what the fill could not see is caught after it:
--   1. no row in copilot_search_built (and the index emptied, when asked);
--   2. the fill: every live session's title, then every message of those sessions;
--   3. a wait for the transactions running when the fill committed: a segment written meanwhile whose trigger found
--      no title row yet, or a delete whose trigger ran before the fill's rows were there, has ended after it;
--   4. the messages still missing (those segments), and the rows of sessions that are no longer live (those deletes);
--   5. a wait as in 3 and the dead sessions' rows once more (a delete that ran beside step 4), then the row in
--      copilot_search_built.
-- A delete that starts after a step has committed finds that step's rows and removes them itself.
CREATE OR REPLACE PROCEDURE copilot_search_rebuild_concurrently(empty_first boolean DEFAULT true)
LANGUAGE plpgsql
AS $procedure$
DECLARE
    seen pg_snapshot;
BEGIN
    DELETE FROM copilot_search_built;
    IF empty_first THEN
        TRUNCATE copilot_search;
    END IF;
    COMMIT;

    PERFORM copilot_search_index_titles();
    PERFORM copilot_search_index_messages();
    COMMIT;

    seen := pg_current_snapshot();
    PERFORM copilot_search_wait_for(seen);
    PERFORM copilot_search_index_messages();
    PERFORM copilot_search_drop_dead_sessions();
    COMMIT;

    seen := pg_current_snapshot();
    PERFORM copilot_search_wait_for(seen);
    PERFORM copilot_search_drop_dead_sessions();
    INSERT INTO copilot_search_built DEFAULT VALUES ON CONFLICT DO NOTHING;
    COMMIT;
END
$procedure$;
