// An order's history, written one way. Every entry takes the next number of its store's activity
// sequence under the store's counter-row lock (history-repo.ts), so the sequence stays gap-free
// and in commit order: what the live streams resume from, and what GET /v1/orders/{id} shows.
import type { Tx } from '../../platform/db/index.js';
import { historyRepo } from './history-repo.js';
import type { NewHistoryEntry } from './tables.js';

/** A-001 … A-999, B-001 …: short enough to call out across a counter. */
export function orderNumber(n: number): string {
  const letter = String.fromCharCode(65 + (Math.floor((n - 1) / 999) % 26));
  return `${letter}-${String(((n - 1) % 999) + 1).padStart(3, '0')}`;
}

/** Whose history: the order, its store, and the store-local day its number belongs to. */
export interface HistoryOwner {
  storeId: string;
  orderId: string;
  businessDate: string;
}

/** Appends `entries` to an order's history at `at`, inside the caller's transaction. */
export async function appendHistory(trx: Tx, order: HistoryOwner, at: Date, entries: NewHistoryEntry[]): Promise<void> {
  const { firstSeq } = await historyRepo.nextNumbers(trx, {
    storeId: order.storeId,
    businessDate: order.businessDate,
    entries: entries.length,
    newOrder: false,
  });
  await historyRepo.appendEntries(trx, { storeId: order.storeId, orderId: order.orderId, at }, firstSeq, entries);
}

/**
 * A new order's number of the day, and its first history entries' numbers taken with it (one
 * statement on the counter row, which placement takes last). The order row carries the number,
 * so it is written between the two: `writeHistory` appends the entries once it exists.
 */
export async function numberNewOrder(
  trx: Tx,
  store: { storeId: string; businessDate: string },
  entries: NewHistoryEntry[],
): Promise<{ number: string; writeHistory(orderId: string, at: Date): Promise<void> }> {
  const numbers = await historyRepo.nextNumbers(trx, {
    storeId: store.storeId,
    businessDate: store.businessDate,
    entries: entries.length,
    newOrder: true,
  });
  return {
    number: orderNumber(numbers.number),
    writeHistory: (orderId, at) =>
      historyRepo.appendEntries(trx, { storeId: store.storeId, orderId, at }, numbers.firstSeq, entries),
  };
}
