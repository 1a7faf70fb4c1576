// SQL for the tenancy tables, and nothing else. Every function takes the executor (the pool or
// a transaction) first, so services decide what runs in which transaction.
import { sql, type ColumnType, type Generated, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
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
const t = (ex: Executor) => ex.withTables<TenancyTables>();

export interface OrganizationRow {
  id: string;
  slug: string;
  name: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface StoreBasics {
  id: string;
  organization_id: string;
  name: string;
  timezone: string;
  currency: string;
  version: number;
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

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === '23505' && pgError.constraint === constraint;
}

const ORGANIZATION_COLUMNS = ['id', 'slug', 'name', 'version', 'created_at', 'updated_at'] as const;
const TABLE_COLUMNS = [
  'id',
  'organization_id',
  'store_id',
  'label',
  'seats',
  'qr_token',
  'created_at',
  'updated_at',
] as const;

/** A store with its weekly hours and the exceptions in the window: one query, no N+1. */
function storesWithHours(ex: Executor, window: DateWindow) {
  return t(ex)
    .selectFrom('stores as s')
    .select([
      's.id',
      's.organization_id',
      's.name',
      's.address',
      's.phone',
      's.timezone',
      's.currency',
      's.version',
      's.created_at',
      's.updated_at',
    ])
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('store_opening_hours as h')
          .select([
            'h.weekday',
            sql<string>`to_char(h.opens_at, 'HH24:MI')`.as('opens_at'),
            sql<string>`to_char(h.closes_at, 'HH24:MI')`.as('closes_at'),
          ])
          .whereRef('h.store_id', '=', 's.id')
          .orderBy('h.weekday')
          .orderBy('h.opens_at'),
      ).as('opening_hours'),
      jsonArrayFrom(
        eb
          .selectFrom('store_hours_exceptions as e')
          .select(['e.id', sql<string>`e.date::text`.as('date'), 'e.closed', 'e.intervals', 'e.note'])
          .whereRef('e.store_id', '=', 's.id')
          .where('e.date', '>=', window.from)
          .where('e.date', '<=', window.to)
          .orderBy('e.date'),
      ).as('exceptions'),
    ]);
}

export const tenancyRepo = {
  // --- organizations -------------------------------------------------------------------------

  /** null when the slug is taken. */
  async insertOrganization(
    ex: Executor,
    row: { id: string; slug: string; name: string },
  ): Promise<OrganizationRow | null> {
    const inserted = await t(ex)
      .insertInto('organizations')
      .values(row)
      .onConflict((oc) => oc.column('slug').doNothing())
      .returning(ORGANIZATION_COLUMNS)
      .executeTakeFirst();
    return inserted ?? null;
  },

  async findOrganization(ex: Executor, id: string): Promise<OrganizationRow | null> {
    return (
      (await t(ex).selectFrom('organizations').select(ORGANIZATION_COLUMNS).where('id', '=', id).executeTakeFirst()) ??
      null
    );
  },

  async findOrganizationBySlug(ex: Executor, slug: string): Promise<OrganizationRow | null> {
    return (
      (await t(ex)
        .selectFrom('organizations')
        .select(ORGANIZATION_COLUMNS)
        .where('slug', '=', slug)
        .executeTakeFirst()) ?? null
    );
  },

  /** 'stale' when the version moved on (or the row is gone), 'slug_taken' when the new slug belongs to another. */
  async updateOrganization(
    ex: Executor,
    id: string,
    expectedVersion: number | null,
    patch: { slug?: string; name?: string },
  ): Promise<OrganizationRow | 'stale' | 'slug_taken'> {
    try {
      let update = t(ex)
        .updateTable('organizations')
        .set({ ...patch, version: sql`version + 1`, updated_at: sql`now()` })
        .where('id', '=', id);
      if (expectedVersion !== null) update = update.where('version', '=', expectedVersion);
      const updated = await update.returning(ORGANIZATION_COLUMNS).executeTakeFirst();
      return updated ?? 'stale';
    } catch (error) {
      if (isUniqueViolation(error, 'organizations_slug_key')) return 'slug_taken';
      throw error;
    }
  },

  /** Everything of the organization goes with it (foreign keys cascade). */
  async deleteOrganizationBySlug(ex: Executor, slug: string): Promise<boolean> {
    const result = await t(ex).deleteFrom('organizations').where('slug', '=', slug).executeTakeFirst();
    return result.numDeletedRows > 0n;
  },

  // --- stores --------------------------------------------------------------------------------

  async insertStore(
    ex: Executor,
    row: {
      id: string;
      organization_id: string;
      name: string;
      address: Address;
      phone: string | null;
      timezone: string;
      currency: string;
    },
  ): Promise<void> {
    await t(ex)
      .insertInto('stores')
      .values({ ...row, address: JSON.stringify(row.address) })
      .execute();
  },

  async findStoreBasics(ex: Executor, id: string): Promise<StoreBasics | null> {
    const row = await t(ex)
      .selectFrom('stores')
      .select(['id', 'organization_id', 'name', 'timezone', 'currency', 'version'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  },

  async storeIdsOf(ex: Executor, organizationId: string): Promise<string[]> {
    const rows = await t(ex).selectFrom('stores').select('id').where('organization_id', '=', organizationId).execute();
    return rows.map((row) => row.id);
  },

  async findStore(ex: Executor, id: string, window: DateWindow): Promise<StoreRow | null> {
    return (await storesWithHours(ex, window).where('s.id', '=', id).executeTakeFirst()) ?? null;
  },

  /** The public directory, in id (creation) order, optionally one organization's stores. */
  async listStores(
    ex: Executor,
    query: { organizationSlug: string | null; afterId: string | null; limit: number; window: DateWindow },
  ): Promise<StoreRow[]> {
    let select = storesWithHours(ex, query.window);
    if (query.organizationSlug !== null) {
      const slug = query.organizationSlug;
      select = select.where('s.organization_id', '=', (eb) =>
        eb.selectFrom('organizations').select('id').where('slug', '=', slug),
      );
    }
    if (query.afterId !== null) select = select.where('s.id', '>', query.afterId);
    return select
      .orderBy('s.id')
      .limit(query.limit + 1)
      .execute();
  },

  /**
   * Bumps the store's version when it still is `expectedVersion` (null: whatever it is) and
   * returns the new one, or null. The row stays locked until commit, so concurrent writers to
   * a store's hours queue up behind each other.
   */
  async bumpStoreVersion(
    ex: Executor,
    id: string,
    expectedVersion: number | null,
    patch: { name?: string; address?: Address; phone?: string | null; timezone?: string; currency?: string } = {},
  ): Promise<number | null> {
    const { address, ...rest } = patch;
    let update = t(ex)
      .updateTable('stores')
      .set({
        ...rest,
        ...(address ? { address: JSON.stringify(address) } : {}),
        version: sql`version + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id);
    if (expectedVersion !== null) update = update.where('version', '=', expectedVersion);
    const row = await update.returning('version').executeTakeFirst();
    return row?.version ?? null;
  },

  async replaceOpeningHours(ex: Executor, storeId: string, weekly: WeeklyInterval[]): Promise<void> {
    await t(ex).deleteFrom('store_opening_hours').where('store_id', '=', storeId).execute();
    if (weekly.length === 0) return;
    await t(ex)
      .insertInto('store_opening_hours')
      .values(weekly.map((interval) => ({ store_id: storeId, ...interval })))
      .execute();
  },

  // --- hours exceptions ----------------------------------------------------------------------

  /** Creates or replaces the exception of a date; `created` says which. */
  async upsertHoursException(
    ex: Executor,
    row: {
      id: string;
      store_id: string;
      date: string;
      closed: boolean;
      intervals: DailyInterval[];
      note: string | null;
    },
  ): Promise<ExceptionRow & { created: boolean }> {
    const saved = await t(ex)
      .insertInto('store_hours_exceptions')
      .values({ ...row, intervals: JSON.stringify(row.intervals) })
      .onConflict((oc) =>
        oc.columns(['store_id', 'date']).doUpdateSet((eb) => ({
          closed: eb.ref('excluded.closed'),
          intervals: eb.ref('excluded.intervals'),
          note: eb.ref('excluded.note'),
          updated_at: sql`now()`,
        })),
      )
      // xmax is 0 only for a freshly inserted row version: PostgreSQL's "inserted or updated?".
      .returning([
        'id',
        sql<string>`date::text`.as('date'),
        'closed',
        'intervals',
        'note',
        sql<boolean>`xmax = 0`.as('created'),
      ])
      .executeTakeFirstOrThrow();
    return saved;
  },

  async deleteHoursException(ex: Executor, storeId: string, date: string): Promise<boolean> {
    const result = await t(ex)
      .deleteFrom('store_hours_exceptions')
      .where('store_id', '=', storeId)
      .where('date', '=', date)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  },

  async listHoursExceptions(
    ex: Executor,
    storeId: string,
    query: { fromDate: string; afterDate: string | null; limit: number },
  ): Promise<ExceptionRow[]> {
    let select = t(ex)
      .selectFrom('store_hours_exceptions')
      .select(['id', sql<string>`date::text`.as('date'), 'closed', 'intervals', 'note'])
      .where('store_id', '=', storeId)
      .where('date', '>=', query.fromDate);
    if (query.afterDate !== null) select = select.where('date', '>', query.afterDate);
    return select
      .orderBy('date')
      .limit(query.limit + 1)
      .execute();
  },

  // --- tables --------------------------------------------------------------------------------

  /** null when the store already has a table with this label. */
  async insertTable(ex: Executor, row: Omit<TableRow, 'created_at' | 'updated_at'>): Promise<TableRow | null> {
    const inserted = await t(ex)
      .insertInto('dining_tables')
      .values(row)
      .onConflict((oc) => oc.columns(['store_id', 'label']).doNothing())
      .returning(TABLE_COLUMNS)
      .executeTakeFirst();
    return inserted ?? null;
  },

  async findTable(ex: Executor, id: string): Promise<TableRow | null> {
    return (
      (await t(ex).selectFrom('dining_tables').select(TABLE_COLUMNS).where('id', '=', id).executeTakeFirst()) ?? null
    );
  },

  async findTableByQrToken(ex: Executor, qrToken: string): Promise<TableRow | null> {
    return (
      (await t(ex)
        .selectFrom('dining_tables')
        .select(TABLE_COLUMNS)
        .where('qr_token', '=', qrToken)
        .executeTakeFirst()) ?? null
    );
  },

  async listTables(
    ex: Executor,
    storeId: string,
    query: { afterId: string | null; limit: number },
  ): Promise<TableRow[]> {
    let select = t(ex).selectFrom('dining_tables').select(TABLE_COLUMNS).where('store_id', '=', storeId);
    if (query.afterId !== null) select = select.where('id', '>', query.afterId);
    return select
      .orderBy('id')
      .limit(query.limit + 1)
      .execute();
  },

  /** null when there is no such table in the store; 'label_taken' on a duplicate label. */
  async updateTable(
    ex: Executor,
    storeId: string,
    id: string,
    patch: { label?: string; seats?: number; qr_token?: string },
  ): Promise<TableRow | null | 'label_taken'> {
    try {
      const updated = await t(ex)
        .updateTable('dining_tables')
        .set({ ...patch, updated_at: sql`now()` })
        .where('id', '=', id)
        .where('store_id', '=', storeId)
        .returning(TABLE_COLUMNS)
        .executeTakeFirst();
      return updated ?? null;
    } catch (error) {
      if (isUniqueViolation(error, 'dining_tables_store_id_label_key')) return 'label_taken';
      throw error;
    }
  },

  async deleteTable(ex: Executor, storeId: string, id: string): Promise<boolean> {
    const result = await t(ex)
      .deleteFrom('dining_tables')
      .where('id', '=', id)
      .where('store_id', '=', storeId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  },
};
