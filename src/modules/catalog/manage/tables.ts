// The tables catalog management owns, as Kysely sees them, and what every write of them shares.
// SQL over them lives in the *-repo.ts files beside this one; every repo function takes the
// executor first.
import { sql, type Generated, type Kysely } from 'kysely';
import type { PlatformTables } from '../../../platform/db/index.js';

type Stamped = { version: Generated<number>; created_at: Generated<Date>; updated_at: Generated<Date> };

export type ManagementTables = {
  catalog_versions: { organization_id: string; version: Generated<number>; updated_at: Generated<Date> };
  tax_categories: { id: string; organization_id: string; code: string; name: string };
  categories: {
    id: string;
    organization_id: string;
    ref: string;
    name: string;
    description: string | null;
    position: number;
  } & Stamped;
  items: {
    id: string;
    organization_id: string;
    ref: string;
    category_id: string;
    name: string;
    description: string | null;
    image_url: string | null;
    tags: string[];
    allergens: string[];
    sku: string | null;
    tax_category_id: string | null;
    price: number;
    position: number;
  } & Stamped;
  item_variants: {
    id: string;
    organization_id: string;
    ref: string;
    item_id: string;
    name: string;
    price: number;
    sku: string | null;
    position: number;
  };
  modifier_groups: {
    id: string;
    organization_id: string;
    ref: string;
    name: string;
    min_select: number;
    max_select: number;
    free_quantity: number;
  } & Stamped;
  modifier_options: {
    id: string;
    organization_id: string;
    ref: string;
    group_id: string;
    name: string;
    price: number;
    max_quantity: number;
    is_available: boolean;
    child_group_id: string | null;
    position: number;
  };
  item_modifier_groups: { item_id: string; group_id: string; organization_id: string; position: number };
  menus: { id: string; organization_id: string; ref: string; name: string } & Stamped;
  menu_availability: { menu_id: string; weekday: number; starts_at: string; ends_at: string };
  menu_categories: { menu_id: string; category_id: string; organization_id: string; position: number };
  store_menus: { store_id: string; menu_id: string; organization_id: string; position: number };
  store_tax_settings: { store_id: string; organization_id: string; prices_include_tax: boolean };
  store_tax_rates: { store_id: string; tax_category_id: string; organization_id: string; rate_bps: number };
  price_overrides: {
    id: string;
    organization_id: string;
    store_id: string;
    item_id: string | null;
    variant_id: string | null;
    option_id: string | null;
    channel: string | null;
    price: number;
  };
  eighty_sixes: {
    id: string;
    organization_id: string;
    store_id: string;
    item_id: string | null;
    option_id: string | null;
    until: Date | null;
    created_by: string | null;
    created_at: Generated<Date>;
    reason: Generated<EightySixReason>;
  };
};

/** 'manual': staff 86'd it; 'sold_out': its tracked stock reached zero (lifted when stock returns). */
export type EightySixReason = 'manual' | 'sold_out';

export type Executor = Kysely<PlatformTables>;
export const t = (ex: Executor) => ex.withTables<ManagementTables>();

/** A versioned row whose own fields or children changed: the next version, stamped now. */
export const bumpVersion = { version: sql<number>`version + 1`, updated_at: sql<Date>`now()` };
