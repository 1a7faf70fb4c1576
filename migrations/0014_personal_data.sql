-- Personal data at rest (ADR 0025): envelope encryption. Each key holder (an organization, or
-- `platform` for the platform-wide users) has data keys, each sealed by PII_ENCRYPTION_KEY (the
-- master key, named here by its id, never stored). Sealed values carry the data key version they
-- were written with, so a new version serves new writes while old versions still open.

CREATE TABLE pii_data_keys (
  -- An organization's id, `platform` (users) or `blind-index` (the key of the email blind index).
  holder text NOT NULL CHECK (length(holder) BETWEEN 1 AND 64),
  version integer NOT NULL CHECK (version >= 1),
  -- AES-256-GCM (platform/crypto/sealing.ts) of the data key under the master key named by
  -- master_key_id, with `pii-data-key:<holder>:<version>` as associated data.
  sealed_key bytea NOT NULL,
  master_key_id text NOT NULL,
  -- The creating transaction: a process never caches a key its own open transaction created
  -- (it could still roll back).
  created_by_xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
  created_at timestamptz NOT NULL DEFAULT now(),
  resealed_at timestamptz,
  PRIMARY KEY (holder, version)
);

-- Delivery details of an order (address, contact, instructions), sealed with the organization's
-- data key. `delivery` keeps only rows written before this migration, until the re-encryption
-- job seals them (expand/contract: readers take either).
ALTER TABLE orders ADD COLUMN delivery_sealed bytea;

-- Erasure (DELETE /v1/me): the person's row stays (orders and payments point at it, the books
-- keep them) with its personal fields wiped; erased_at says so and refuses a new password.
ALTER TABLE users ADD COLUMN erased_at timestamptz;
ALTER TABLE refresh_token_families DROP CONSTRAINT refresh_token_families_revoked_reason_check;
ALTER TABLE refresh_token_families ADD CONSTRAINT refresh_token_families_revoked_reason_check
  CHECK (revoked_reason IN ('logout', 'reuse_detected', 'password_changed', 'admin', 'account_erased'));

-- Users' name, email and phone, sealed together with the platform's data key
-- (identity/people-sealing.ts). email_index is the blind index of the normalized email (HMAC,
-- unique); search_tokens are HMACs of the trigrams staff customer search matches on, replacing
-- the plaintext trigram indexes of 0006. The plain columns keep only rows from before this
-- migration until the re-encryption job seals them (then they are NULL).
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users ALTER COLUMN name DROP NOT NULL;
ALTER TABLE users ADD COLUMN personal_sealed bytea;
ALTER TABLE users ADD COLUMN email_index bytea;
ALTER TABLE users ADD COLUMN search_tokens text[] NOT NULL DEFAULT '{}';
CREATE UNIQUE INDEX users_email_index_key ON users (email_index);
CREATE INDEX users_search_tokens_idx ON users USING gin (search_tokens);
DROP INDEX users_name_trgm_idx;
DROP INDEX users_email_trgm_idx;
DROP INDEX users_phone_digits_trgm_idx;

-- Outgoing messages (emails in notifications): recipient and data (links, tokens, names) sealed
-- together with the platform's data key; recipient_index is the blind index of the lowercased
-- recipient, for the sandbox outbox's `?to=`. The plain columns keep rows from before this.
ALTER TABLE outgoing_messages ALTER COLUMN recipient DROP NOT NULL;
ALTER TABLE outgoing_messages ALTER COLUMN data DROP NOT NULL;
ALTER TABLE outgoing_messages ADD COLUMN sealed bytea;
ALTER TABLE outgoing_messages ADD COLUMN recipient_index bytea;
CREATE INDEX outgoing_messages_recipient_index_idx ON outgoing_messages (recipient_index, id DESC);
