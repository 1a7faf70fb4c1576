-- Loyalty (issue 14, ADR 0029): one program per organization, its members, and a points ledger an
-- auditor can replay. Entries are append-only; every credit is a lot with its own expiry; every
-- debit names the lots it consumed (allocations), so a lot's remainder, a member's balance and
-- their pending points are all sums the checker recomputes. Each counter on a member is moved by a
-- conditional update under the member's row lock and backed by a CHECK.

CREATE TABLE loyalty_programs (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  active boolean NOT NULL DEFAULT true,
  -- {points_per_unit, per_visit, per_item: [{item_id, points}], per_category: [...],
  --  multipliers: [{name, starts_at, ends_at, multiplier_bps}]}; validated by loyalty/program.ts.
  accrual jsonb NOT NULL,
  -- Days before earned points can be spent (0 = at once), and months until a lot expires.
  lock_days integer NOT NULL DEFAULT 0 CHECK (lock_days BETWEEN 0 AND 365),
  expiry_months integer CHECK (expiry_months BETWEEN 1 AND 120),
  -- Tiers on a separate qualifying measure over a rolling window: [{key, name, threshold,
  -- multiplier_bps, perks}], thresholds ascending, the first at 0.
  tier_measure text NOT NULL DEFAULT 'points' CHECK (tier_measure IN ('points', 'orders')),
  tier_window_days integer NOT NULL DEFAULT 365 CHECK (tier_window_days BETWEEN 1 AND 3650),
  tiers jsonb NOT NULL,
  -- Members join at sign-up (development) when set; otherwise only by POST …/join.
  join_at_sign_up boolean NOT NULL DEFAULT false,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE loyalty_rewards (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description text CHECK (length(description) <= 500),
  points integer NOT NULL CHECK (points BETWEEN 1 AND 10000000),
  -- {type: 'free_item', item_ids: [...]} (one unit of one of them free) or
  -- {type: 'amount_off', amount} (minor units off the food).
  effect jsonb NOT NULL,
  -- What the reward costs the brand, for the liability report (minor units per redemption).
  cost integer NOT NULL DEFAULT 0 CHECK (cost >= 0),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX loyalty_rewards_org_idx ON loyalty_rewards (organization_id) WHERE deleted_at IS NULL;

CREATE TABLE loyalty_members (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('active', 'left')),
  -- How the customer consented: joined themselves, at sign-up, or enrolled by the seed.
  consent text NOT NULL CHECK (consent IN ('join', 'sign_up', 'demo')),
  joined_at timestamptz NOT NULL,
  left_at timestamptz,
  -- balance = the sum of the member's entries = the sum of their lots' remainders;
  -- pending = the remainders of lots still in their lock period; held = points rewards on open
  -- orders hold. Spendable = balance − pending − held, never negative.
  balance integer NOT NULL DEFAULT 0 CHECK (balance >= 0),
  pending integer NOT NULL DEFAULT 0 CHECK (pending >= 0),
  held integer NOT NULL DEFAULT 0 CHECK (held >= 0),
  CHECK (pending + held <= balance),
  -- Points clawed back that the balance could not cover: repaid from the next points earned.
  debt integer NOT NULL DEFAULT 0 CHECK (debt >= 0),
  tier text NOT NULL,
  tier_since timestamptz NOT NULL,
  tier_evaluated_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  UNIQUE (organization_id, customer_id)
);
CREATE INDEX loyalty_members_customer_idx ON loyalty_members (customer_id);

CREATE TABLE loyalty_entries (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  member_id uuid NOT NULL REFERENCES loyalty_members (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('earn', 'redeem', 'adjust', 'expire', 'clawback')),
  -- Signed: credits (earn, positive adjust) are positive, every other entry negative.
  -- (A claw-back the balance could not cover at all takes 0 and records the debt it leaves.)
  points integer NOT NULL,
  CHECK (
    (kind = 'earn' AND points > 0) OR (kind IN ('redeem', 'expire') AND points < 0)
    OR (kind = 'clawback' AND points <= 0) OR (kind = 'adjust' AND points <> 0)
  ),
  -- A claw-back's full amount; what the balance could not cover (owed + points) became debt.
  -- A repayment of debt is a claw-back with owed 0.
  owed integer CHECK (owed >= 0),
  CHECK ((kind = 'clawback') = (owed IS NOT NULL)),
  order_id uuid,
  refund_id uuid,
  refund_amount integer,
  reward_id uuid,
  reason text CHECK (length(reason) <= 500),
  actor_id uuid,
  created_at timestamptz NOT NULL
);
-- Accrual is idempotent per order: however often its completion event arrives, one earn.
CREATE UNIQUE INDEX loyalty_entries_earn_once ON loyalty_entries (order_id) WHERE kind = 'earn';
-- A refund claws back once.
CREATE UNIQUE INDEX loyalty_entries_refund_once ON loyalty_entries (refund_id) WHERE refund_id IS NOT NULL;
CREATE INDEX loyalty_entries_member_idx ON loyalty_entries (member_id, id DESC);
CREATE INDEX loyalty_entries_order_idx ON loyalty_entries (order_id) WHERE order_id IS NOT NULL;

-- Every credit entry is a lot: spending consumes the oldest lots first, expiry only what is left.
CREATE TABLE loyalty_lots (
  entry_id uuid PRIMARY KEY REFERENCES loyalty_entries (id) ON DELETE CASCADE,
  member_id uuid NOT NULL REFERENCES loyalty_members (id) ON DELETE CASCADE,
  points integer NOT NULL CHECK (points > 0),
  remaining integer NOT NULL CHECK (remaining >= 0 AND remaining <= points),
  available_at timestamptz NOT NULL,
  -- Out of the lock period: counted as spendable (member.pending no longer includes it).
  vested boolean NOT NULL,
  expires_at timestamptz,
  order_id uuid,
  created_at timestamptz NOT NULL
);
CREATE INDEX loyalty_lots_open_idx ON loyalty_lots (member_id, created_at, entry_id) WHERE remaining > 0;
CREATE INDEX loyalty_lots_expiry_idx ON loyalty_lots (expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL;
CREATE INDEX loyalty_lots_vesting_idx ON loyalty_lots (available_at) WHERE NOT vested;

-- Which lots each debit consumed, and how much of each.
CREATE TABLE loyalty_allocations (
  entry_id uuid NOT NULL REFERENCES loyalty_entries (id) ON DELETE CASCADE,
  lot_id uuid NOT NULL REFERENCES loyalty_lots (entry_id) ON DELETE CASCADE,
  points integer NOT NULL CHECK (points > 0),
  PRIMARY KEY (entry_id, lot_id)
);
CREATE INDEX loyalty_allocations_lot_idx ON loyalty_allocations (lot_id);

-- A reward on an order: held at placement, spent at fulfilment, released by every path that ends
-- the order unfulfilled (and given back if a fulfilled order is refunded whole).
CREATE TABLE loyalty_reward_holds (
  order_id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  member_id uuid NOT NULL REFERENCES loyalty_members (id) ON DELETE CASCADE,
  reward_id uuid NOT NULL REFERENCES loyalty_rewards (id),
  points integer NOT NULL CHECK (points > 0),
  amount integer NOT NULL CHECK (amount >= 0),
  status text NOT NULL CHECK (status IN ('held', 'spent', 'released', 'returned')),
  held_at timestamptz NOT NULL,
  settled_at timestamptz,
  reason text
);
CREATE INDEX loyalty_reward_holds_member_idx ON loyalty_reward_holds (member_id) WHERE status = 'held';

-- Every tier change, with the measure that decided it: the member's tier is the last one's.
CREATE TABLE loyalty_tier_changes (
  id uuid PRIMARY KEY,
  member_id uuid NOT NULL REFERENCES loyalty_members (id) ON DELETE CASCADE,
  from_tier text,
  to_tier text NOT NULL,
  qualifying integer NOT NULL,
  reason text NOT NULL CHECK (reason IN ('joined', 'upgrade', 'downgrade')),
  changed_at timestamptz NOT NULL
);
CREATE INDEX loyalty_tier_changes_member_idx ON loyalty_tier_changes (member_id, changed_at DESC, id DESC);

-- The reward an order was given, as priced at placement: {reward_id, name, points, amount}.
ALTER TABLE orders ADD COLUMN reward jsonb;
