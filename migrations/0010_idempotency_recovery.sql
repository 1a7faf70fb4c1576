-- Atomic phases (ADR 0018): a route whose write must never run twice records, in its own
-- business transaction, where a retry should resume ({"order_id": "…"}). A retry that takes
-- over the dead claim gets this back instead of running the write again. NULL: nothing committed.
ALTER TABLE idempotency_keys ADD COLUMN recovery_point jsonb;
