-- Staff notices (issue 17, ADR 0032): which kitchen feeds are open, so a new order is mailed to the
-- store's staff only when no tablet shows it; and the level at which an item's stock counts as low.

-- One row per open kitchen feed (GET /v1/stores/{storeId}/orders/stream), on whichever api
-- process serves it. The process refreshes seen_at while the stream is open and deletes the row
-- when it closes; a process that dies leaves a row whose seen_at stops moving, so a feed counts
-- as open only while seen_at is recent.
CREATE TABLE kitchen_feed_presence (
  id uuid PRIMARY KEY,
  store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
  opened_at timestamptz NOT NULL DEFAULT now(),
  seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kitchen_feed_presence_store_idx ON kitchen_feed_presence (store_id, seen_at);

-- At or below this many portions the store's managers hear the item runs low, once per crossing
-- (when an order takes the level from above it to at or below it). Null: no alert.
ALTER TABLE stock_levels
  ADD COLUMN low_stock_at integer CHECK (low_stock_at >= 0);
