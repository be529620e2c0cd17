-- Likes and boosts (Announce) of our posts by remote actors.
CREATE TABLE reactions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    ap_id TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    UNIQUE (post_id, actor_id, kind)
);
CREATE INDEX reactions_actor ON reactions (actor_id);
