-- Catalog: what a brand sells (categories, items, variants, modifier groups and options), the
-- menus that publish it by time of day, per-store and per-channel prices, taxes, and 86'ing.
-- Money is integer minor units in the store's currency. Every row carries organization_id.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- One counter per brand, bumped by every catalog write: the menu cache key and ETag include it.
CREATE TABLE catalog_versions (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  version bigint NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tax_categories (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  code text NOT NULL CHECK (code ~ '^[a-z0-9_-]{1,40}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  UNIQUE (organization_id, code),
  UNIQUE (id, organization_id)
);

-- array_to_string is only STABLE (it goes through type output functions); for text[] it cannot
-- change, so this wrapper may say IMMUTABLE and feed the generated search column.
CREATE FUNCTION catalog_words(text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string($1, ' ') $$;

CREATE TABLE categories (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  -- Stable client key (import/export matches on it); defaults to the id when not given.
  ref text NOT NULL CHECK (length(ref) BETWEEN 1 AND 100),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description text CHECK (length(description) <= 1000),
  position integer NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, organization_id)
);
CREATE INDEX categories_organization_idx ON categories (organization_id, position, id);
CREATE UNIQUE INDEX categories_ref_key ON categories (organization_id, ref);

CREATE TABLE items (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  category_id uuid NOT NULL,
  -- Stable client key (import/export matches on it); defaults to the id when not given.
  ref text NOT NULL CHECK (length(ref) BETWEEN 1 AND 100),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text CHECK (length(description) <= 2000),
  image_url text CHECK (image_url ~ '^https://' AND length(image_url) <= 2000),
  -- e.g. vegetarian, vegan, spicy, gluten_free
  tags text[] NOT NULL DEFAULT '{}',
  -- e.g. gluten, milk, nuts (EU 14 allergens and the like)
  allergens text[] NOT NULL DEFAULT '{}',
  sku text CHECK (length(sku) <= 64),
  tax_category_id uuid,
  -- Base price when the item has no variants (minor units of the store's currency).
  price integer NOT NULL CHECK (price >= 0),
  position integer NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Full-text search: name weighs most, then tags, then description ('simple': no stemming,
  -- menus mix languages and dish names); typo tolerance comes from the trigram index below.
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', coalesce(name, '')), 'A') ||
    setweight(to_tsvector('simple', catalog_words(tags)), 'B') ||
    setweight(to_tsvector('simple', coalesce(description, '')), 'C')
  ) STORED,
  -- NO ACTION, not RESTRICT: checked at the end of the statement, so deleting a whole brand
  -- (which cascades to categories and items together) works, while deleting a category that
  -- still has items is refused.
  FOREIGN KEY (category_id, organization_id) REFERENCES categories (id, organization_id) ON DELETE NO ACTION,
  FOREIGN KEY (tax_category_id, organization_id) REFERENCES tax_categories (id, organization_id) ON DELETE NO ACTION,
  UNIQUE (id, organization_id)
);
CREATE INDEX items_organization_category_idx ON items (organization_id, category_id, position, id);
CREATE UNIQUE INDEX items_ref_key ON items (organization_id, ref);
CREATE UNIQUE INDEX items_sku_key ON items (organization_id, sku) WHERE sku IS NOT NULL;
CREATE INDEX items_search_idx ON items USING gin (search);
CREATE INDEX items_name_trgm_idx ON items USING gin (lower(name) gin_trgm_ops);

CREATE TABLE item_variants (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  item_id uuid NOT NULL,
  -- Stable client key (import/export matches on it); defaults to the id when not given.
  ref text NOT NULL CHECK (length(ref) BETWEEN 1 AND 100),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  price integer NOT NULL CHECK (price >= 0),
  sku text CHECK (length(sku) <= 64),
  position integer NOT NULL DEFAULT 0,
  FOREIGN KEY (item_id, organization_id) REFERENCES items (id, organization_id) ON DELETE CASCADE,
  UNIQUE (id, organization_id)
);
CREATE INDEX item_variants_item_idx ON item_variants (item_id, position, id);
CREATE UNIQUE INDEX item_variants_ref_key ON item_variants (item_id, ref);

CREATE TABLE modifier_groups (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  -- Stable client key (import/export matches on it); defaults to the id when not given.
  ref text NOT NULL CHECK (length(ref) BETWEEN 1 AND 100),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- How many options (counting quantities) a customer must / may pick.
  min_select integer NOT NULL DEFAULT 0 CHECK (min_select >= 0),
  max_select integer NOT NULL DEFAULT 1 CHECK (max_select >= 1),
  -- The first `free_quantity` picks cost nothing ("3 sauces free, then 0.50 each").
  free_quantity integer NOT NULL DEFAULT 0 CHECK (free_quantity >= 0),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (min_select <= max_select),
  UNIQUE (id, organization_id)
);
CREATE INDEX modifier_groups_organization_idx ON modifier_groups (organization_id, id);
CREATE UNIQUE INDEX modifier_groups_ref_key ON modifier_groups (organization_id, ref);

CREATE TABLE modifier_options (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  group_id uuid NOT NULL,
  -- Stable client key (import/export matches on it); defaults to the id when not given.
  ref text NOT NULL CHECK (length(ref) BETWEEN 1 AND 100),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  price integer NOT NULL DEFAULT 0 CHECK (price >= 0),
  -- How many of this one option may be picked (e.g. "extra cheese" up to 2).
  max_quantity integer NOT NULL DEFAULT 1 CHECK (max_quantity >= 1),
  -- Brand-wide switch; per-store unavailability is an 86 (eighty_sixes).
  is_available boolean NOT NULL DEFAULT true,
  -- Nested modifiers: picking this option opens another group (e.g. a combo's drink choice).
  child_group_id uuid,
  position integer NOT NULL DEFAULT 0,
  FOREIGN KEY (group_id, organization_id) REFERENCES modifier_groups (id, organization_id) ON DELETE CASCADE,
  -- The service refuses to delete a group an option opens (MODIFIER_GROUP_IN_USE); when a whole
  -- brand is deleted the options' own cascade races this check, so the reference just clears.
  FOREIGN KEY (child_group_id, organization_id) REFERENCES modifier_groups (id, organization_id) ON DELETE SET NULL (child_group_id),
  CHECK (child_group_id IS DISTINCT FROM group_id),
  UNIQUE (id, organization_id)
);
CREATE INDEX modifier_options_group_idx ON modifier_options (group_id, position, id);
CREATE UNIQUE INDEX modifier_options_ref_key ON modifier_options (group_id, ref);
CREATE INDEX modifier_options_child_idx ON modifier_options (child_group_id) WHERE child_group_id IS NOT NULL;

CREATE TABLE item_modifier_groups (
  item_id uuid NOT NULL,
  group_id uuid NOT NULL,
  organization_id uuid NOT NULL,
  position integer NOT NULL DEFAULT 0,
  PRIMARY KEY (item_id, group_id),
  FOREIGN KEY (item_id, organization_id) REFERENCES items (id, organization_id) ON DELETE CASCADE,
  FOREIGN KEY (group_id, organization_id) REFERENCES modifier_groups (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX item_modifier_groups_group_idx ON item_modifier_groups (group_id);

CREATE TABLE menus (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  -- Stable client key (import/export matches on it); defaults to the id when not given.
  ref text NOT NULL CHECK (length(ref) BETWEEN 1 AND 100),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, organization_id)
);
CREATE INDEX menus_organization_idx ON menus (organization_id, id);
CREATE UNIQUE INDEX menus_ref_key ON menus (organization_id, ref);

-- When a menu is served, in the store's local time. No rows: always. ends_at <= starts_at runs
-- past midnight (a late-night menu 22:00–03:00).
CREATE TABLE menu_availability (
  menu_id uuid NOT NULL REFERENCES menus (id) ON DELETE CASCADE,
  weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  starts_at time NOT NULL,
  ends_at time NOT NULL,
  PRIMARY KEY (menu_id, weekday, starts_at)
);

-- A menu lists categories (each with all its items), in order.
CREATE TABLE menu_categories (
  menu_id uuid NOT NULL,
  category_id uuid NOT NULL,
  organization_id uuid NOT NULL,
  position integer NOT NULL DEFAULT 0,
  PRIMARY KEY (menu_id, category_id),
  FOREIGN KEY (menu_id, organization_id) REFERENCES menus (id, organization_id) ON DELETE CASCADE,
  FOREIGN KEY (category_id, organization_id) REFERENCES categories (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX menu_categories_category_idx ON menu_categories (category_id);

-- A store publishes menus (its storefront shows those available at the moment asked).
CREATE TABLE store_menus (
  store_id uuid NOT NULL,
  menu_id uuid NOT NULL,
  organization_id uuid NOT NULL,
  position integer NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, menu_id),
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE,
  FOREIGN KEY (menu_id, organization_id) REFERENCES menus (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX store_menus_menu_idx ON store_menus (menu_id);

-- Per-store tax: rate per tax category, and whether the store's prices include it.
CREATE TABLE store_tax_settings (
  store_id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  prices_include_tax boolean NOT NULL DEFAULT true,
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE
);
CREATE TABLE store_tax_rates (
  store_id uuid NOT NULL,
  tax_category_id uuid NOT NULL,
  organization_id uuid NOT NULL,
  -- Basis points: 1900 = 19%.
  rate_bps integer NOT NULL CHECK (rate_bps BETWEEN 0 AND 10000),
  PRIMARY KEY (store_id, tax_category_id),
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE,
  FOREIGN KEY (tax_category_id, organization_id) REFERENCES tax_categories (id, organization_id) ON DELETE CASCADE
);

-- Store (and optionally channel) prices replacing the brand price of an item, variant or option.
-- channel NULL: every channel; a channel-specific row wins over it.
CREATE TABLE price_overrides (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  store_id uuid NOT NULL,
  item_id uuid,
  variant_id uuid,
  option_id uuid,
  channel text CHECK (channel IN ('pickup', 'delivery', 'dine_in')),
  price integer NOT NULL CHECK (price >= 0),
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE,
  FOREIGN KEY (item_id, organization_id) REFERENCES items (id, organization_id) ON DELETE CASCADE,
  FOREIGN KEY (variant_id, organization_id) REFERENCES item_variants (id, organization_id) ON DELETE CASCADE,
  FOREIGN KEY (option_id, organization_id) REFERENCES modifier_options (id, organization_id) ON DELETE CASCADE,
  CHECK (num_nonnulls(item_id, variant_id, option_id) = 1)
);
CREATE UNIQUE INDEX price_overrides_target_key
  ON price_overrides (store_id, COALESCE(item_id, variant_id, option_id), COALESCE(channel, '*'));

-- 86'ing: an item or option is unavailable at one store until `until` (NULL: until un-86'd).
CREATE TABLE eighty_sixes (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  store_id uuid NOT NULL,
  item_id uuid,
  option_id uuid,
  until timestamptz,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE,
  FOREIGN KEY (item_id, organization_id) REFERENCES items (id, organization_id) ON DELETE CASCADE,
  FOREIGN KEY (option_id, organization_id) REFERENCES modifier_options (id, organization_id) ON DELETE CASCADE,
  CHECK (num_nonnulls(item_id, option_id) = 1)
);
CREATE UNIQUE INDEX eighty_sixes_target_key ON eighty_sixes (store_id, COALESCE(item_id, option_id));
