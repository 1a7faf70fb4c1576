-- Marketing (issue 13, ADR 0027): promotions, their codes, and the redemption ledger that keeps
-- them from over-redeeming. Every limit is enforced twice: by a conditional update in the order's
-- transaction (the counter moves only while it is under its limit), and by a CHECK here, so that
-- a bug in the code becomes an error, never an extra discount.

CREATE TABLE promotions (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text CHECK (length(description) <= 2000),
  -- automatic: applies whenever its conditions hold; code: only with one of its codes.
  kind text NOT NULL CHECK (kind IN ('automatic', 'code')),
  -- Listed on the store's promotions (banners), with its code when it has exactly one.
  advertised boolean NOT NULL DEFAULT true,
  active boolean NOT NULL DEFAULT true,
  -- Higher goes first; combinable says whether it may apply together with others.
  priority integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1000 AND 1000),
  combinable boolean NOT NULL DEFAULT false,
  starts_at timestamptz,
  ends_at timestamptz,
  CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at),
  -- Where and when it applies ({stores, channels, dayparts, segments, rules, min_subtotal}),
  -- and what it gives ({type, ...}); validated on write by marketing/rules.ts.
  conditions jsonb NOT NULL DEFAULT '{}',
  effect jsonb NOT NULL,
  max_discount integer CHECK (max_discount > 0),
  -- Budgets: total uses and total discount given, over every order that still holds or has
  -- confirmed its redemption. Null = no limit.
  usage_limit integer CHECK (usage_limit > 0),
  budget integer CHECK (budget > 0),
  per_customer_limit integer CHECK (per_customer_limit > 0),
  -- The counters the limits are enforced on (moved only for a promotion with a usage_limit or a
  -- budget: an unlimited one has no hot row; its use is counted from the ledger).
  uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
  discount_spent bigint NOT NULL DEFAULT 0 CHECK (discount_spent >= 0),
  CHECK (usage_limit IS NULL OR uses <= usage_limit),
  CHECK (budget IS NULL OR discount_spent <= budget),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- DELETE ends a promotion (its ledger is history); deleted ones are never evaluated.
  deleted_at timestamptz,
  UNIQUE (id, organization_id)
);
-- Quotes read an organization's live promotions on every call.
CREATE INDEX promotions_live_idx ON promotions (organization_id, priority DESC, id)
  WHERE deleted_at IS NULL AND active;
CREATE INDEX promotions_org_list_idx ON promotions (organization_id, id) WHERE deleted_at IS NULL;

-- A code promotion's codes: one shared code (WELCOME10) or a batch of unique single-use codes.
CREATE TABLE promotion_codes (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  promotion_id uuid NOT NULL,
  -- As issued; matched case-insensitively through code_key (upper-cased, trimmed).
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$'),
  code_key text NOT NULL GENERATED ALWAYS AS (upper(code)) STORED,
  -- 1 for a single-use code; null for a shared code limited only by its promotion.
  usage_limit integer CHECK (usage_limit > 0),
  uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
  CHECK (usage_limit IS NULL OR uses <= usage_limit),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (promotion_id, organization_id) REFERENCES promotions (id, organization_id) ON DELETE CASCADE,
  UNIQUE (organization_id, code_key)
);
CREATE INDEX promotion_codes_promotion_idx ON promotion_codes (promotion_id, id);

-- Uses per customer (on the customer's id, never an email), per period: '' for a lifetime limit,
-- the store's local date for a flash sale's daily cap. use_limit is the limit at the last use,
-- so the CHECK holds the line even if the code's arithmetic were wrong.
CREATE TABLE promotion_customer_uses (
  promotion_id uuid NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL,
  period text NOT NULL DEFAULT '',
  uses integer NOT NULL CHECK (uses >= 0),
  use_limit integer NOT NULL CHECK (use_limit > 0),
  CHECK (uses <= use_limit),
  PRIMARY KEY (promotion_id, customer_id, period)
);

-- A flash sale's unit pool per store and local day (reset at the store's midnight by being a new row).
CREATE TABLE flash_sale_pools (
  promotion_id uuid NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
  store_id uuid NOT NULL,
  day date NOT NULL,
  pool integer NOT NULL CHECK (pool > 0),
  taken integer NOT NULL CHECK (taken >= 0),
  CHECK (taken <= pool),
  PRIMARY KEY (promotion_id, store_id, day)
);

-- The ledger: one row per promotion per order. held at placement (in the order's transaction),
-- confirmed when the order is paid or fulfilled, released by every path that ends it unpaid or
-- refunds it whole. Counters = the sum of the held and confirmed rows (brigade check).
CREATE TABLE promotion_redemptions (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  promotion_id uuid NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
  code_id uuid REFERENCES promotion_codes (id) ON DELETE SET NULL,
  -- No key to orders: marketing does not own them, and the ledger is history.
  order_id uuid NOT NULL,
  store_id uuid NOT NULL,
  customer_id uuid,
  amount integer NOT NULL CHECK (amount >= 0),
  -- Flash sale units taken from the pool of (store, day); 0 otherwise.
  units integer NOT NULL DEFAULT 0 CHECK (units >= 0),
  day date,
  -- The per-customer period counted (see promotion_customer_uses); null when not limited.
  customer_period text,
  -- Whether the promotion's counters were moved (it had a limit or budget then).
  counted boolean NOT NULL,
  status text NOT NULL CHECK (status IN ('held', 'confirmed', 'released')),
  held_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  released_at timestamptz,
  release_reason text CHECK (length(release_reason) <= 60),
  CHECK ((status = 'released') = (released_at IS NOT NULL)),
  UNIQUE (promotion_id, order_id)
);
CREATE INDEX promotion_redemptions_order_idx ON promotion_redemptions (order_id);
CREATE INDEX promotion_redemptions_live_idx ON promotion_redemptions (promotion_id) WHERE status <> 'released';

-- The order keeps what it was given: the discounts as priced, and the code it was placed with.
ALTER TABLE orders ADD COLUMN coupon_code text CHECK (length(coupon_code) <= 40);
ALTER TABLE orders ADD COLUMN discounts jsonb NOT NULL DEFAULT '[]';
