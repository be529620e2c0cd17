-- Maillage foundation schema (SQLite). Timestamps are Unix milliseconds bound from Rust.
CREATE TABLE actors (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    username TEXT NOT NULL,
    domain TEXT NOT NULL,
    name TEXT,
    summary TEXT,
    url TEXT,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    outbox TEXT,
    followers_url TEXT,
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT,
    manually_approves_followers INTEGER NOT NULL DEFAULT 0,
    local INTEGER NOT NULL DEFAULT 0,
    published BIGINT,
    fetched_at BIGINT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX actors_local ON actors (local);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    public_id TEXT UNIQUE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    visibility TEXT NOT NULL,
    name TEXT,
    summary TEXT,
    content TEXT NOT NULL,
    url TEXT,
    in_reply_to TEXT,
    published BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    deleted_at BIGINT,
    local INTEGER NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX posts_feed ON posts (published DESC, id DESC);
CREATE INDEX posts_actor ON posts (actor_id, published DESC, id DESC);

CREATE TABLE follows (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    ap_id TEXT NOT NULL UNIQUE,
    target_id BIGINT NOT NULL UNIQUE REFERENCES actors (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE followers (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    actor_id BIGINT NOT NULL UNIQUE REFERENCES actors (id) ON DELETE CASCADE,
    follow_ap_id TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE outgoing_activities (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    json TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES outgoing_activities (id) ON DELETE CASCADE,
    inbox TEXT NOT NULL,
    host TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (activity_id, inbox)
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);

CREATE TABLE received_activities (
    ap_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    received_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
