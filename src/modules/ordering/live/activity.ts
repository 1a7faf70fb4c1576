// Reading a store's activity sequence forward from a position, as events ready to send: each
// history entry with the order as it is now, and its SSE frame. Built once per wake-up and shared
// by the streams woken by it that stand at the same position.
import type { Db } from '../../../platform/db/index.js';
import type { OrderDeliveries } from '../deliveries.js';
import { historyRepo } from '../history-repo.js';
import { presentHistory, presentOrder } from '../present.js';
import { ordersRepo } from '../repo.js';
import type { Order, OrderStatus } from '../schema.js';
import type { HistoryRow, LineRow } from '../tables.js';
import { cursorOf } from './resume.js';
import { sseFrame } from './sse.js';

/** One row of the activity sequence, ready to send; built once per wake-up, shared by the streams that send it. */
export interface FeedEvent {
  seq: number;
  type: HistoryRow['type'];
  fromStatus: OrderStatus | null;
  status: OrderStatus;
  at: string;
  order: Order;
  /** The SSE frame. */
  frame: string;
}

/** What one read returns: the events, whether more may follow, and the last sequence number read. */
export interface Batch {
  events: FeedEvent[];
  more: boolean;
  last: number | null;
}

function toFeedEvent(row: HistoryRow, order: Order): FeedEvent {
  const seq = Number(row.seq);
  const entry = presentHistory([row])[0]!;
  const data = JSON.stringify({ ...entry, order });
  return {
    seq,
    type: row.type,
    fromStatus: row.from_status,
    status: row.to_status,
    at: entry.at,
    order,
    frame: sseFrame(cursorOf(seq), `order.${row.type}`, data),
  };
}

export function createActivityReader(deps: {
  db: Db;
  deliveries: OrderDeliveries;
  batchSize: number;
  /** Bumped on every wake-up of the store: reads are shared only among streams woken by the same one. */
  generationOf(storeId: string): number;
}) {
  const { db, batchSize } = deps;
  const inflight = new Map<string, Promise<Batch>>();

  async function load(storeId: string, orderId: string | null, after: number): Promise<Batch> {
    const rows =
      orderId === null
        ? await historyRepo.storeEntriesAfter(db, storeId, after, batchSize)
        : await historyRepo.orderEntriesAfter(db, orderId, after, batchSize);
    if (rows.length === 0) return { events: [], more: false, last: null };
    const ids = [...new Set(rows.map((row) => row.order_id))];
    const [orders, lines] = await Promise.all([
      ordersRepo.ordersByIds(db, ids).then((found) => deps.deliveries.openAll(db, found)),
      ordersRepo.linesOf(db, ids),
    ]);
    const linesOf = new Map<string, LineRow[]>();
    for (const line of lines) {
      const list = linesOf.get(line.order_id);
      if (list) list.push(line);
      else linesOf.set(line.order_id, [line]);
    }
    const presented = new Map(orders.map((row) => [row.id, presentOrder(row, linesOf.get(row.id) ?? [])]));
    const events: FeedEvent[] = [];
    for (const row of rows) {
      const order = presented.get(row.order_id);
      // The order is gone (its store was deleted mid-read): so are its events.
      if (order) events.push(toFeedEvent(row, order));
    }
    return { events, more: rows.length === batchSize, last: Number(rows[rows.length - 1]!.seq) };
  }

  return {
    /** The store's (or one order's) events after `after`; streams at the same position woken by the same wake-up share one read. */
    read(storeId: string, orderId: string | null, after: number): Promise<Batch> {
      const key = `${storeId}:${orderId ?? '*'}:${after}:${deps.generationOf(storeId)}`;
      let pending = inflight.get(key);
      if (!pending) {
        pending = load(storeId, orderId, after).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      return pending;
    },
  };
}

export type ActivityReader = ReturnType<typeof createActivityReader>;
