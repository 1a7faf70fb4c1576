// SQL of the live feeds: reading a store's activity sequence (order_events) forward from a
// position, and the orders those rows are about. Reads only; writes are placement's and orders'.
import type { EventRow, Executor, OrderingTables, OrderRow } from './repo.js';

const t = (ex: Executor) => ex.withTables<OrderingTables>();

export const liveRepo = {
  /** The store's events after `afterSeq`, in sequence order (served by the primary key). */
  async storeEventsAfter(ex: Executor, storeId: string, afterSeq: number, limit: number): Promise<EventRow[]> {
    return (await t(ex)
      .selectFrom('order_events')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('seq', '>', String(afterSeq))
      .orderBy('seq')
      .limit(limit)
      .execute()) as EventRow[];
  },

  /** One order's events after `afterSeq`, in sequence order (order_events_order_idx). */
  async orderEventsAfter(ex: Executor, orderId: string, afterSeq: number, limit: number): Promise<EventRow[]> {
    return (await t(ex)
      .selectFrom('order_events')
      .selectAll()
      .where('order_id', '=', orderId)
      .where('seq', '>', String(afterSeq))
      .orderBy('seq')
      .limit(limit)
      .execute()) as EventRow[];
  },

  /**
   * The last activity number the store has committed (0 before its first order). Numbers are
   * taken under the counter row's lock and committed with their events, so every event up to
   * this one is visible now and every later one commits later.
   */
  async storeHead(ex: Executor, storeId: string): Promise<number> {
    const row = await t(ex)
      .selectFrom('store_order_counters')
      .select('last_seq')
      .where('store_id', '=', storeId)
      .executeTakeFirst();
    return row ? Number(row.last_seq) : 0;
  },

  async ordersByIds(ex: Executor, orderIds: string[]): Promise<OrderRow[]> {
    if (orderIds.length === 0) return [];
    return (await t(ex).selectFrom('orders').selectAll().where('id', 'in', orderIds).execute()) as OrderRow[];
  },
};
