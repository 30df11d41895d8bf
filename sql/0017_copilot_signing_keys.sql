-- Keys every silo of a service signs and verifies with, so that what one silo signs another accepts: today the key of
-- the signed file links (/v1/files/{id}?exp=&sig=). The first silo to start stores a random key and every later one
-- reads that row (INSERT ... ON CONFLICT DO NOTHING, then SELECT), once, before it serves. Copilot:Files:UrlSigningKey,
-- when configured, is used instead and this row is not read.
--
-- service_id is Orleans' service id, as orleansstorage.serviceid: each service has its own keys. purpose names what a
-- key signs ('file-urls'). Deleting a row makes the next silo to start generate a new key; silos already running keep
-- the old one until they restart, and links signed with the old key stop working.

CREATE TABLE IF NOT EXISTS copilot_signing_keys
(
    service_id varchar(150) NOT NULL,
    purpose    text         NOT NULL,
    key        bytea        NOT NULL CHECK (octet_length(key) >= 32),
    created_at timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT copilot_signing_keys_pk PRIMARY KEY (service_id, purpose)
);
