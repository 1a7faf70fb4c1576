-- The payment sandbox: a simulated card processor that runs inside Brigade for development and
-- tests. These tables are the processor's own state, as if it lived at another company: Brigade's
-- payments module never reads them (it talks to the processor over HTTP), and they survive a
-- restart so a test can kill the process between authorization and capture.

CREATE TABLE sandbox_intents (
  -- si_<random>: the processor's ids, not Brigade's UUIDs.
  id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('requires_payment', 'processing', 'authorized', 'captured', 'voided')),
  amount integer NOT NULL CHECK (amount > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_authorized integer NOT NULL DEFAULT 0 CHECK (amount_authorized >= 0),
  amount_captured integer NOT NULL DEFAULT 0 CHECK (amount_captured >= 0 AND amount_captured <= amount_authorized),
  amount_refunded integer NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0 AND amount_refunded <= amount_captured),
  client_secret text NOT NULL,
  last_failure_code text,
  -- The caller's id for this payment (Brigade's payment id).
  reference text NOT NULL,
  description text,
  metadata jsonb NOT NULL DEFAULT '{}',
  capture_count integer NOT NULL DEFAULT 0,
  -- The card being decided while processing, and when the background loop decides it: durable,
  -- so a restarted processor still decides a confirmation made before the restart.
  pending_card text,
  decide_at timestamptz,
  -- Confirm attempts with the "fails intermittently" card: odd ones fail.
  flaky_attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK ((status = 'processing') = (decide_at IS NOT NULL))
);
-- What the decision loop scans.
CREATE INDEX sandbox_intents_decide_idx ON sandbox_intents (decide_at) WHERE status = 'processing';

CREATE TABLE sandbox_refunds (
  id text PRIMARY KEY,
  intent_id text NOT NULL REFERENCES sandbox_intents (id),
  amount integer NOT NULL CHECK (amount > 0),
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  reason text NOT NULL,
  -- The caller's refund id (Brigade's refund id).
  reference text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX sandbox_refunds_intent_idx ON sandbox_refunds (intent_id, created_at, id);

-- Stripe-like idempotency: the first successful response per (route, key), stored in the same
-- transaction as the operation it describes. The row is inserted first (without its response),
-- so a concurrent twin waits on the primary key and then replays instead of repeating the
-- operation; other sessions only ever see the row complete, at commit.
CREATE TABLE sandbox_idempotency_keys (
  -- "POST /sandbox/v1/intents/si_…/capture": the concrete path.
  route text NOT NULL,
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  -- SHA-256 of the canonical JSON body: the same key with another body is refused.
  fingerprint bytea NOT NULL,
  response_status smallint,
  response_body jsonb,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (route, key),
  CHECK ((response_status IS NULL) = (response_body IS NULL))
);

-- Outbox of the processor's webhooks: each state change inserts its event and its delivery in
-- the change's transaction; the background loop delivers them.
CREATE TABLE sandbox_events (
  id text PRIMARY KEY,
  type text NOT NULL,
  intent_id text NOT NULL REFERENCES sandbox_intents (id),
  -- The webhook body as sent: {id, type, created_at, data}.
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX sandbox_events_intent_idx ON sandbox_events (intent_id, created_at);

CREATE TABLE sandbox_deliveries (
  -- Creation order, which is the order deliveries are sent in (reversed in shuffled mode).
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id text NOT NULL REFERENCES sandbox_events (id),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  -- Attempts claimed so far; a claim pushes next_attempt_at out by a lease, so two processes
  -- never send the same attempt.
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  delivered_at timestamptz
);
CREATE INDEX sandbox_deliveries_due_idx ON sandbox_deliveries (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX sandbox_deliveries_event_idx ON sandbox_deliveries (event_id);
