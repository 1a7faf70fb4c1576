-- Delivery zones, held quotes and the terms an order was placed on (issue 15, part A; ADR 0033).

-- A zone is versioned like a price: an edit closes the current row (superseded_at) and inserts the
-- next version, so an order and a held quote keep pointing at the terms they were priced on. A
-- removed zone has no current row. Amounts are minor units of the store's currency.
CREATE TABLE delivery_zones (
  id uuid NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  organization_id uuid NOT NULL,
  store_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- Higher wins where zones overlap (the inner ring of a store's delivery area).
  priority integer NOT NULL CHECK (priority BETWEEN -1000 AND 1000),
  -- {type: circle, radius_m} | {type: polygon, coordinates} (GeoJSON, [lng, lat]); checked on write.
  area jsonb NOT NULL CHECK (area ->> 'type' IN ('circle', 'polygon')),
  -- {type: fixed, amount} | {type: distance_tiers, tiers} | {type: basket_tiers, tiers}.
  fee jsonb NOT NULL CHECK (fee ->> 'type' IN ('fixed', 'distance_tiers', 'basket_tiers')),
  free_above bigint CHECK (free_above > 0),
  minimum_order bigint NOT NULL CHECK (minimum_order >= 0),
  -- Minutes between the order being ready and the courier leaving (pick-up, handover).
  eta_allowance_minutes integer NOT NULL CHECK (eta_allowance_minutes BETWEEN 0 AND 240),
  -- Weekly windows on the store's wall clock when the zone is in force; null: whenever the store is.
  hours jsonb,
  -- When the zone (its first version) was drawn: the last tie-break between equal zones.
  created_at timestamptz NOT NULL,
  valid_from timestamptz NOT NULL,
  superseded_at timestamptz,
  PRIMARY KEY (id, version),
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT delivery_zones_superseded_after CHECK (superseded_at IS NULL OR superseded_at >= valid_from)
);
-- At most one version of a zone is in force.
CREATE UNIQUE INDEX delivery_zones_current_idx ON delivery_zones (id) WHERE superseded_at IS NULL;
-- What a quote reads: the store's zones in force.
CREATE INDEX delivery_zones_store_idx ON delivery_zones (store_id) WHERE superseded_at IS NULL;

-- The fee and ETA a customer was shown, held until expires_at. Placement honours a live one for
-- the same place and basket; the purge job deletes them a day after they expire.
CREATE TABLE delivery_quotes (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  store_id uuid NOT NULL,
  -- Who asked (null: a guest); another customer's quote is not honoured.
  customer_id uuid,
  zone_id uuid NOT NULL,
  zone_version integer NOT NULL,
  location_lat double precision NOT NULL CHECK (location_lat BETWEEN -90 AND 90),
  location_lng double precision NOT NULL CHECK (location_lng BETWEEN -180 AND 180),
  -- The food subtotal the fee was worked out for.
  basket_value bigint NOT NULL CHECK (basket_value >= 0),
  fee bigint NOT NULL CHECK (fee >= 0),
  eta timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE,
  FOREIGN KEY (zone_id, zone_version) REFERENCES delivery_zones (id, version) ON DELETE CASCADE
);
CREATE INDEX delivery_quotes_expires_idx ON delivery_quotes (expires_at);

-- The delivery terms an order was placed on: {zone_id, zone_version, fee, eta, quote_id,
-- quote_status}; null for other channels and for stores that draw no zones.
ALTER TABLE orders ADD COLUMN delivery_terms jsonb;
