-- Staff search of customers by name, email or (partial) phone number, trigram-indexed, and the
-- relation that says whose customer a person is.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Optional contact phone, free format ("+49 30 1234-567"); searched by its digits only.
ALTER TABLE users ADD COLUMN phone text CHECK (phone ~ '^\+?[0-9 ()./-]{3,32}$');
ALTER TABLE users ADD COLUMN phone_digits text GENERATED ALWAYS AS (regexp_replace(phone, '[^0-9]', '', 'g')) STORED;

CREATE INDEX users_name_trgm_idx ON users USING gin (lower(name) gin_trgm_ops);
CREATE INDEX users_email_trgm_idx ON users USING gin (lower(email) gin_trgm_ops);
CREATE INDEX users_phone_digits_trgm_idx ON users USING gin (phone_digits gin_trgm_ops) WHERE phone_digits IS NOT NULL;

-- A person is a customer of an organization once they have dealt with it (their first order at
-- one of its stores, later loyalty sign-up and the like). Staff customer search sees only these
-- people: a brand never searches the platform's whole user base.
CREATE TABLE organization_customers (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_customers_user_idx ON organization_customers (user_id);
