// Business rules of inventory. A level changes in two ways only: a manager sets the count (or
// stops tracking) — stock-counts.ts — or an order takes and gives back portions —
// reservations.ts. This file composes the two with the reads other modules and the checker use.
import { isUuid } from '../../platform/http/schema.js';
import { createReservations } from './reservations.js';
import { inventoryRepo as repo, type AuditRow, type Executor } from './repo.js';
import { createStockCounts } from './stock-counts.js';
import type { InventoryServiceDeps } from './deps.js';

export type { Release, Reservation, Shortage, StockLine } from './reservations.js';

export type { InventoryServiceDeps } from './deps.js';

export type AuditFinding = AuditRow;

export function createInventoryService(deps: InventoryServiceDeps) {
  const { catalog } = deps;
  return {
    ...createStockCounts(deps),
    ...createReservations(deps),

    /** Tracked levels of these items, without locking (basket checks, quotes); untracked items are absent. */
    async levelsOf(storeId: string, itemIds: string[]): Promise<Map<string, number>> {
      const ids = itemIds.filter(isUuid);
      return new Map((await repo.levelsOf(deps.db, storeId, ids)).map((row) => [row.item_id, row.quantity]));
    },

    /** (store, item) pairs whose level differs from the sum of their moves; empty when the ledger is sound. */
    async audit(ex: Executor, filter: { storeId?: string } = {}): Promise<AuditFinding[]> {
      return repo.audit(ex, filter.storeId ?? null);
    },

    async heldByOrders(
      ex: Executor,
      orderIds: string[],
    ): Promise<Array<{ order_id: string; item_id: string; held: number }>> {
      return repo.heldByOrders(ex, orderIds);
    },

    /** Drops the store's cached menus; after a committed reservation or release that changed a sold-out 86. */
    async refreshMenus(input: { organizationId: string; storeId: string }): Promise<void> {
      await catalog.invalidate({ organizationId: input.organizationId, storeIds: [input.storeId] });
    },
  };
}

export type InventoryService = ReturnType<typeof createInventoryService>;
