// SQL for stores (an organization's locations): their settings and version, and reading a store
// together with its weekly hours and the exceptions in a date window.
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import {
  t,
  type Address,
  type DateWindow,
  type Executor,
  type GeoPoint,
  type StoreBasics,
  type StoreRow,
} from './db-tables.js';

const locationOf = (lat: number | null, lng: number | null): GeoPoint | null =>
  lat === null || lng === null ? null : { lat, lng };

/** The two location columns as one point (or null). */
function withLocation<R extends { location_lat: number | null; location_lng: number | null }>(row: R) {
  const { location_lat, location_lng, ...rest } = row;
  return { ...rest, location: locationOf(location_lat, location_lng) };
}

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
      's.location_lat',
      's.location_lng',
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

export const storesRepo = {
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
      location: GeoPoint | null;
    },
  ): Promise<void> {
    const { location, ...fields } = row;
    await t(ex)
      .insertInto('stores')
      .values({
        ...fields,
        address: JSON.stringify(row.address),
        location_lat: location?.lat ?? null,
        location_lng: location?.lng ?? null,
      })
      .execute();
  },

  async findStoreBasics(ex: Executor, id: string): Promise<StoreBasics | null> {
    const row = await t(ex)
      .selectFrom('stores')
      .select(['id', 'organization_id', 'name', 'timezone', 'currency', 'version', 'location_lat', 'location_lng'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    const { location_lat, location_lng, ...basics } = row;
    return { ...basics, location: locationOf(location_lat, location_lng) };
  },

  async storeIdsOf(ex: Executor, organizationId: string): Promise<string[]> {
    const rows = await t(ex).selectFrom('stores').select('id').where('organization_id', '=', organizationId).execute();
    return rows.map((row) => row.id);
  },

  async findStore(ex: Executor, id: string, window: DateWindow): Promise<StoreRow | null> {
    const row = await storesWithHours(ex, window).where('s.id', '=', id).executeTakeFirst();
    return row ? withLocation(row) : null;
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
    const rows = await select
      .orderBy('s.id')
      .limit(query.limit + 1)
      .execute();
    return rows.map(withLocation);
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
    patch: {
      name?: string;
      address?: Address;
      phone?: string | null;
      timezone?: string;
      currency?: string;
      location?: GeoPoint | null;
    } = {},
  ): Promise<number | null> {
    const { address, location, ...rest } = patch;
    let update = t(ex)
      .updateTable('stores')
      .set({
        ...rest,
        ...(address ? { address: JSON.stringify(address) } : {}),
        ...(location !== undefined ? { location_lat: location?.lat ?? null, location_lng: location?.lng ?? null } : {}),
        version: sql`version + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id);
    if (expectedVersion !== null) update = update.where('version', '=', expectedVersion);
    const row = await update.returning('version').executeTakeFirst();
    return row?.version ?? null;
  },
};
