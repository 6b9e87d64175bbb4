-- Which embedder made each stored vector (ARGUS_EMBEDDER: hashed, minilm, openai/<model>).
-- Vectors of different embedders share the column's width but not its meaning: retrieval
-- compares a new batch only with vectors of its own embedder. Before this migration only the
-- hashed embedder existed, so the vectors already stored are its.
ALTER TABLE ai_diagnoses ADD COLUMN embedder text;
UPDATE ai_diagnoses SET embedder = 'hashed' WHERE embedding IS NOT NULL;
