-- Allowlist mode: the only domains that may follow us, deliver to us, or be fetched.
CREATE TABLE domain_allows (
    domain TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);
