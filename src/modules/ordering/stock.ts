// What ordering needs from inventory: reading levels, and reserving an order's stock and giving
// it back inside the order's transaction. Inventory's public api satisfies this; ordering never touches its tables.
import type { Tx } from '../../platform/db/index.js';

export interface StockKeeper {
  reserve(
    trx: Tx,
    input: {
      organizationId: string;
      storeId: string;
      orderId: string;
      items: Array<{ itemId: string; quantity: number }>;
    },
  ): Promise<
    | { ok: true; soldOut: string[] }
    | { ok: false; shortages: Array<{ itemId: string; requested: number; available: number }> }
  >;
  /** Tracked levels of these items, read without locks; untracked items are absent. */
  levelsOf(storeId: string, itemIds: string[]): Promise<Map<string, number>>;
  release(
    trx: Tx,
    input: { organizationId: string; storeId: string; orderId: string },
  ): Promise<{ released: Array<{ itemId: string; quantity: number }>; backInStock: string[] }>;
}
