// The order's side of stock: an order takes its portions when it is placed and gives back what
// it still holds when it is cancelled, both inside the order's own transaction, with levels
// locked in item id order so that concurrent orders cannot deadlock.
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/index.js';
import { ValidationError, type FieldError } from '../../platform/http/errors.js';
import { isUuid } from '../../platform/http/schema.js';
import { stockAggregate } from './events.js';
import { inventoryRepo as repo, type NewMove } from './repo.js';
import { MAX_QUANTITY } from './schema.js';
import type { InventoryServiceDeps } from './deps.js';

export interface StockLine {
  itemId: string;
  quantity: number;
}

export interface Shortage {
  itemId: string;
  requested: number;
  /** What the store has left (0 or more, less than requested). */
  available: number;
}

export type Reservation = { ok: true; soldOut: string[] } | { ok: false; shortages: Shortage[] };

export interface Release {
  /** What was given back, per item still tracked. */
  released: StockLine[];
  /** Items whose sold-out 86 was lifted. */
  backInStock: string[];
}

/** Merges duplicate items; ascending item id, the one order every transaction locks levels in. */
function mergeLines(items: StockLine[]): StockLine[] {
  const problems: FieldError[] = [];
  const totals = new Map<string, number>();
  items.forEach((line, index) => {
    if (!isUuid(line.itemId)) problems.push({ path: `/items/${index}/itemId`, message: 'must be a UUID' });
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY)
      problems.push({ path: `/items/${index}/quantity`, message: `must be a whole number from 1 to ${MAX_QUANTITY}` });
    const itemId = line.itemId.toLowerCase();
    totals.set(itemId, (totals.get(itemId) ?? 0) + line.quantity);
  });
  if (problems.length > 0) throw new ValidationError(problems);
  return [...totals]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([itemId, quantity]) => ({ itemId, quantity }));
}

function requireTransaction(trx: Tx, what: string): void {
  // Stock taken outside the caller's transaction would outlive an order that rolls back.
  if (!trx.isTransaction) throw new Error(`${what} must run inside the caller's transaction`);
}

/** The order took the level across its low-stock mark: from above it to at or below it. */
const crossedLowMark = (line: { quantity: number; balance: number; lowStockAt: number | null }) =>
  line.lowStockAt !== null && line.balance <= line.lowStockAt && line.balance + line.quantity > line.lowStockAt;

export function createReservations(deps: Pick<InventoryServiceDeps, 'catalog' | 'events'>) {
  const { catalog } = deps;

  /** The new level and its low-stock mark; what is left when short; null when the item is not tracked (unlimited). */
  async function takeLine(
    trx: Tx,
    storeId: string,
    line: StockLine,
  ): Promise<{ balance: number; lowStockAt: number | null } | { available: number } | null> {
    for (let attempt = 1; ; attempt++) {
      const taken = await repo.take(trx, storeId, line.itemId, line.quantity);
      if (taken !== null) return { balance: taken.quantity, lowStockAt: taken.low_stock_at };
      const level = await repo.findLevel(trx, storeId, line.itemId);
      if (level === null) return null;
      // Enough after all: restocked between the failed take and the read. Try again, a few times.
      if (level.quantity < line.quantity || attempt >= 3) return { available: level.quantity };
    }
  }

  return {
    /**
     * Takes the order's items, each with one conditional update, in item id order. Untracked
     * items are unlimited. On any shortage nothing is taken (the decrements roll back to a
     * savepoint) and every short item is reported.
     */
    async reserve(
      trx: Tx,
      input: { organizationId: string; storeId: string; orderId: string; items: StockLine[] },
    ): Promise<Reservation> {
      requireTransaction(trx, 'reserve');
      const { organizationId, storeId, orderId } = input;
      // Most items are not tracked: one read finds the ones that are, and only those are taken
      // (an order of untracked items costs this one query and no lock).
      const merged = mergeLines(input.items);
      const tracked = new Set(
        (
          await repo.levelsOf(
            trx,
            storeId,
            merged.map((line) => line.itemId),
          )
        ).map((row) => row.item_id),
      );
      const lines = merged.filter((line) => tracked.has(line.itemId));
      if (lines.length === 0) return { ok: true, soldOut: [] };
      await repo.savepoint(trx);
      const taken: Array<StockLine & { balance: number; lowStockAt: number | null }> = [];
      const shortages: Shortage[] = [];
      for (const line of lines) {
        if (shortages.length > 0) {
          // The reservation has failed already: the rest are only read, to report them, not locked.
          const level = await repo.findLevel(trx, storeId, line.itemId);
          if (level !== null && level.quantity < line.quantity)
            shortages.push({ itemId: line.itemId, requested: line.quantity, available: level.quantity });
          continue;
        }
        const outcome = await takeLine(trx, storeId, line);
        if (outcome === null) continue;
        if ('balance' in outcome) taken.push({ ...line, ...outcome });
        else shortages.push({ itemId: line.itemId, requested: line.quantity, available: outcome.available });
      }
      if (shortages.length > 0) {
        await repo.rollbackToSavepoint(trx);
        return { ok: false, shortages };
      }
      await repo.releaseSavepoint(trx);
      await repo.appendMoves(
        trx,
        taken.map((line) => ({
          id: uuidv7(),
          organization_id: organizationId,
          store_id: storeId,
          item_id: line.itemId,
          delta: -line.quantity,
          balance_after: line.balance,
          reason: 'order_reserved' as const,
          order_id: orderId,
          actor_id: null,
        })),
      );
      const soldOut = taken.filter((line) => line.balance === 0).map((line) => line.itemId);
      for (const itemId of soldOut) await catalog.api.markSoldOut(trx, { organizationId, storeId, itemId });
      for (const line of taken.filter(crossedLowMark))
        await deps.events.append(trx, {
          type: 'inventory.stock.low',
          aggregate: stockAggregate(storeId),
          subject: `stock/${storeId}/${line.itemId}`,
          data: {
            organization_id: organizationId,
            store_id: storeId,
            item_id: line.itemId,
            quantity: line.balance,
            low_stock_at: line.lowStockAt!,
            order_id: orderId,
          },
        });
      return { ok: true, soldOut };
    },

    /**
     * Gives back what the order still holds, for items still tracked, and lifts their sold-out
     * 86s. What it holds is read after its levels are locked, so a second (or concurrent) release
     * finds nothing left to give.
     */
    async release(trx: Tx, input: { organizationId: string; storeId: string; orderId: string }): Promise<Release> {
      requireTransaction(trx, 'release');
      const { organizationId, storeId, orderId } = input;
      const candidates = await repo.heldByOrder(trx, storeId, orderId);
      if (candidates.length === 0) return { released: [], backInStock: [] };
      const tracked = await repo.lockLevels(
        trx,
        storeId,
        candidates.map((row) => row.item_id),
      );
      const held = (await repo.heldByOrder(trx, storeId, orderId)).filter((row) => tracked.has(row.item_id));
      const released: StockLine[] = [];
      const backInStock: string[] = [];
      const moves: NewMove[] = [];
      for (const { item_id: itemId, held: quantity } of held) {
        const balance = await repo.giveBack(trx, storeId, itemId, quantity);
        if (balance === null) continue;
        released.push({ itemId, quantity });
        moves.push({
          id: uuidv7(),
          organization_id: organizationId,
          store_id: storeId,
          item_id: itemId,
          delta: quantity,
          balance_after: balance,
          reason: 'order_released',
          order_id: orderId,
          actor_id: null,
        });
        if (await catalog.api.clearSoldOut(trx, { storeId, itemId })) backInStock.push(itemId);
      }
      await repo.appendMoves(trx, moves);
      return { released, backInStock };
    },
  };
}
