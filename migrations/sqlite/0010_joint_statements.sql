-- Joint statements. The drafting side: statements with their versions (each version's
-- contentDigest is what co-signers sign), the invitations sent and the signatures collected
-- (only after fetching and checking each one on its signer's own server). The signing side:
-- invitations received and the signatures this centre made. Each actor's Ed25519 assertion
-- keys (FEP-521a Multikeys) sign and verify them; a small key/value table holds settings.
ALTER TABLE actors ADD COLUMN assertion_private_key TEXT;
ALTER TABLE actors ADD COLUMN assertion_keys TEXT NOT NULL DEFAULT '[]';

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    ap_id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    source TEXT NOT NULL,
    content TEXT NOT NULL,
    language TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    deadline BIGINT,
    deadline_notified_at BIGINT,
    version BIGINT NOT NULL,
    digest TEXT NOT NULL,
    state TEXT NOT NULL,
    post_id BIGINT REFERENCES posts (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT
);

CREATE TABLE statement_versions (
    statement_id BIGINT NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    digest TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (statement_id, version)
);

CREATE TABLE statement_invitations (
    id INTEGER PRIMARY KEY,
    statement_id BIGINT NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    invite_ap_id TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (statement_id, actor_id)
);

CREATE TABLE statement_signatures (
    id INTEGER PRIMARY KEY,
    statement_id BIGINT NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    signature_url TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL,
    digest TEXT NOT NULL,
    state TEXT NOT NULL,
    json TEXT NOT NULL,
    error TEXT,
    verified_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (statement_id, actor_id)
);

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    statement_ap_id TEXT NOT NULL UNIQUE,
    from_actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    invite_ap_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    digest TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    content TEXT NOT NULL,
    language TEXT,
    invitees TEXT NOT NULL DEFAULT '[]',
    signatories TEXT NOT NULL DEFAULT '[]',
    deadline BIGINT,
    state TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE signatures (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    ap_id TEXT NOT NULL UNIQUE,
    invitation_id BIGINT NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    statement_ap_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    digest TEXT NOT NULL,
    json TEXT NOT NULL,
    state TEXT NOT NULL,
    announce_ap_id TEXT,
    created_at BIGINT NOT NULL,
    withdrawn_at BIGINT
);
CREATE INDEX signatures_statement ON signatures (statement_ap_id);
