-- Orleans reminders (AdoNetReminderTable): one row per (service, grain, reminder name).
--
-- version is the reminder's ETag: 0 when first registered, bumped by every re-registration; a delete
-- succeeds only with the current one. grainhash is the grain's uniform hash: each silo owns a range
-- of the hash ring and re-reads its range every RefreshReminderListPeriod (5 minutes by default).

CREATE TABLE IF NOT EXISTS orleansreminderstable
(
    serviceid    varchar(150) NOT NULL,
    grainid      varchar(150) NOT NULL,
    remindername varchar(150) NOT NULL,
    starttime    timestamptz  NOT NULL,
    -- Milliseconds. bigint because 30 days (2,592,000,000 ms) is already beyond integer.
    period       bigint       NOT NULL,
    grainhash    integer      NOT NULL,
    version      integer      NOT NULL,

    CONSTRAINT pk_orleansreminderstable PRIMARY KEY (serviceid, grainid, remindername)
);

-- Keeps the periodic range reads (ReadRangeRows1Key/ReadRangeRows2Key) off a full scan.
CREATE INDEX IF NOT EXISTS ix_orleansreminderstable_grainhash
    ON orleansreminderstable (serviceid, grainhash);


INSERT INTO orleansquery (querykey, querytext)
VALUES
(
    -- Orleans sends @Period as an int when it fits and as a bigint when it does not.
    'UpsertReminderRowKey', $sql$
    INSERT INTO orleansreminderstable AS r
        (serviceid, grainid, remindername, starttime, period, grainhash, version)
    VALUES
        (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
    ON CONFLICT (serviceid, grainid, remindername) DO UPDATE
    SET starttime = EXCLUDED.starttime,
        period    = EXCLUDED.period,
        grainhash = EXCLUDED.grainhash,
        version   = r.version + 1
    RETURNING r.version AS version;
$sql$
),
(
    'ReadReminderRowsKey', $sql$
    SELECT grainid, remindername, starttime, period, version
    FROM orleansreminderstable
    WHERE serviceid = @ServiceId
      AND grainid = @GrainId;
$sql$
),
(
    'ReadReminderRowKey', $sql$
    SELECT grainid, remindername, starttime, period, version
    FROM orleansreminderstable
    WHERE serviceid = @ServiceId
      AND grainid = @GrainId
      AND remindername = @ReminderName;
$sql$
),
(
    -- A plain range of the hash ring: (BeginHash, EndHash].
    'ReadRangeRows1Key', $sql$
    SELECT grainid, remindername, starttime, period, version
    FROM orleansreminderstable
    WHERE serviceid = @ServiceId
      AND grainhash > @BeginHash
      AND grainhash <= @EndHash;
$sql$
),
(
    -- A range that wraps around the end of the ring: (BeginHash, max] plus [min, EndHash].
    'ReadRangeRows2Key', $sql$
    SELECT grainid, remindername, starttime, period, version
    FROM orleansreminderstable
    WHERE serviceid = @ServiceId
      AND (grainhash > @BeginHash OR grainhash <= @EndHash);
$sql$
),
(
    -- Returns 1 when the row with this version was deleted, 0 otherwise (stale ETag or no row).
    'DeleteReminderRowKey', $sql$
    WITH deleted AS
    (
        DELETE FROM orleansreminderstable
        WHERE serviceid = @ServiceId
          AND grainid = @GrainId
          AND remindername = @ReminderName
          AND version = @Version
        RETURNING 1
    )
    SELECT count(*)::integer AS deleted FROM deleted;
$sql$
),
(
    'DeleteReminderRowsKey', $sql$
    DELETE FROM orleansreminderstable
    WHERE serviceid = @ServiceId;
$sql$
)
ON CONFLICT (querykey) DO UPDATE
SET querytext = EXCLUDED.querytext
WHERE orleansquery.querytext IS DISTINCT FROM EXCLUDED.querytext;
