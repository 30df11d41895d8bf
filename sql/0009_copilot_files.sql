-- The images users send: one row per stored image, written once, beside (never inside) the grain rows.
--
-- Bytes live here rather than in a session's segment rows: a segment row is rewritten whenever its slot is reused
-- and read back with every page of history, and a 300 KB image in it would be copied into WAL, into every history
-- read and into the grain's memory. Here an image is written once (its WAL is its own size once), read only when
-- served or sent to the model, and shared by every message of its owner that refers to it.
--
-- bytes and thumbnail are already compressed (JPEG, PNG): STORAGE EXTERNAL keeps PostgreSQL from trying again.

CREATE TABLE IF NOT EXISTS copilot_files (
    id                   uuid        PRIMARY KEY,
    owner_id             uuid        NOT NULL,
    content_hash         text        NOT NULL,
    media_type           text        NOT NULL,
    size_bytes           integer     NOT NULL,
    width                integer     NOT NULL,
    height               integer     NOT NULL,
    bytes                bytea       NOT NULL,
    thumbnail            bytea       NOT NULL,
    thumbnail_media_type text        NOT NULL,
    captured_at          timestamptz NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ux_copilot_files_owner_hash UNIQUE (owner_id, content_hash)
);

ALTER TABLE copilot_files ALTER COLUMN bytes SET STORAGE EXTERNAL;
ALTER TABLE copilot_files ALTER COLUMN thumbnail SET STORAGE EXTERNAL;

-- Which sessions refer to a file: a file is deleted with the last session that refers to it.
CREATE TABLE IF NOT EXISTS copilot_file_refs (
    file_id    uuid NOT NULL REFERENCES copilot_files (id) ON DELETE CASCADE,
    session_id uuid NOT NULL,
    owner_id   uuid NOT NULL,
    PRIMARY KEY (file_id, session_id)
);

CREATE INDEX IF NOT EXISTS ix_copilot_file_refs_session ON copilot_file_refs (session_id, owner_id);
