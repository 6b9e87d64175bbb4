-- Retrieval of similar past incidents (pgvector) and engineers' feedback on diagnoses.

-- The fleet a diagnosis belongs to: retrieval never crosses fleets. There are no fleets yet
-- (issue 10 adds them): every diagnosis takes ARGUS_FLEET_ID, default 'default'.
ALTER TABLE ai_diagnoses ADD COLUMN fleet_id text NOT NULL DEFAULT 'default';

-- Nearest neighbours by cosine distance (`embedding <=> $1`); rows without an embedding are
-- not indexed. HNSW: no training step, so it is right from the first row on.
CREATE INDEX ai_diagnoses_embedding_hnsw ON ai_diagnoses
    USING hnsw (embedding vector_cosine_ops);

-- One feedback per diagnosed batch; the latest one wins (upsert).
CREATE TABLE diagnosis_feedback (
    batch_id   text PRIMARY KEY REFERENCES ai_diagnoses (batch_id) ON DELETE CASCADE,
    verdict    text NOT NULL CHECK (verdict IN ('confirmed', 'corrected')),
    component  text,
    root_cause text,
    severity   text,
    note       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
