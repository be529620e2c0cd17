-- Participants of our events (Mobilizon's Join/Leave). One live participation per (event,
-- actor); a Leave removes the row.
CREATE TABLE participants (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('accepted', 'pending', 'rejected')),
    join_ap_id TEXT NOT NULL UNIQUE,
    message TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    UNIQUE (post_id, actor_id)
);
CREATE INDEX participants_actor ON participants (actor_id);

-- Our centre's participation in other servers' events (the Joins we send); the organiser's
-- Accept or Reject sets the state.
CREATE TABLE participations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    event_ap_id TEXT NOT NULL UNIQUE,
    organiser_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    join_ap_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('accepted', 'pending', 'rejected')),
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
