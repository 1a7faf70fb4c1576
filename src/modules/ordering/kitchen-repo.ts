// SQL of how a store's kitchen takes orders: its ordering settings and its kitchen slots'
// capacity. Every function takes the executor (the pool or a transaction) first.
import { sql } from 'kysely';
import type { Executor, NewSettingsRow, OrderingTables } from './tables.js';

const t = (ex: Executor) => ex.withTables<OrderingTables>();

export const kitchenRepo = {
  // --- settings ---------------------------------------------------------------------------------

  async findSettings(ex: Executor, storeId: string) {
    return t(ex).selectFrom('store_ordering_settings').selectAll().where('store_id', '=', storeId).executeTakeFirst();
  },

  async findSettingsForUpdate(ex: Executor, storeId: string) {
    return t(ex)
      .selectFrom('store_ordering_settings')
      .selectAll()
      .where('store_id', '=', storeId)
      .forUpdate()
      .executeTakeFirst();
  },

  async saveSettings(ex: Executor, row: NewSettingsRow): Promise<void> {
    await t(ex)
      .insertInto('store_ordering_settings')
      .values(row)
      .onConflict((oc) => oc.column('store_id').doUpdateSet(row))
      .execute();
  },

  // --- kitchen slots ----------------------------------------------------------------------------

  /**
   * Takes one order and `items` items of a slot's capacity, atomically: one upsert whose update
   * only happens while there is room. False when the slot is full. The row lock it takes is held
   * until commit, so concurrent orders for the slot queue here and never overbook.
   */
  async takeSlot(
    ex: Executor,
    slot: {
      storeId: string;
      pool: string;
      startsAt: Date;
      items: number;
      maxOrders: number | null;
      maxItems: number | null;
    },
  ): Promise<boolean> {
    const maxOrders = slot.maxOrders ?? 2147483647;
    const maxItems = slot.maxItems ?? 2147483647;
    if (maxOrders < 1 || slot.items > maxItems) return false;
    const { rows } = await sql<{ ok: number }>`
      INSERT INTO kitchen_slots AS k (store_id, pool, starts_at, orders_taken, items_taken)
      VALUES (${slot.storeId}, ${slot.pool}, ${slot.startsAt}, 1, ${slot.items})
      ON CONFLICT (store_id, pool, starts_at) DO UPDATE
        SET orders_taken = k.orders_taken + 1, items_taken = k.items_taken + excluded.items_taken
        WHERE k.orders_taken + 1 <= ${maxOrders} AND k.items_taken + excluded.items_taken <= ${maxItems}
      RETURNING 1 AS ok`.execute(ex);
    return rows.length === 1;
  },

  async releaseSlot(
    ex: Executor,
    slot: { storeId: string; pool: string; startsAt: Date; items: number },
  ): Promise<void> {
    await t(ex)
      .updateTable('kitchen_slots')
      .set((eb) => ({ orders_taken: eb('orders_taken', '-', 1), items_taken: eb('items_taken', '-', slot.items) }))
      .where('store_id', '=', slot.storeId)
      .where('pool', '=', slot.pool)
      .where('starts_at', '=', slot.startsAt)
      .execute();
  },

  async slotUsage(ex: Executor, storeId: string, pool: string, from: Date, to: Date) {
    return t(ex)
      .selectFrom('kitchen_slots')
      .select(['starts_at', 'orders_taken', 'items_taken'])
      .where('store_id', '=', storeId)
      .where('pool', '=', pool)
      .where('starts_at', '>=', from)
      .where('starts_at', '<', to)
      .execute();
  },
};
