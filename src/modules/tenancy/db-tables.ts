// The tenancy tables' and rows' shapes, and the typed view of them every tenancy repo uses.
// (Tables of the database; the dining tables guests sit at are tables.ts and dining-tables-repo.ts.)
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';
import type { DailyInterval, WeeklyInterval } from './hours.js';

export interface Address {
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postal_code: string | null;
  /** ISO 3166-1 alpha-2 */
  country: string;
}

type Timestamps = { created_at: Generated<Date>; updated_at: Generated<Date> };

// A type, not an interface: withTables<T> needs an index-signature-compatible record.
export type TenancyTables = {
  organizations: { id: string; slug: string; name: string; version: Generated<number> } & Timestamps;
  stores: {
    id: string;
    organization_id: string;
    name: string;
    address: ColumnType<Address, string, string>;
    phone: string | null;
    timezone: string;
    currency: string;
    location_lat: number | null;
    location_lng: number | null;
    version: Generated<number>;
  } & Timestamps;
  store_opening_hours: { store_id: string; weekday: number; opens_at: string; closes_at: string };
  store_hours_exceptions: {
    id: string;
    store_id: string;
    date: string;
    closed: boolean;
    intervals: ColumnType<DailyInterval[], string, string>;
    note: string | null;
  } & Timestamps;
  dining_tables: {
    id: string;
    organization_id: string;
    store_id: string;
    label: string;
    seats: number;
    qr_token: string;
  } & Timestamps;
};

export type Executor = Kysely<PlatformTables>;
export const t = (ex: Executor) => ex.withTables<TenancyTables>();

export interface OrganizationRow {
  id: string;
  slug: string;
  name: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** Where a store is (WGS 84 degrees): delivery zones are drawn around it. */
export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface StoreBasics {
  id: string;
  organization_id: string;
  name: string;
  timezone: string;
  currency: string;
  version: number;
  /** null until set; a store needs one to have delivery zones. */
  location: GeoPoint | null;
}

export interface ExceptionRow {
  id: string;
  date: string;
  closed: boolean;
  intervals: DailyInterval[];
  note: string | null;
}

export interface StoreRow extends StoreBasics {
  address: Address;
  phone: string | null;
  created_at: Date;
  updated_at: Date;
  opening_hours: WeeklyInterval[];
  /** Only those inside the date window the caller asked for. */
  exceptions: ExceptionRow[];
}

export interface TableRow {
  id: string;
  organization_id: string;
  store_id: string;
  label: string;
  seats: number;
  qr_token: string;
  created_at: Date;
  updated_at: Date;
}

/** Local dates (YYYY-MM-DD) whose exceptions come along with a store. */
export interface DateWindow {
  from: string;
  to: string;
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === '23505' && pgError.constraint === constraint;
}
