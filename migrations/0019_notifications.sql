-- Notifications (issue 17, ADR 0031): delivery of outgoing_messages (email through SMTP, SMS
-- through a provider), each attempt logged; organizations' own wording of the templates per
-- locale; guests' channel preferences and marketing consent.

-- Delivery state of a message. `sandboxed`: no provider for its channel outside production, so it
-- stays in the sandbox outbox and is never sent. Rows from before delivery existed are sandboxed
-- (they were written for the sandbox outbox). `pending` rows are due at next_attempt_at; a sender
-- holds one while leased_until is in the future (a killed sender's lease runs out, and the
-- message is sent again: at least once).
ALTER TABLE outgoing_messages
  ADD COLUMN state text NOT NULL DEFAULT 'sandboxed' CHECK (state IN ('pending', 'sent', 'failed', 'sandboxed')),
  ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  ADD COLUMN next_attempt_at timestamptz,
  ADD COLUMN leased_until timestamptz,
  ADD COLUMN sent_at timestamptz,
  -- The last failure, addresses and numbers masked; never the message's data.
  ADD COLUMN last_error text CHECK (length(last_error) <= 1000),
  -- Whose wording and which language the message is rendered in (null: the built-in, English).
  ADD COLUMN organization_id uuid,
  ADD COLUMN locale text CHECK (locale ~ '^[a-z]{2}$'),
  -- Set by callers whose message must exist once per (event, recipient, template): a second
  -- insert with the same key is skipped. Null for messages that may repeat (a second reset link).
  ADD COLUMN dedupe_key text UNIQUE CHECK (length(dedupe_key) BETWEEN 1 AND 300),
  ADD CONSTRAINT outgoing_messages_pending_is_due CHECK (state <> 'pending' OR next_attempt_at IS NOT NULL);
ALTER TABLE outgoing_messages ALTER COLUMN state SET DEFAULT 'pending';
-- What the senders lease: due pending messages, oldest due first.
CREATE INDEX outgoing_messages_due_idx ON outgoing_messages (next_attempt_at) WHERE state = 'pending';
-- What the retention job deletes: ended messages by age.
CREATE INDEX outgoing_messages_ended_idx ON outgoing_messages (created_at) WHERE state <> 'pending';

-- One row per try to hand a message to its provider.
CREATE TABLE outgoing_message_attempts (
  id uuid PRIMARY KEY,
  message_id uuid NOT NULL REFERENCES outgoing_messages (id) ON DELETE CASCADE,
  attempt integer NOT NULL CHECK (attempt >= 1),
  started_at timestamptz NOT NULL,
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  outcome text NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed')),
  -- The provider's id for the accepted message (SMTP Message-ID, Twilio SID).
  provider_message_id text CHECK (length(provider_message_id) <= 300),
  error text CHECK (length(error) <= 1000),
  UNIQUE (message_id, attempt)
);

-- An organization's own wording of a template in one locale; a part left null uses the built-in.
CREATE TABLE notification_templates (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  template text NOT NULL CHECK (template ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  locale text NOT NULL CHECK (locale ~ '^[a-z]{2}$'),
  subject text CHECK (length(subject) BETWEEN 1 AND 300),
  text_body text CHECK (length(text_body) BETWEEN 1 AND 20000),
  html_body text CHECK (length(html_body) BETWEEN 1 AND 100000),
  sms_body text CHECK (length(sms_body) BETWEEN 1 AND 1600),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, template, locale)
);

-- A guest's channel preferences. No row: the defaults (transactional on, marketing off, English,
-- no phone). Marketing on needs consent, recorded when given; withdrawing it records when.
CREATE TABLE notification_preferences (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  email_transactional boolean NOT NULL DEFAULT true,
  email_marketing boolean NOT NULL DEFAULT false,
  email_marketing_consent_at timestamptz,
  email_marketing_withdrawn_at timestamptz,
  sms_transactional boolean NOT NULL DEFAULT true,
  sms_marketing boolean NOT NULL DEFAULT false,
  sms_marketing_consent_at timestamptz,
  sms_marketing_withdrawn_at timestamptz,
  -- The E.164 number SMS go to, sealed with the platform's personal data key (ADR 0025).
  phone_sealed bytea,
  locale text NOT NULL DEFAULT 'en' CHECK (locale ~ '^[a-z]{2}$'),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (NOT email_marketing OR email_marketing_consent_at IS NOT NULL),
  CHECK (NOT sms_marketing OR sms_marketing_consent_at IS NOT NULL)
);
