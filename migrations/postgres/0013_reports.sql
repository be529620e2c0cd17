-- Reports (`Flag`) received from other servers about our centre, our posts or the replies we
-- hold under them. `objects` is a JSON array of the reported ids that are ours (others are
-- not kept); `ap_id` is the Flag's id, so a re-delivery stores nothing twice.
CREATE TABLE reports (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    reporter_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    objects TEXT NOT NULL,
    comment TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by TEXT
);
CREATE INDEX reports_received ON reports (received_at);
