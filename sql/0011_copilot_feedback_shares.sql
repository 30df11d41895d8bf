-- Feedback on replies and read-only share links: the service's own tables, written by Npgsql directly (not grain
-- state), each row owned by one session, which writes and deletes it under its write lock.

-- The owner's feedback on a reply: one row per rated reply, replaced when rated again, deleted when cleared and with
-- its session or user. reply and question are copies of the rated reply's text and of the message it answered, taken
-- when the feedback was given (messages are written once, so the copies never go stale), for the admin query.
CREATE TABLE IF NOT EXISTS copilot_feedback
(
    session_id uuid        NOT NULL,
    message_id uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    persona    text        NOT NULL,
    model      text,
    rating     text        NOT NULL CHECK (rating IN ('up', 'down')),
    reason     text,
    comment    text,
    reply      text        NOT NULL,
    question   text,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (session_id, message_id)
);

CREATE INDEX IF NOT EXISTS copilot_feedback_updated_at ON copilot_feedback (updated_at);
CREATE INDEX IF NOT EXISTS copilot_feedback_user_id ON copilot_feedback (user_id);

-- A share link's snapshot: the active path when it was made, immutable. id is the SHA-256 of the link's token
-- (base64url); the token itself is never stored. Revoking deletes the row, and every read goes to this table, so a
-- revoked or expired share answers 404 on every silo at once.
CREATE TABLE IF NOT EXISTS copilot_shares
(
    id         text        PRIMARY KEY,
    session_id uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    title      text        NOT NULL,
    persona    text        NOT NULL,
    snapshot   jsonb       NOT NULL
);

CREATE INDEX IF NOT EXISTS copilot_shares_session_id ON copilot_shares (session_id);
CREATE INDEX IF NOT EXISTS copilot_shares_user_id ON copilot_shares (user_id);
CREATE INDEX IF NOT EXISTS copilot_shares_expires_at ON copilot_shares (expires_at);
