-- Orleans ADO.NET providers: the query catalogue.
--
-- Orleans runs no SQL of its own. Each provider reads its statements from this table once, when it
-- starts, and binds named parameters (@Name) into them; so a changed query needs a silo restart.
-- Clustering and reminders fail at start-up when a key is missing, storage when one of its keys is.
-- The later scripts insert the query texts; the contract they follow (keys, parameters, returned
-- columns) is described in ../shared/ORLEANS-ADONET-POSTGRES.md.
--
-- Every script in this folder is idempotent and runs inside the migrator's transaction.

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64)   NOT NULL,
    querytext varchar(8000) NOT NULL,

    CONSTRAINT orleansquery_key PRIMARY KEY (querykey)
);
