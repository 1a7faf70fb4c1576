// SQL of the store's activity sequence: the counter row that numbers orders and history entries,
// and order_events, the entries themselves (an order's history, and what the live streams read
// forward from a position). Every function takes the executor (the pool or a transaction) first.
import { sql } from 'kysely';
import type { Executor, HistoryRow, NewHistoryEntry, OrderingTables } from './tables.js';

const t = (ex: Executor) => ex.withTables<OrderingTables>();

export const historyRepo = {
  /**
   * The next `entries` activity numbers of the store and, when `newOrder`, the next order number
   * of its local day. Locks the store's counter row until commit: the activity sequence is then
   * gap-free and in commit order, which is what lets the kitchen feed resume from a number.
   */
  async nextNumbers(
    ex: Executor,
    input: { storeId: string; businessDate: string; entries: number; newOrder: boolean },
  ): Promise<{ firstSeq: number; number: number }> {
    const add = input.newOrder ? 1 : 0;
    const { rows } = await sql<{ last_seq: string; last_number: number }>`
      INSERT INTO store_order_counters AS c (store_id, last_seq, business_date, last_number)
      VALUES (${input.storeId}, ${input.entries}, ${input.businessDate}, ${add})
      ON CONFLICT (store_id) DO UPDATE SET
        last_seq = c.last_seq + ${input.entries},
        last_number = CASE WHEN c.business_date = excluded.business_date THEN c.last_number + ${add}
                           WHEN excluded.business_date > c.business_date THEN ${add} ELSE c.last_number + ${add} END,
        business_date = GREATEST(c.business_date, excluded.business_date)
      RETURNING last_seq, last_number`.execute(ex);
    const row = rows[0]!;
    return { firstSeq: Number(row.last_seq) - input.entries + 1, number: row.last_number };
  },

  async appendEntries(
    ex: Executor,
    order: { storeId: string; orderId: string; at: Date },
    firstSeq: number,
    entries: NewHistoryEntry[],
  ): Promise<void> {
    await t(ex)
      .insertInto('order_events')
      .values(
        entries.map((entry, index) => ({
          ...entry,
          store_id: order.storeId,
          order_id: order.orderId,
          seq: firstSeq + index,
          occurred_at: order.at,
        })),
      )
      .execute();
  },

  async entriesOf(ex: Executor, orderId: string): Promise<HistoryRow[]> {
    return (await t(ex)
      .selectFrom('order_events')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('seq')
      .execute()) as HistoryRow[];
  },

  /** The store's events after `afterSeq`, in sequence order (served by the primary key). */
  async storeEntriesAfter(ex: Executor, storeId: string, afterSeq: number, limit: number): Promise<HistoryRow[]> {
    return (await t(ex)
      .selectFrom('order_events')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('seq', '>', String(afterSeq))
      .orderBy('seq')
      .limit(limit)
      .execute()) as HistoryRow[];
  },

  /** One order's events after `afterSeq`, in sequence order (order_events_order_idx). */
  async orderEntriesAfter(ex: Executor, orderId: string, afterSeq: number, limit: number): Promise<HistoryRow[]> {
    return (await t(ex)
      .selectFrom('order_events')
      .selectAll()
      .where('order_id', '=', orderId)
      .where('seq', '>', String(afterSeq))
      .orderBy('seq')
      .limit(limit)
      .execute()) as HistoryRow[];
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
};
