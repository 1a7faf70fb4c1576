// SQL of delivery zones (one row per version) and held quotes. Every function takes the executor
// (the pool or a transaction) first, so services decide what runs where.
import { tables as t, type Executor, type QuoteRow, type ZoneRow } from './tables.js';

export type NewZone = Omit<ZoneRow, 'free_above' | 'minimum_order' | 'superseded_at'> & {
  free_above: number | null;
  minimum_order: number;
};
export type NewQuote = Omit<QuoteRow, 'basket_value' | 'fee'> & { basket_value: number; fee: number };

const toJson = (zone: NewZone) => ({
  ...zone,
  area: JSON.stringify(zone.area),
  fee: JSON.stringify(zone.fee),
  hours: JSON.stringify(zone.hours),
});

export const zonesRepo = {
  /** The store's zones in force, highest priority first. */
  async current(ex: Executor, storeId: string): Promise<ZoneRow[]> {
    return t(ex)
      .selectFrom('delivery_zones')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('superseded_at', 'is', null)
      .orderBy('priority', 'desc')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  },

  /** The version in force of one of the store's zones; `lock` holds it for a change. */
  async find(ex: Executor, storeId: string, zoneId: string, lock = false): Promise<ZoneRow | null> {
    let query = t(ex)
      .selectFrom('delivery_zones')
      .selectAll()
      .where('id', '=', zoneId)
      .where('store_id', '=', storeId)
      .where('superseded_at', 'is', null);
    if (lock) query = query.forUpdate();
    return (await query.executeTakeFirst()) ?? null;
  },

  /** One version, in force or not (what a held quote was priced on). */
  async version(ex: Executor, zoneId: string, version: number): Promise<ZoneRow | null> {
    return (
      (await t(ex)
        .selectFrom('delivery_zones')
        .selectAll()
        .where('id', '=', zoneId)
        .where('version', '=', version)
        .executeTakeFirst()) ?? null
    );
  },

  async insert(ex: Executor, zone: NewZone): Promise<ZoneRow> {
    return t(ex).insertInto('delivery_zones').values(toJson(zone)).returningAll().executeTakeFirstOrThrow();
  },

  async supersede(ex: Executor, zoneId: string, version: number, at: Date): Promise<void> {
    await t(ex)
      .updateTable('delivery_zones')
      .set({ superseded_at: at })
      .where('id', '=', zoneId)
      .where('version', '=', version)
      .execute();
  },

  async insertQuote(ex: Executor, quote: NewQuote): Promise<void> {
    await t(ex).insertInto('delivery_quotes').values(quote).execute();
  },

  async findQuote(ex: Executor, quoteId: string): Promise<QuoteRow | null> {
    return (await t(ex).selectFrom('delivery_quotes').selectAll().where('id', '=', quoteId).executeTakeFirst()) ?? null;
  },

  async forgetQuotesOf(ex: Executor, customerId: string): Promise<void> {
    await t(ex).deleteFrom('delivery_quotes').where('customer_id', '=', customerId).execute();
  },

  /** Quotes that expired before `before`: nobody can place with them any more. */
  async purgeQuotes(ex: Executor, before: Date): Promise<number> {
    const result = await t(ex).deleteFrom('delivery_quotes').where('expires_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  },
};
