-- Replies from anyone to our posts (moderated by staff), mentions of the centre, and domain
-- blocks.
ALTER TABLE posts ADD COLUMN hidden_at BIGINT;
CREATE INDEX posts_replies ON posts (in_reply_to, published);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    object_ap_id TEXT NOT NULL,
    in_reply_to TEXT,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, object_ap_id)
);

CREATE TABLE domain_blocks (
    domain TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);
