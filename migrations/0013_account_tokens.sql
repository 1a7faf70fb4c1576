-- Account tokens (issue 20, ADR 0023): email verification and password reset, single use and
-- short-lived, stored only as SHA-256 hashes; and the outgoing-message table that carries them
-- (the sandbox outbox now, the queue of real email and SMS delivery later, issue 17).

-- NULL until the person proves they read mail at the address (a verification or reset token).
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

CREATE TABLE account_tokens (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('email_verification', 'password_reset')),
  -- SHA-256 of the token (32 random bytes, base64url); the token itself is never stored.
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  -- Set once: when the token was used, replaced by a newer one of its purpose, or ended by a
  -- password change. A token with ended_at set never works again.
  ended_at timestamptz,
  ended_reason text CHECK (ended_reason IN ('used', 'superseded', 'password_changed', 'account_erased')),
  CHECK ((ended_at IS NULL) = (ended_reason IS NULL))
);
-- The live tokens of one account and purpose (superseding them when a new one is issued).
CREATE INDEX account_tokens_live_idx ON account_tokens (user_id, purpose) WHERE ended_at IS NULL;
-- Retention: ended or expired tokens are purged.
CREATE INDEX account_tokens_expiry_idx ON account_tokens (expires_at);

-- Messages to people (email, SMS), inserted in the transaction of the change that causes them.
-- Until delivery exists (issue 17) this table is the sandbox outbox read at GET
-- /sandbox/v1/messages. `data` holds what the template needs, tokens included: never log it.
CREATE TABLE outgoing_messages (
  id uuid PRIMARY KEY,
  channel text NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 320),
  template text NOT NULL CHECK (template ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Newest first (ids are UUIDv7: time-ordered), whole outbox or one recipient's messages.
CREATE INDEX outgoing_messages_recipient_idx ON outgoing_messages (lower(recipient), id DESC);
