-- Orleans grain storage (AdoNetGrainStorage): one row per grain and state name.
--
-- Identity of a row: service id, grain id (hash, two 64-bit halves, optional string extension) and
-- graintypestring, which holds the *state name*. Orleans hashes the grain id and state name into
-- grainidhash and graintypehash; the other columns settle hash collisions.
--
-- version is the ETag Orleans hands to the grain. Every write says which version it last saw
-- (@GrainStateVersion, null when it saw no row) and succeeds only if that is still the stored one.
-- Orleans decides success from the value it gets back: the same version it sent, or null/empty,
-- means "nothing changed" and becomes an InconsistentStateException. So the write functions below
-- always return one row, and on a conflict they return the caller's own version, never the stored
-- one: a different number would be taken as success and the write would be silently lost.

CREATE TABLE IF NOT EXISTS orleansstorage
(
    grainidhash            integer      NOT NULL,
    grainidn0              bigint       NOT NULL,
    grainidn1              bigint       NOT NULL,
    graintypehash          integer      NOT NULL,
    graintypestring        varchar(512) NOT NULL,
    grainidextensionstring varchar(512) NULL,
    serviceid              varchar(150) NOT NULL,
    -- The serialized state. With System.Text.Json it is UTF-8 JSON (see 0005_copilot_views.sql).
    -- NULL after a clear.
    payloadbinary          bytea        NULL,
    modifiedon             timestamptz  NOT NULL DEFAULT now(),
    version                integer      NULL
);

-- The stock Orleans lookup index.
CREATE INDEX IF NOT EXISTS ix_orleansstorage
    ON orleansstorage (grainidhash, graintypehash);

-- The stock script has no uniqueness, so two activations racing on a first write could both insert,
-- and every later read would then fail ("Sequence contains more than one element"). A missing
-- extension and an empty one name the same grain, hence the COALESCE; the queries below compare
-- with the same expression so that they use this index.
CREATE UNIQUE INDEX IF NOT EXISTS ux_orleansstorage_identity
    ON orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
                       (COALESCE(grainidextensionstring, '')), serviceid);


-- Write a grain state. Returns the new version: 1 for a first write, old + 1 for an update.
-- On a conflict nothing changes and the caller's version comes back (null for a first write).
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
        -- The grain saw no row. If one exists, or another activation is inserting it right now,
        -- the unique index makes this a no-op (a racing insert waits for the other transaction
        -- rather than failing) and NULL comes back: a conflict, not a database error.
        INSERT INTO orleansstorage
            (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
             grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
        VALUES
            (p_grainidhash, p_grainidn0, p_grainidn1, p_graintypehash, p_graintypestring,
             p_grainidextensionstring, p_serviceid, p_payloadbinary, now(), 1)
        ON CONFLICT DO NOTHING
        RETURNING version INTO new_version;

        RETURN new_version;
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


-- Clear a grain state (the default ClearStateAsync): keep the row, drop the payload, bump the
-- version so a stale activation cannot write over the clear. Same return rules as the write, so
-- clearing a state that was never written (no row, version null) is a conflict, as in stock Orleans:
-- grains should not clear a state whose RecordExists is false.
CREATE OR REPLACE FUNCTION orleans_storage_clear(
    p_grainidhash            integer,
    p_grainidn0              bigint,
    p_grainidn1              bigint,
    p_graintypehash          integer,
    p_graintypestring        text,
    p_grainidextensionstring text,
    p_serviceid              text,
    p_grainstateversion      integer)
RETURNS integer
LANGUAGE plpgsql
AS $function$
DECLARE
    new_version integer;
BEGIN
    UPDATE orleansstorage
    SET payloadbinary = NULL,
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


-- Delete a grain state row (ClearStateAsync with DeleteStateOnClear = true). Returns old + 1 when
-- the row with the caller's version was deleted, otherwise the caller's version (a conflict).
CREATE OR REPLACE FUNCTION orleans_storage_delete(
    p_grainidhash            integer,
    p_grainidn0              bigint,
    p_grainidn1              bigint,
    p_graintypehash          integer,
    p_graintypestring        text,
    p_grainidextensionstring text,
    p_serviceid              text,
    p_grainstateversion      integer)
RETURNS integer
LANGUAGE plpgsql
AS $function$
BEGIN
    DELETE FROM orleansstorage
    WHERE grainidhash = p_grainidhash
      AND grainidn0 = p_grainidn0
      AND grainidn1 = p_grainidn1
      AND graintypehash = p_graintypehash
      AND graintypestring = p_graintypestring
      AND COALESCE(grainidextensionstring, '') = COALESCE(p_grainidextensionstring, '')
      AND serviceid = p_serviceid
      AND version = p_grainstateversion;

    IF FOUND THEN
        RETURN p_grainstateversion + 1;
    END IF;
    RETURN p_grainstateversion;
END
$function$;


INSERT INTO orleansquery (querykey, querytext)
VALUES
(
    'ReadFromStorageKey', $sql$
    SELECT payloadbinary, version
    FROM orleansstorage
    WHERE grainidhash = @GrainIdHash
      AND grainidn0 = @GrainIdN0
      AND grainidn1 = @GrainIdN1
      AND graintypehash = @GrainTypeHash
      AND graintypestring = @GrainTypeString
      AND COALESCE(grainidextensionstring, '') = COALESCE(@GrainIdExtensionString, '')
      AND serviceid = @ServiceId;
$sql$
),
(
    'WriteToStorageKey', $sql$
    SELECT orleans_storage_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary) AS newgrainstateversion;
$sql$
),
(
    'ClearStorageKey', $sql$
    SELECT orleans_storage_clear(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @GrainStateVersion) AS newgrainstateversion;
$sql$
),
(
    'DeleteStorageKey', $sql$
    SELECT orleans_storage_delete(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @GrainStateVersion) AS newgrainstateversion;
$sql$
)
ON CONFLICT (querykey) DO UPDATE
SET querytext = EXCLUDED.querytext
WHERE orleansquery.querytext IS DISTINCT FROM EXCLUDED.querytext;
