// SQL of 86s: what is off sale at a store, until when, and why (staff, or tracked stock that
// ran out). One 86 per target and store.
import { sql } from 'kysely';
import { t, type EightySixReason, type Executor } from './tables.js';

export interface EightySixRow {
  id: string;
  item_id: string | null;
  option_id: string | null;
  until: Date | null;
  reason: EightySixReason;
  created_at: Date;
}

const EIGHTY_SIX_COLUMNS = ['id', 'item_id', 'option_id', 'until', 'reason', 'created_at'] as const;

export const eightySixRepo = {
  /** 86s in force at `now` (no end, or an end still ahead). */
  async activeEightySixes(ex: Executor, storeId: string, now: Date): Promise<EightySixRow[]> {
    return t(ex)
      .selectFrom('eighty_sixes')
      .select(EIGHTY_SIX_COLUMNS)
      .where('store_id', '=', storeId)
      .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', now)]))
      .orderBy('id')
      .execute();
  },

  /** One 86 per target and store: a new one replaces the old (a new end, or none). */
  async putEightySix(
    ex: Executor,
    row: {
      id: string;
      organization_id: string;
      store_id: string;
      item_id: string | null;
      option_id: string | null;
      until: Date | null;
      created_by: string | null;
    },
  ): Promise<EightySixRow> {
    await t(ex)
      .deleteFrom('eighty_sixes')
      .where('store_id', '=', row.store_id)
      .where(sql<boolean>`coalesce(item_id, option_id) = ${row.item_id ?? row.option_id}`)
      .execute();
    return t(ex).insertInto('eighty_sixes').values(row).returning(EIGHTY_SIX_COLUMNS).executeTakeFirstOrThrow();
  },

  async deleteEightySix(ex: Executor, storeId: string, id: string): Promise<boolean> {
    const result = await t(ex)
      .deleteFrom('eighty_sixes')
      .where('store_id', '=', storeId)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  },

  /**
   * A sold-out 86 of the item, unless one is in force already (a manual 86 is left as it is).
   * An expired 86 still holds the target's one row (eighty_sixes_target_key): that one is
   * replaced, else the item would show on the menu with nothing left. True when it was written.
   */
  async markSoldOut(
    ex: Executor,
    row: { id: string; organization_id: string; store_id: string; item_id: string },
  ): Promise<boolean> {
    const written = await t(ex)
      .insertInto('eighty_sixes')
      .values({ ...row, option_id: null, until: null, created_by: null, reason: 'sold_out' })
      .onConflict((oc) =>
        oc
          .expression(sql`store_id, coalesce(item_id, option_id)`)
          .doUpdateSet({ id: row.id, reason: 'sold_out', until: null, created_by: null, created_at: sql<Date>`now()` })
          .where('eighty_sixes.until', '<=', sql<Date>`now()`),
      )
      .returning('id')
      .executeTakeFirst();
    return written !== undefined;
  },

  /** Lifts the item's sold-out 86 at the store; a manual one stays. True when there was one. */
  async clearSoldOut(ex: Executor, storeId: string, itemId: string): Promise<boolean> {
    const result = await t(ex)
      .deleteFrom('eighty_sixes')
      .where('store_id', '=', storeId)
      .where('item_id', '=', itemId)
      .where('reason', '=', 'sold_out')
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  },
};
