-- Notices on their way and sent (one row per recipient and channel; `key` makes asking twice
-- send nothing twice), the leases that keep a job to one server process at a time, and what each
-- job did last (see src/server/src/jobs.rs and notify.rs).
CREATE TABLE notices (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    customer TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    payload TEXT,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX notices_due ON notices (status, next_at);
CREATE INDEX notices_user ON notices (user_id, id);
CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until_at BIGINT NOT NULL);
CREATE TABLE jobs (
    name TEXT PRIMARY KEY,
    runs BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    last_start BIGINT NOT NULL,
    last_ms BIGINT NOT NULL,
    last_ok BIGINT,
    last_error TEXT
);
