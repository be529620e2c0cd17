-- Articles and events: event times (Unix milliseconds, UTC), the event's IANA time zone, its
-- status, an iCalendar SEQUENCE bumped on every edit, and hashtags for filtering.
ALTER TABLE posts ADD COLUMN start_at BIGINT;
ALTER TABLE posts ADD COLUMN end_at BIGINT;
ALTER TABLE posts ADD COLUMN timezone TEXT;
ALTER TABLE posts ADD COLUMN event_status TEXT;
ALTER TABLE posts ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;
CREATE INDEX posts_calendar ON posts (start_at, id);

CREATE TABLE post_tags (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (post_id, tag)
);
CREATE INDEX post_tags_tag ON post_tags (tag, post_id);
