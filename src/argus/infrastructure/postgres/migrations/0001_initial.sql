-- Argus schema, version 1. PostgreSQL holds the facts; Redis only counts and caches.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE batches (
    batch_id       text PRIMARY KEY,
    vehicle_id     text NOT NULL,
    status         text NOT NULL CHECK (status IN ('pending', 'uploaded', 'scattering', 'gathering',
                       'diagnosing', 'completed', 'completed_with_errors', 'failed')),
    failure_reason text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 0
);
CREATE INDEX batches_by_vehicle ON batches (vehicle_id, created_at DESC);
CREATE INDEX batches_by_status ON batches (status, created_at DESC);
CREATE INDEX batches_by_created ON batches (created_at DESC);

CREATE TABLE files (
    file_id        text PRIMARY KEY,
    batch_id       text NOT NULL REFERENCES batches (batch_id) ON DELETE CASCADE,
    name           text NOT NULL,
    size           bigint NOT NULL CHECK (size >= 0),
    sha256         text NOT NULL,
    blob_key       text NOT NULL,
    status         text NOT NULL CHECK (status IN ('uploaded', 'parsing', 'parsed', 'failed')),
    failure_reason text,
    summary_key    text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (batch_id, name)
);
CREATE INDEX files_by_batch_status ON files (batch_id, status);

CREATE TABLE reports (
    batch_id   text PRIMARY KEY REFERENCES batches (batch_id) ON DELETE CASCADE,
    summary    jsonb NOT NULL,
    anomalies  jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ai_diagnoses (
    id         bigserial PRIMARY KEY,
    batch_id   text NOT NULL UNIQUE REFERENCES batches (batch_id) ON DELETE CASCADE,
    component  text NOT NULL,
    severity   text NOT NULL,
    root_cause text NOT NULL,
    diagnosis  jsonb NOT NULL,
    engine     text NOT NULL,
    -- Filled by the retrieval-augmented diagnoser (similar past diagnoses); NULL offline.
    embedding  vector(384),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    event_id      text NOT NULL UNIQUE,
    event_type    text NOT NULL,
    family        text NOT NULL,
    partition_key text NOT NULL,
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('argus_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

CREATE TABLE processed_events (
    consumer     text NOT NULL,
    event_id     text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
