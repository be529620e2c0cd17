-- One row that /healthz rewrites, to prove that the database still accepts writes.
CREATE TABLE health_checks (
    id BIGINT PRIMARY KEY,
    checked_at BIGINT NOT NULL
);
