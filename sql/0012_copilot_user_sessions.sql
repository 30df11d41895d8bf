-- Each user's session list, one row per session, written by the user's list grain (UserSessionsGrain) through Npgsql:
-- a create, rename, removal or activity flush writes the rows of the sessions it changed, never the whole list.
-- The list used to be one Orleans state row per user ('copilotusersessions' in orleansstorage), rewritten whole on
-- every change (about 195 bytes a session: 195 KB per change for a user with 1,000 sessions). A list still stored that
-- way is copied here by its grain when it next activates, in one transaction, and its old row is then deleted.
--
-- service_id is Orleans' service id, as orleansstorage.serviceid: each service has its own lists.
-- role is the persona's wire name (field, pm, exec); updated_at is the session's last message, which orders the list.
-- created_at_ticks and updated_at_ticks are the .NET ticks (100 ns) below the microsecond that timestamptz keeps (0-9),
-- so that the service reads back exactly the times it wrote (its list cursors carry them).
-- version counts the writes of the row and stored_at says when the last one was; the service reads neither.

CREATE TABLE IF NOT EXISTS copilot_user_sessions
(
    service_id       varchar(150) NOT NULL,
    user_id          uuid         NOT NULL,
    session_id       uuid         NOT NULL,
    title            text         NOT NULL,
    role             text         NOT NULL,
    created_at       timestamptz  NOT NULL,
    created_at_ticks smallint     NOT NULL DEFAULT 0,
    updated_at       timestamptz  NOT NULL,
    updated_at_ticks smallint     NOT NULL DEFAULT 0,
    message_count    bigint       NOT NULL,
    version          integer      NOT NULL DEFAULT 1,
    stored_at        timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT copilot_user_sessions_pk PRIMARY KEY (service_id, user_id, session_id)
);
