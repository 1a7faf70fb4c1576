-- Identity: people, their credentials and sessions, their roles, and API keys.

CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- NULL until an invited staff member sets a password.
  password_hash text,
  is_platform_admin boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- A role in an organization, optionally narrowed to one store (NULL store_id = whole org).
CREATE TABLE memberships (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  store_id uuid,
  role text NOT NULL CHECK (role IN ('owner', 'manager', 'staff', 'courier')),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX memberships_grant_key
  ON memberships (user_id, organization_id, COALESCE(store_id, '00000000-0000-0000-0000-000000000000'::uuid), role);
CREATE INDEX memberships_organization_idx ON memberships (organization_id, id);

-- One family per login; every refresh rotates the token inside the family. Presenting a token
-- that was already rotated revokes the family (reuse detection).
CREATE TABLE refresh_token_families (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('logout', 'reuse_detected', 'password_changed', 'admin'))
);
CREATE INDEX refresh_token_families_user_idx ON refresh_token_families (user_id);
CREATE INDEX refresh_token_families_expiry_idx ON refresh_token_families (expires_at);

CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES refresh_token_families (id) ON DELETE CASCADE,
  -- SHA-256 of the token; the token itself is never stored.
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE TABLE staff_invitations (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz
);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- First characters of the secret, shown in lists so people can tell keys apart.
  prefix text NOT NULL,
  -- SHA-256 of the secret: API keys are 256-bit random, so a fast hash is enough.
  secret_hash bytea NOT NULL UNIQUE,
  scopes text[] NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_organization_idx ON api_keys (organization_id, id);
