-- Leaner grain-storage writes: what a turn's two row inserts cost PostgreSQL in WAL and work.
--
-- 1. ix_orleansstorage (grainidhash, graintypehash), from Orleans' stock script, is dropped. Every
--    storage query names the whole row identity, which ux_orleansstorage_identity (0002) holds with
--    grainidhash first, so the planner answers them all from the unique index; the views and the
--    expiry sweep read by state name and scan either way. The second index only cost each inserted
--    row a second index entry (about 60 bytes of WAL) and its upkeep.
--
-- 2. A first write (no version seen) inserts in a block that catches unique_violation, instead of
--    INSERT ... ON CONFLICT DO NOTHING. Both make a racing insert wait for the other transaction and
--    then report a conflict (NULL); but a speculative insertion logs a confirmation record for every
--    row it inserts, which the plain insert does not (about 50 bytes of WAL per row). The block is
--    a subtransaction, which costs a few bytes in the commit record instead.

-- (From this release on, a new session also reuses its segment rows, header field segment_slots:
-- segment n is written over row n % segment_slots, whose segment was folded into a sealed page, by
-- the UPDATE branch below. The views of 0006 already tell a live segment by the segment_number in
-- its payload, so they need no change.)

DROP INDEX IF EXISTS ix_orleansstorage;

CREATE OR REPLACE FUNCTION orleans_storage_write(
    p_grainidhash            integer,
    p_grainidn0              bigint,
    p_grainidn1              bigint,
    p_graintypehash          integer,
    p_graintypestring        text,
    p_grainidextensionstring text,
    p_serviceid              text,
    p_grainstateversion      integer,
    p_payloadbinary          bytea)
RETURNS integer
LANGUAGE plpgsql
AS $function$
DECLARE
    new_version integer;
BEGIN
    IF p_grainstateversion IS NULL THEN
        -- The grain saw no row. If one exists, or another activation is inserting it right now, the
        -- unique index raises unique_violation (a racing insert first waits for the other
        -- transaction) and NULL comes back: a conflict, not a database error.
        BEGIN
            INSERT INTO orleansstorage
                (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
                 grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
            VALUES
                (p_grainidhash, p_grainidn0, p_grainidn1, p_graintypehash, p_graintypestring,
                 p_grainidextensionstring, p_serviceid, p_payloadbinary, now(), 1);
            RETURN 1;
        EXCEPTION WHEN unique_violation THEN
            RETURN NULL;
        END;
    END IF;

    UPDATE orleansstorage
    SET payloadbinary = p_payloadbinary,
        modifiedon    = now(),
        version       = version + 1
    WHERE grainidhash = p_grainidhash
      AND grainidn0 = p_grainidn0
      AND grainidn1 = p_grainidn1
      AND graintypehash = p_graintypehash
      AND graintypestring = p_graintypestring
      AND COALESCE(grainidextensionstring, '') = COALESCE(p_grainidextensionstring, '')
      AND serviceid = p_serviceid
      AND version = p_grainstateversion
    RETURNING version INTO new_version;

    RETURN COALESCE(new_version, p_grainstateversion);
END
$function$;
