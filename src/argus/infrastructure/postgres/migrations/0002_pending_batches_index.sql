-- The janitor's query (BatchRepository.abandoned_uploads): pending batches, least recently
-- touched first. Partial: pending batches are few next to finished ones.
CREATE INDEX batches_pending_by_updated ON batches (updated_at) WHERE status = 'pending';
