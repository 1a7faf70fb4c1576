// The shapes of the delivery tables (migration 0022), for Kysely. Only this module's repos use them.
import type { ColumnType, Kysely } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';
import type { Daypart } from '../../platform/time/wall-clock.js';
import type { ZoneArea, ZoneFee } from './model.js';

type Json<T> = ColumnType<T, string, string>;

export interface ZoneRow {
  id: string;
  version: number;
  organization_id: string;
  store_id: string;
  name: string;
  priority: number;
  area: ZoneArea;
  fee: ZoneFee;
  /** bigint: pg hands it over as a string. */
  free_above: string | null;
  minimum_order: string;
  eta_allowance_minutes: number;
  hours: Daypart[] | null;
  created_at: Date;
  valid_from: Date;
  superseded_at: Date | null;
}

export interface QuoteRow {
  id: string;
  organization_id: string;
  store_id: string;
  customer_id: string | null;
  zone_id: string;
  zone_version: number;
  location_lat: number;
  location_lng: number;
  basket_value: string;
  fee: string;
  eta: Date;
  expires_at: Date;
  created_at: Date;
}

// Types, not interfaces: withTables<T> needs index-signature-compatible records.
export type DeliveryTables = {
  delivery_zones: Omit<ZoneRow, 'area' | 'fee' | 'hours' | 'free_above' | 'minimum_order'> & {
    area: Json<ZoneArea>;
    fee: Json<ZoneFee>;
    hours: Json<Daypart[] | null>;
    free_above: ColumnType<string | null, number | null, number | null>;
    minimum_order: ColumnType<string, number, number>;
  };
  delivery_quotes: Omit<QuoteRow, 'basket_value' | 'fee'> & {
    basket_value: ColumnType<string, number, number>;
    fee: ColumnType<string, number, number>;
  };
};

export type Executor = Kysely<PlatformTables>;
export const tables = (ex: Executor) => ex.withTables<DeliveryTables>();
