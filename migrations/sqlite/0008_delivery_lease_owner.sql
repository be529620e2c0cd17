-- The worker that holds a delivery's lease, so that it can extend all its leases at once
-- (heartbeat) and hand them back on shutdown.
ALTER TABLE deliveries ADD COLUMN lease_owner TEXT;
CREATE INDEX deliveries_lease_owner ON deliveries (lease_owner);
CREATE INDEX deliveries_leased ON deliveries (status, lease_until);
