-- The devices that sync, as they name themselves (their client id), the session each last used,
-- and the ones an administrator reported lost (they are told to erase their data at their next
-- contact, and that session ends).
CREATE TABLE devices (
    client TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    session_hash TEXT NOT NULL,
    agent TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    lost_at BIGINT,
    lost_by TEXT,
    wiped_at BIGINT
);
