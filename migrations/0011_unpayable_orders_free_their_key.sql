-- An order cancelled at placement because its payment could not be opened
-- (status_reason 'payment_unavailable') was answered with a 503: the client never learned of it.
-- Its Idempotency-Key and external id must not name it any more, so that the retry places the
-- order again instead of finding this one (issue 21, ADR 0018). The row stays for the books.
DROP INDEX orders_external_id_key;
CREATE UNIQUE INDEX orders_external_id_key ON orders (organization_id, source, channel, external_id)
  WHERE external_id IS NOT NULL AND status_reason IS DISTINCT FROM 'payment_unavailable';
DROP INDEX orders_idempotency_key;
CREATE UNIQUE INDEX orders_idempotency_key ON orders (store_id, placed_by, idempotency_key)
  WHERE idempotency_key IS NOT NULL AND status_reason IS DISTINCT FROM 'payment_unavailable';
