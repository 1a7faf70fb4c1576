-- Ordering and inventory: per-store ordering settings, kitchen slot capacity, tracked stock with
-- its append-only ledger, orders with their lines and price snapshot, and the per-store order
-- activity sequence that is both an order's status history and the kitchen feed.

-- An 86 made because tracked stock reached zero is lifted when stock comes back; a manual 86 is not.
ALTER TABLE eighty_sixes ADD COLUMN reason text NOT NULL DEFAULT 'manual' CHECK (reason IN ('manual', 'sold_out'));

-- How a store takes orders. A store without a row uses the defaults below.
CREATE TABLE store_ordering_settings (
  store_id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  -- Minutes from accepting an order to it being ready; also the last-order cut-off before closing.
  prep_minutes integer NOT NULL DEFAULT 15 CHECK (prep_minutes BETWEEN 0 AND 240),
  slot_minutes integer NOT NULL DEFAULT 15 CHECK (slot_minutes IN (5, 10, 15, 20, 30, 60)),
  -- Per slot; NULL: no limit. {"orders": 5, "items": 12}
  capacity jsonb NOT NULL DEFAULT '{"orders": null, "items": null}',
  -- Channels with a capacity of their own (a separate pool), e.g. {"delivery": {"orders": 3, "items": null}}
  channel_capacity jsonb NOT NULL DEFAULT '{}',
  -- An ASAP order refused rather than promised further than this beyond the earliest ready time.
  asap_max_wait_minutes integer NOT NULL DEFAULT 60 CHECK (asap_max_wait_minutes BETWEEN 0 AND 720),
  -- How far ahead orders may be scheduled.
  schedule_days_ahead integer NOT NULL DEFAULT 7 CHECK (schedule_days_ahead BETWEEN 0 AND 60),
  auto_accept boolean NOT NULL DEFAULT false,
  -- Service charge in basis points of the discounted subtotal, on these channels, from this party size.
  service_charge_bps integer NOT NULL DEFAULT 0 CHECK (service_charge_bps BETWEEN 0 AND 5000),
  service_charge_channels text[] NOT NULL DEFAULT '{dine_in}',
  service_charge_min_items integer NOT NULL DEFAULT 0 CHECK (service_charge_min_items >= 0),
  unpaid_expiry_minutes integer NOT NULL DEFAULT 15 CHECK (unpaid_expiry_minutes BETWEEN 1 AND 1440),
  max_line_quantity integer NOT NULL DEFAULT 50 CHECK (max_line_quantity BETWEEN 1 AND 999),
  max_order_items integer NOT NULL DEFAULT 100 CHECK (max_order_items BETWEEN 1 AND 9999),
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE
);

-- Capacity taken per slot. `pool` is '*' (shared) or a channel with its own capacity.
-- Taking is one conditional upsert; the CHECKs are the backstop.
CREATE TABLE kitchen_slots (
  store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
  pool text NOT NULL,
  starts_at timestamptz NOT NULL,
  orders_taken integer NOT NULL DEFAULT 0 CHECK (orders_taken >= 0),
  items_taken integer NOT NULL DEFAULT 0 CHECK (items_taken >= 0),
  PRIMARY KEY (store_id, pool, starts_at)
);

-- Tracked stock of an item at a store. No row: not tracked (unlimited).
CREATE TABLE stock_levels (
  store_id uuid NOT NULL,
  organization_id uuid NOT NULL,
  item_id uuid NOT NULL,
  quantity integer NOT NULL CHECK (quantity >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, item_id),
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE,
  FOREIGN KEY (item_id, organization_id) REFERENCES items (id, organization_id) ON DELETE CASCADE
);

-- Every change of a stock level, append-only: per (store, item) the deltas sum to the level
-- (0 when untracked), which is what an audit checks.
CREATE TABLE stock_moves (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  store_id uuid NOT NULL,
  item_id uuid NOT NULL,
  delta integer NOT NULL CHECK (delta <> 0),
  balance_after integer NOT NULL CHECK (balance_after >= 0),
  reason text NOT NULL CHECK (reason IN ('set', 'untracked', 'order_reserved', 'order_released')),
  order_id uuid,
  actor_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE,
  FOREIGN KEY (item_id, organization_id) REFERENCES items (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX stock_moves_item_idx ON stock_moves (store_id, item_id, created_at, id);
CREATE INDEX stock_moves_order_idx ON stock_moves (order_id) WHERE order_id IS NOT NULL;

-- Append-only: corrections are new moves. Deletes are allowed only as the cascade of deleting
-- the store, item or organization (a foreign-key action runs one trigger level down).
CREATE FUNCTION stock_moves_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'stock_moves is append-only' USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER stock_moves_append_only BEFORE UPDATE OR DELETE ON stock_moves
  FOR EACH ROW EXECUTE FUNCTION stock_moves_append_only();
-- TRUNCATE fires no row triggers: without this one it would empty the ledger silently.
CREATE TRIGGER stock_moves_no_truncate BEFORE TRUNCATE ON stock_moves
  FOR EACH STATEMENT EXECUTE FUNCTION stock_moves_append_only();

-- Per store: the activity sequence (every order event gets the next number under this row's
-- lock, so numbers are gap-free and in commit order: the kitchen feed resumes from one) and the
-- day's order number counter in the store's local date.
CREATE TABLE store_order_counters (
  store_id uuid PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
  last_seq bigint NOT NULL DEFAULT 0,
  business_date date NOT NULL,
  last_number integer NOT NULL DEFAULT 0
);

CREATE TABLE orders (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  store_id uuid NOT NULL,
  -- Human-facing, per store per local day: A-001 … A-999, B-001 …
  number text NOT NULL,
  business_date date NOT NULL,
  channel text NOT NULL CHECK (channel IN ('pickup', 'delivery', 'dine_in')),
  status text NOT NULL CHECK (status IN ('placed', 'accepted', 'preparing', 'ready', 'picked_up', 'out_for_delivery',
                                         'delivered', 'completed', 'rejected', 'cancelled', 'expired')),
  -- Optimistic concurrency for transitions (the order's ETag).
  version integer NOT NULL DEFAULT 1,
  customer_id uuid REFERENCES users (id) ON DELETE SET NULL,
  -- Who placed it: 'user:<id>' or 'api_key:<id>'; with the key, the idempotency scope.
  placed_by text NOT NULL,
  idempotency_key text,
  -- A partner's id for the order, unique per organization, source and channel.
  source text NOT NULL,
  external_id text,
  table_id uuid REFERENCES dining_tables (id) ON DELETE SET NULL,
  -- {address: {...}, contact: {name, phone}} for delivery orders.
  delivery jsonb,
  scheduled_for timestamptz,
  -- When the kitchen promises the order ready; the slot it took capacity from.
  promised_at timestamptz NOT NULL,
  slot_pool text,
  slot_starts_at timestamptz,
  slot_items integer NOT NULL DEFAULT 0,
  payment_method text NOT NULL CHECK (payment_method IN ('cash', 'online')),
  payment_status text NOT NULL CHECK (payment_status IN ('not_required', 'awaiting', 'authorized', 'paid', 'voided', 'refunded')),
  -- Unpaid online orders expire at this instant.
  expires_at timestamptz,
  currency char(3) NOT NULL,
  -- The price snapshot: the full breakdown as priced at placement (pricing.ts output).
  pricing jsonb NOT NULL,
  subtotal integer NOT NULL CHECK (subtotal >= 0),
  tax integer NOT NULL CHECK (tax >= 0),
  tip integer NOT NULL DEFAULT 0 CHECK (tip >= 0),
  total integer NOT NULL CHECK (total >= 0),
  notes text,
  -- Whether capacity and stock are still held (released on cancel, reject, expire).
  holds_released boolean NOT NULL DEFAULT false,
  status_reason text,
  placed_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE,
  UNIQUE (store_id, business_date, number)
);
CREATE UNIQUE INDEX orders_external_id_key ON orders (organization_id, source, channel, external_id) WHERE external_id IS NOT NULL;
-- The business write remembers its Idempotency-Key, so a retry after a lost response finds the
-- order even when the HTTP idempotency record is gone.
CREATE UNIQUE INDEX orders_idempotency_key ON orders (store_id, placed_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- Lists: a customer's orders, a store's orders (optionally by status), newest first.
CREATE INDEX orders_customer_idx ON orders (customer_id, placed_at DESC, id DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX orders_store_idx ON orders (store_id, placed_at DESC, id DESC);
CREATE INDEX orders_store_status_idx ON orders (store_id, status, placed_at DESC, id DESC);
-- The expiry job's scan: only unpaid placed orders.
CREATE INDEX orders_expiry_idx ON orders (expires_at) WHERE status = 'placed' AND payment_status = 'awaiting';

CREATE TABLE order_lines (
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  line_no integer NOT NULL,
  item_id uuid NOT NULL,
  variant_id uuid,
  name text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  -- [{option_id, group_id, name, quantity, parent_option_id}]
  modifiers jsonb NOT NULL DEFAULT '[]',
  notes text,
  -- This line's breakdown from the price snapshot.
  total integer NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

-- An order's history and the store's kitchen feed in one: every placement and status change,
-- numbered by the store's activity sequence.
CREATE TABLE order_events (
  store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('placed', 'status_changed', 'payment_changed')),
  from_status text,
  to_status text NOT NULL,
  actor_kind text NOT NULL CHECK (actor_kind IN ('customer', 'staff', 'courier', 'system')),
  actor_id uuid,
  reason text,
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (store_id, seq)
);
CREATE INDEX order_events_order_idx ON order_events (order_id, seq);
