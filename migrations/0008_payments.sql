-- Payments: which processor each store uses, sealed provider credentials per organization, one
-- payment per order with its own state machine, refunds, the money movements the providers
-- confirmed, and the provider webhooks already processed.

-- How a store takes online payments. No row: the organization's default (the sandbox when it
-- runs, otherwise none) and capture on completion.
CREATE TABLE store_payment_settings (
  store_id uuid PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  -- null: this store takes no online payments (cash only).
  provider text CHECK (provider IN ('sandbox', 'stripe')),
  capture_on text NOT NULL DEFAULT 'completion' CHECK (capture_on IN ('acceptance', 'completion')),
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL
);

-- Credentials an organization holds at a provider, sealed with AES-256-GCM under
-- PAYMENTS_ENCRYPTION_KEY: never stored or logged in the clear, never readable back over HTTP.
CREATE TABLE payment_provider_accounts (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  provider text NOT NULL CHECK (provider IN ('stripe')),
  sealed_credentials bytea NOT NULL,
  -- Enough to recognise the key ("sk_test_…4242"), nothing more.
  key_hint text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (organization_id, provider)
);

CREATE TABLE payments (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  store_id uuid NOT NULL,
  -- One payment per order, created in the order's own transaction.
  order_id uuid NOT NULL UNIQUE REFERENCES orders (id) ON DELETE CASCADE,
  provider text NOT NULL CHECK (provider IN ('cash', 'sandbox', 'stripe')),
  -- The provider's intent id, once it exists.
  provider_ref text,
  status text NOT NULL CHECK (status IN ('pending', 'requires_payment', 'processing', 'authorized', 'capturing', 'captured', 'voiding', 'voided', 'failed')),
  currency text NOT NULL,
  -- What is to be captured: the order's total (a tip raises it).
  amount bigint NOT NULL CHECK (amount >= 0),
  amount_authorized bigint NOT NULL DEFAULT 0 CHECK (amount_authorized >= 0),
  amount_captured bigint NOT NULL DEFAULT 0 CHECK (amount_captured >= 0),
  -- Refunds requested and not failed: reserved before the provider is called, so concurrent
  -- refunds can never together exceed the capture (the CHECK is the backstop).
  amount_refunded bigint NOT NULL DEFAULT 0,
  client_secret text,
  checkout_url text,
  last_failure_code text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT payments_refunds_within_capture CHECK (amount_refunded >= 0 AND amount_refunded <= amount_captured),
  CONSTRAINT payments_capture_within_authorization CHECK (provider = 'cash' OR amount_captured <= amount_authorized)
);
CREATE UNIQUE INDEX payments_provider_ref_key ON payments (provider, provider_ref) WHERE provider_ref IS NOT NULL;
-- The reconciliation job's scan: payments waiting on a provider step (or on a webhook that may
-- have been lost).
CREATE INDEX payments_transitional_idx ON payments (updated_at) WHERE status IN ('pending', 'requires_payment', 'processing', 'capturing', 'voiding');
CREATE INDEX payments_store_idx ON payments (store_id, created_at);

CREATE TABLE payment_refunds (
  id uuid PRIMARY KEY,
  payment_id uuid NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL,
  store_id uuid NOT NULL,
  order_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  reason text NOT NULL,
  -- [{line_no, quantity, amount}] when refunded by line; [] for an amount.
  lines jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  provider_ref text,
  failure_code text,
  requested_by uuid,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX payment_refunds_payment_idx ON payment_refunds (payment_id, created_at, id);
CREATE INDEX payment_refunds_pending_idx ON payment_refunds (updated_at) WHERE status = 'pending';

-- Money movements a provider confirmed, one row each: what the invariant checker sums. The
-- idempotency key of the step is unique per payment, so a step recorded twice (a retry after a
-- crash, a webhook and a confirm call racing) is recorded once.
CREATE TABLE payment_operations (
  id uuid PRIMARY KEY,
  payment_id uuid NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('authorization', 'authorization_increase', 'capture', 'void', 'refund')),
  amount bigint NOT NULL CHECK (amount >= 0),
  step_key text NOT NULL,
  provider_ref text,
  occurred_at timestamptz NOT NULL,
  UNIQUE (payment_id, step_key)
);

-- Provider webhooks already processed: a redelivery is acknowledged and changes nothing.
CREATE TABLE payment_webhook_events (
  provider text NOT NULL,
  event_id text NOT NULL,
  kind text NOT NULL,
  payment_id uuid,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (provider, event_id)
);
CREATE INDEX payment_webhook_events_received_idx ON payment_webhook_events (received_at);
