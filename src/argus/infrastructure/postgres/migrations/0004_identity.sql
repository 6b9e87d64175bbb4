-- Identity (issue 10): fleets are tenants, vehicles belong to one fleet, API tokens are stored
-- as SHA-256 hashes, and every write leaves an audit row. docs/decisions/0025-access-model.md.

CREATE TABLE fleets (
    fleet_id   text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Batches written before fleets existed belong to the `default` fleet (the fleet retrieval
-- already used for them, ARGUS_FLEET_ID); an admin moves their vehicles by re-registering.
INSERT INTO fleets (fleet_id) VALUES ('default');

CREATE TABLE vehicles (
    vehicle_id text PRIMARY KEY,
    fleet_id   text NOT NULL REFERENCES fleets (fleet_id),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO vehicles (vehicle_id, fleet_id)
    SELECT DISTINCT vehicle_id, 'default' FROM batches ON CONFLICT DO NOTHING;

ALTER TABLE batches ADD COLUMN fleet_id text NOT NULL DEFAULT 'default' REFERENCES fleets (fleet_id);
ALTER TABLE batches ALTER COLUMN fleet_id DROP DEFAULT;
CREATE INDEX batches_by_fleet ON batches (fleet_id, created_at DESC);

CREATE TABLE api_tokens (
    token_id   text PRIMARY KEY,
    -- sha256(raw token) hex: a 256-bit random secret needs no slow hash (nothing to guess).
    token_hash text NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    role       text NOT NULL CHECK (role IN ('vehicle', 'engineer', 'admin')),
    fleet_id   text REFERENCES fleets (fleet_id),
    vehicle_id text REFERENCES vehicles (vehicle_id),
    name       text,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    CHECK ((role = 'admin') = (fleet_id IS NULL)),
    CHECK ((role = 'vehicle') = (vehicle_id IS NOT NULL))
);
CREATE INDEX api_tokens_by_fleet ON api_tokens (fleet_id, created_at DESC);

CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    token_id   text NOT NULL,
    role       text NOT NULL,
    fleet_id   text,
    action     text NOT NULL,
    target     text NOT NULL,
    client     text NOT NULL
);
CREATE INDEX audit_log_by_fleet ON audit_log (fleet_id, id DESC);
CREATE INDEX audit_log_by_action ON audit_log (action, id DESC);
