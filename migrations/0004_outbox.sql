-- Transactional outbox: services append domain events here in the same transaction as the change
-- they describe; relays in the worker role publish them after commit (ADR 0006).

CREATE TABLE outbox (
  -- UUIDv7, and the CloudEvents `id`: also the JetStream message id, so NATS drops redeliveries.
  id uuid PRIMARY KEY,
  -- Ordering. CACHE 1 (the default, spelled out because the ordering argument depends on it):
  -- values are handed out in the order nextval is called, across all sessions. Appends for one
  -- aggregate are serialized by an advisory lock taken before the insert, so within an aggregate
  -- sequence order is commit order.
  sequence bigint GENERATED ALWAYS AS IDENTITY (CACHE 1) UNIQUE,
  -- The ordering key: events of one aggregate are delivered one after another, in sequence order.
  aggregate_type text NOT NULL CHECK (length(aggregate_type) BETWEEN 1 AND 100),
  aggregate_id text NOT NULL CHECK (length(aggregate_id) BETWEEN 1 AND 200),
  -- CloudEvents attributes.
  type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$'),
  source text NOT NULL,
  subject text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  data jsonb NOT NULL,
  -- Delivery: pending → published, or pending → dead after too many failed attempts.
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'published', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  -- Set once JetStream acknowledged the event, so a retry for a failing subscriber (possibly
  -- after the stream's duplicate window) does not publish it to the stream a second time.
  stream_published_at timestamptz,
  published_at timestamptz
);

-- What a relay scans for work, in order.
CREATE INDEX outbox_pending_idx ON outbox (sequence) WHERE state = 'pending';
-- "Is there an earlier undelivered event of this aggregate?" — one index probe per candidate.
CREATE INDEX outbox_undelivered_aggregate_idx ON outbox (aggregate_type, aggregate_id, sequence) WHERE state <> 'published';
-- Retention: published events are deleted after a while.
CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE state = 'published';

-- Subscriber-side deduplication: a subscriber records the event id in the same transaction as
-- its effect, so a redelivered event is recognised and skipped. No foreign key to outbox on
-- purpose: it would take a share lock on the outbox row that the delivering relay holds.
CREATE TABLE processed_events (
  subscriber text NOT NULL CHECK (length(subscriber) BETWEEN 1 AND 100),
  event_id uuid NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subscriber, event_id)
);
CREATE INDEX processed_events_processed_at_idx ON processed_events (processed_at);
