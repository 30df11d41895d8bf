-- Orleans cluster membership (AdoNetClusteringTable, AdoNetGatewayListProvider).
--
-- Per deployment (the Orleans ClusterId) there is one version row and one row per silo incarnation
-- (address, port, generation). Orleans' membership protocol changes a member row only together with
-- the version row, and only if the version row still holds the version the silo last read; that
-- single optimistic lock orders every membership change in the cluster. Heartbeats (IAmAliveTime)
-- are the exception: a silo writes its own heartbeat without touching the version.
--
-- Status values are Orleans' SiloStatus: 3 = Active, 6 = Dead.

CREATE TABLE IF NOT EXISTS orleansmembershipversiontable
(
    deploymentid varchar(150) NOT NULL,
    timestamp    timestamptz  NOT NULL DEFAULT now(),
    version      integer      NOT NULL DEFAULT 0,

    CONSTRAINT pk_orleansmembershipversiontable PRIMARY KEY (deploymentid)
);

CREATE TABLE IF NOT EXISTS orleansmembershiptable
(
    deploymentid varchar(150)  NOT NULL,
    address      varchar(45)   NOT NULL,
    port         integer       NOT NULL,
    generation   integer       NOT NULL,
    siloname     varchar(150)  NOT NULL,
    hostname     varchar(150)  NOT NULL,
    status       integer       NOT NULL,
    proxyport    integer       NULL,
    -- Votes of other silos: "silo-address,time|silo-address,time", as Orleans formats them.
    suspecttimes varchar(8000) NULL,
    starttime    timestamptz   NOT NULL,
    iamalivetime timestamptz   NOT NULL,

    CONSTRAINT pk_orleansmembershiptable PRIMARY KEY (deploymentid, address, port, generation),
    CONSTRAINT fk_orleansmembershiptable_version FOREIGN KEY (deploymentid)
        REFERENCES orleansmembershipversiontable (deploymentid)
);


-- Insert a member row and bump the version row, both or neither. Returns 1 on success, 0 when the
-- version row no longer holds p_version or the member row already exists.
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deploymentid text,
    p_address      text,
    p_port         integer,
    p_generation   integer,
    p_siloname     text,
    p_hostname     text,
    p_status       integer,
    p_proxyport    integer,
    p_starttime    timestamptz,
    p_iamalivetime timestamptz,
    p_version      integer)
RETURNS integer
LANGUAGE plpgsql
AS $function$
BEGIN
    -- Lock the version row while it still holds the expected version. A concurrent writer that
    -- expected the same version waits here, then finds the bumped version and gets 0.
    PERFORM 1
    FROM orleansmembershipversiontable
    WHERE deploymentid = p_deploymentid
      AND version = p_version
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    INSERT INTO orleansmembershiptable
        (deploymentid, address, port, generation, siloname, hostname, status, proxyport,
         starttime, iamalivetime)
    VALUES
        (p_deploymentid, p_address, p_port, p_generation, p_siloname, p_hostname, p_status,
         p_proxyport, p_starttime, p_iamalivetime)
    ON CONFLICT (deploymentid, address, port, generation) DO NOTHING;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE orleansmembershipversiontable
    SET version   = version + 1,
        timestamp = now()
    WHERE deploymentid = p_deploymentid;

    RETURN 1;
END
$function$;


-- Update a member row's status, suspicions and heartbeat and bump the version row, both or
-- neither. Returns 1 on success, 0 when the version does not match or the member row is gone.
CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deploymentid text,
    p_address      text,
    p_port         integer,
    p_generation   integer,
    p_status       integer,
    p_suspecttimes text,
    p_iamalivetime timestamptz,
    p_version      integer)
RETURNS integer
LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM 1
    FROM orleansmembershipversiontable
    WHERE deploymentid = p_deploymentid
      AND version = p_version
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    -- GREATEST: the row may already carry a newer heartbeat written by UpdateIAmAlivetimeKey after
    -- this update's entry was read; a membership update must not move it back.
    UPDATE orleansmembershiptable
    SET status       = p_status,
        suspecttimes = p_suspecttimes,
        iamalivetime = GREATEST(iamalivetime, p_iamalivetime)
    WHERE deploymentid = p_deploymentid
      AND address = p_address
      AND port = p_port
      AND generation = p_generation;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE orleansmembershipversiontable
    SET version   = version + 1,
        timestamp = now()
    WHERE deploymentid = p_deploymentid;

    RETURN 1;
END
$function$;


INSERT INTO orleansquery (querykey, querytext)
VALUES
(
    -- Returns 1 when this call created the deployment's version row, 0 when it already existed.
    'InsertMembershipVersionKey', $sql$
    WITH inserted AS
    (
        INSERT INTO orleansmembershipversiontable (deploymentid)
        VALUES (@DeploymentId)
        ON CONFLICT (deploymentid) DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::integer AS inserted FROM inserted;
$sql$
),
(
    'InsertMembershipKey', $sql$
    SELECT orleans_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
        @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS inserted;
$sql$
),
(
    'UpdateMembershipKey', $sql$
    SELECT orleans_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status,
        @SuspectTimes, @IAmAliveTime, @Version) AS updated;
$sql$
),
(
    -- The silo's own heartbeat; not version-checked and never moved back in time.
    'UpdateIAmAlivetimeKey', $sql$
    UPDATE orleansmembershiptable
    SET iamalivetime = GREATEST(iamalivetime, @IAmAliveTime)
    WHERE deploymentid = @DeploymentId
      AND address = @Address
      AND port = @Port
      AND generation = @Generation;
$sql$
),
(
    -- The version row comes back even when the member does not exist (then starttime is null,
    -- which Orleans reads as "no entry"): Orleans needs the version to insert that member.
    'MembershipReadRowKey', $sql$
    SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status,
           m.proxyport, m.suspecttimes, m.starttime, m.iamalivetime, v.version
    FROM orleansmembershipversiontable v
    LEFT JOIN orleansmembershiptable m
           ON m.deploymentid = v.deploymentid
          AND m.address = @Address
          AND m.port = @Port
          AND m.generation = @Generation
    WHERE v.deploymentid = @DeploymentId;
$sql$
),
(
    'MembershipReadAllKey', $sql$
    SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status,
           m.proxyport, m.suspecttimes, m.starttime, m.iamalivetime, v.version
    FROM orleansmembershipversiontable v
    LEFT JOIN orleansmembershiptable m
           ON m.deploymentid = v.deploymentid
    WHERE v.deploymentid = @DeploymentId;
$sql$
),
(
    'DeleteMembershipTableEntriesKey', $sql$
    DELETE FROM orleansmembershiptable WHERE deploymentid = @DeploymentId;
    DELETE FROM orleansmembershipversiontable WHERE deploymentid = @DeploymentId;
$sql$
),
(
    -- Used by clients to find gateways: @Status is Active.
    'GatewaysQueryKey', $sql$
    SELECT address, proxyport, generation
    FROM orleansmembershiptable
    WHERE deploymentid = @DeploymentId
      AND status = @Status
      AND proxyport > 0;
$sql$
),
(
    -- Bulk cleanup of Dead members whose start and last heartbeat are both before the cutoff.
    -- Rows carrying suspicion votes are left to CleanupDefunctSiloEntryKey, which Orleans calls
    -- per row after checking that the votes are old too.
    'CleanupDefunctSiloEntriesKey', $sql$
    DELETE FROM orleansmembershiptable
    WHERE deploymentid = @DeploymentId
      AND status = 6
      AND iamalivetime < @IAmAliveTime
      AND starttime < @IAmAliveTime
      AND COALESCE(suspecttimes, '') = '';
$sql$
),
(
    -- Delete one Dead member, but only if the row still holds the values Orleans read, so a row
    -- changed in the meantime survives. Does not bump the version (a Dead row is inert).
    'CleanupDefunctSiloEntryKey', $sql$
    DELETE FROM orleansmembershiptable
    WHERE deploymentid = @DeploymentId
      AND address = @Address
      AND port = @Port
      AND generation = @Generation
      AND status = 6
      AND starttime = @StartTime
      AND iamalivetime = @IAmAliveTime
      AND COALESCE(suspecttimes, '') = COALESCE(@SuspectTimes, '');
$sql$
)
ON CONFLICT (querykey) DO UPDATE
SET querytext = EXCLUDED.querytext
WHERE orleansquery.querytext IS DISTINCT FROM EXCLUDED.querytext;
