-- Per-host delivery health for the circuit breaker. Timestamps are Unix milliseconds.
CREATE TABLE hosts (
    host TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    first_failure_at BIGINT,
    last_failure_at BIGINT,
    last_success_at BIGINT,
    next_probe_at BIGINT,
    last_error TEXT,
    updated_at BIGINT NOT NULL
);

CREATE INDEX deliveries_host ON deliveries (host, status);
CREATE INDEX deliveries_status_id ON deliveries (status, id);
