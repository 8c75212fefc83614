-- The ERP link (src/server/src/erp.rs): API keys (only the SHA-256 of each secret is kept), every
-- call made with one, and the ERP's document numbers with the CreditDesk record each became and
-- every version the ERP posted.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL,
    acts_as TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE TABLE api_calls (
    key_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status BIGINT NOT NULL,
    micros BIGINT NOT NULL
);
CREATE INDEX api_calls_key ON api_calls (key_id, at);
CREATE TABLE erp_refs (
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (kind, number)
);
CREATE TABLE erp_history (
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    at BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX erp_history_doc ON erp_history (kind, number, at);
-- Outgoing webhooks to the ERP: where to post which events (holds, releases, limit changes),
-- signed with the secret (HMAC-SHA256); deliveries go through the notices table.
CREATE TABLE erp_hooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
