-- The stores of the browser's IndexedDB, one table each (see creditdesk_storage), and the
-- server's own: credentials, sessions and the refused commands.
CREATE TABLE customers (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE chunks (key TEXT PRIMARY KEY, bytes BYTEA NOT NULL);
CREATE TABLE tail (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, bytes BYTEA NOT NULL);
CREATE TABLE outbox (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    json TEXT NOT NULL
);
-- A command is applied once: its id is unique among the commands.
CREATE UNIQUE INDEX outbox_command ON outbox (record_id) WHERE entity = 'command';
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (store TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (store, key));
CREATE TABLE audit (seq BIGINT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE attachments (id TEXT PRIMARY KEY, bytes BYTEA NOT NULL);
CREATE TABLE credentials (user_id TEXT PRIMARY KEY, hash TEXT NOT NULL, changed_at BIGINT NOT NULL);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE TABLE refusals (
    command_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    at BIGINT NOT NULL
);
