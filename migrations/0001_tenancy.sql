-- Tenancy: organizations (brands), their stores (locations), opening hours and tables.
-- Every business row carries organization_id so isolation is one indexed predicate away.

CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- Optimistic concurrency: the ETag of an organization.
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stores (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- { line1, line2, city, region, postal_code, country (ISO 3166-1 alpha-2) }
  address jsonb NOT NULL,
  phone text,
  timezone text NOT NULL,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- Optimistic concurrency: the ETag of a store is derived from this. Changing the store's
  -- hours or exceptions bumps it too, since they are part of the store's representation.
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Lets other tables reference (store, organization) together so a row can never point at
  -- a store of another organization.
  UNIQUE (id, organization_id)
);
-- Public directory: keyset over (id) within an organization; the primary key serves it overall.
CREATE INDEX stores_organization_id_idx ON stores (organization_id, id);

-- Regular weekly hours. weekday: 1 = Monday … 7 = Sunday (ISO 8601). closes_at <= opens_at
-- means the interval runs past midnight into the next day.
CREATE TABLE store_opening_hours (
  store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
  weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  opens_at time NOT NULL,
  closes_at time NOT NULL,
  PRIMARY KEY (store_id, weekday, opens_at)
);

-- Exceptions replace the regular hours of one local date: closed (no intervals) or special hours.
CREATE TABLE store_hours_exceptions (
  id uuid PRIMARY KEY,
  store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
  date date NOT NULL,
  closed boolean NOT NULL,
  -- [{opens_at: "HH:MM", closes_at: "HH:MM"}], empty when closed
  intervals jsonb NOT NULL DEFAULT '[]',
  note text CHECK (length(note) <= 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Also serves "exceptions of a store from a date on", in date order.
  UNIQUE (store_id, date),
  -- CASE, because SQL does not promise to short-circuit AND.
  CHECK (CASE WHEN jsonb_typeof(intervals) = 'array' THEN closed = (jsonb_array_length(intervals) = 0) ELSE false END)
);

CREATE TABLE dining_tables (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  store_id uuid NOT NULL,
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 50),
  seats smallint NOT NULL DEFAULT 2 CHECK (seats BETWEEN 1 AND 100),
  -- 128 random bits, base64url: printed on the table's QR code; unguessable, rotatable.
  qr_token text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE,
  UNIQUE (store_id, label)
);
CREATE INDEX dining_tables_store_idx ON dining_tables (store_id, id);
