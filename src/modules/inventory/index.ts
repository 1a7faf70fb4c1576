// Inventory owns tracked stock per store and its append-only ledger of moves: managers set the
// count, orders reserve and release portions, and an item at zero is 86'd as sold out.
import type { Db, Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import type { InventoryEvents } from './events.js';
import type { Executor } from './repo.js';
import { inventoryRoutes } from './routes.js';
import {
  createInventoryService,
  type AuditFinding,
  type InventoryServiceDeps,
  type Release,
  type Reservation,
  type StockLine,
} from './service.js';

export type { InventoryEvents } from './events.js';
export type { AuditFinding, Release, Reservation, Shortage, StockLine } from './service.js';

export interface InventoryDeps {
  db: Db;
  events: EventAppender<InventoryEvents>;
  /** markSoldOut / clearSoldOut (the sold-out 86), findItem, and invalidate after commit. */
  catalog: InventoryServiceDeps['catalog'];
  tenancy: InventoryServiceDeps['tenancy'];
}

export function createInventoryModule(deps: InventoryDeps) {
  const service = createInventoryService(deps);
  const surface: ModuleSurface = { routes: inventoryRoutes(service), jobs: [] };
  return {
    ...surface,
    /** What ordering (and tests, and the invariant checker) may call. */
    api: {
      /**
       * Reserves the order's items inside the caller's transaction. Duplicate items are merged;
       * levels are taken in item id order (so concurrent orders cannot deadlock); untracked items
       * are unlimited. ok: every tracked item was taken and an 'order_reserved' move appended;
       * `soldOut` lists the items that reached zero (now 86'd). Not ok: every short item is
       * listed and nothing was taken. After commit, call refreshMenus when `soldOut` is not empty.
       */
      reserve: (
        trx: Tx,
        input: { organizationId: string; storeId: string; orderId: string; items: StockLine[] },
      ): Promise<Reservation> => service.reserve(trx, input),
      /**
       * Gives back, inside the caller's transaction, what the order still holds of each item that
       * is still tracked (an 'order_released' move each), and lifts the sold-out 86s of those
       * items. A second call releases nothing. After commit, call refreshMenus when `backInStock`
       * is not empty.
       */
      release: (trx: Tx, input: { organizationId: string; storeId: string; orderId: string }): Promise<Release> =>
        service.release(trx, input),
      /** Tracked levels of these items at the store, without locking (quotes, basket checks); untracked items are absent. */
      levelsOf: (storeId: string, itemIds: string[]): Promise<Map<string, number>> =>
        service.levelsOf(storeId, itemIds),
      /** What each of these orders still holds, per item; orders holding nothing are absent. */
      heldByOrders: (ex: Executor, orderIds: string[]) => service.heldByOrders(ex, orderIds),
      /** (store, item) pairs whose level is not the sum of their ledger moves; empty when sound. */
      audit: (ex: Executor, filter: { storeId?: string } = {}): Promise<AuditFinding[]> => service.audit(ex, filter),
      /** Drops the store's cached menus (every node); after a commit that sold an item out or back in. */
      refreshMenus: (input: { organizationId: string; storeId: string }): Promise<void> => service.refreshMenus(input),
    },
  };
}

export type InventoryModule = ReturnType<typeof createInventoryModule>;
export type InventoryApi = InventoryModule['api'];
