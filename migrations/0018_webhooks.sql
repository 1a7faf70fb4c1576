-- Outgoing webhooks (issue 17, ADR 0030): endpoints an organization registers, one message per
-- (event, endpoint) made by the outbox relay's fan-out, and the log of every attempt to send one.

CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id),
  url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
  description text CHECK (length(description) <= 500),
  -- Public event type names (the catalogue at GET /v1/webhook-event-types).
  event_types text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 100),
  rate_limit_per_second integer CHECK (rate_limit_per_second BETWEEN 1 AND 1000),
  -- Per-order FIFO: a message waits while an earlier one about the same order is still unsent.
  ordered boolean NOT NULL DEFAULT false,
  -- The signing secret (`whsec_…`), sealed with the platform's personal data key (ADR 0025);
  -- during a rotation the previous one signs alongside until previous_secret_expires_at.
  secret_sealed bytea NOT NULL,
  secret_hint text NOT NULL,
  previous_secret_sealed bytea,
  previous_secret_expires_at timestamptz,
  state text NOT NULL DEFAULT 'enabled' CHECK (state IN ('enabled', 'disabled')),
  disabled_reason text,
  disabled_at timestamptz,
  -- When the endpoint's current run of failures began (null while it succeeds): five days of
  -- failure and nothing else disables it.
  failing_since timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX webhook_endpoints_organization_idx ON webhook_endpoints (organization_id, id) WHERE deleted_at IS NULL;

CREATE TABLE webhook_messages (
  -- UUIDv7; `msg_` + this is the `webhook-id` header, the same on every attempt and replay.
  id uuid PRIMARY KEY,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id),
  organization_id uuid NOT NULL,
  -- The outbox event it carries (null for a test message): one message per event and endpoint.
  event_id uuid,
  event_type text NOT NULL,
  -- The exact bytes sent: `{type, timestamp, data}`.
  body text NOT NULL,
  -- The order it is about, for per-order FIFO.
  ordering_key text,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- A sender holds the message until then; a sender that died lets it go when the lease ends.
  leased_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_messages_due_idx ON webhook_messages (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_messages_endpoint_idx ON webhook_messages (endpoint_id, created_at);
CREATE INDEX webhook_messages_fifo_idx ON webhook_messages (endpoint_id, ordering_key, id)
  WHERE state = 'pending' AND ordering_key IS NOT NULL;

CREATE TABLE webhook_attempts (
  id uuid PRIMARY KEY,
  message_id uuid NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
  endpoint_id uuid NOT NULL,
  attempted_at timestamptz NOT NULL DEFAULT now(),
  succeeded boolean NOT NULL,
  status_code integer,
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  response_excerpt text CHECK (length(response_excerpt) <= 1000),
  error text CHECK (length(error) <= 500)
);
CREATE INDEX webhook_attempts_endpoint_idx ON webhook_attempts (endpoint_id, id DESC);
CREATE INDEX webhook_attempts_retention_idx ON webhook_attempts (attempted_at);
