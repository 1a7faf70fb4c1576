// Business rules of inventory. A level changes in two ways only: a manager sets the count (or
// stops tracking), or an order takes and gives back portions. Each change writes the level and
// appends its move in the same transaction, so per item the moves always sum to the level; and
// the item's sold-out 86 follows the level (86'd at zero, lifted above it).
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import { NotFoundError, ValidationError, type FieldError } from '../../platform/http/errors.js';
import { decodeCursor, isUuid, toPage, type PageOf } from '../../platform/http/schema.js';
import type { CatalogApi, CatalogModule } from '../catalog/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import { assertRule, RULES } from './access.js';
import { stockAggregate, type InventoryEvents } from './events.js';
import {
  inventoryRepo as repo,
  type AuditRow,
  type Executor,
  type LevelRow,
  type MoveRow,
  type NewMove,
} from './repo.js';
import { MAX_QUANTITY, type StockLevel, type StockMove } from './schema.js';

export interface InventoryServiceDeps {
  db: Db;
  events: EventAppender<InventoryEvents>;
  /** The sold-out 86s, the item check, and dropping a store's cached menus after commit. */
  catalog: {
    api: Pick<CatalogApi, 'markSoldOut' | 'clearSoldOut' | 'findItem'>;
    invalidate: CatalogModule['invalidate'];
  };
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
}

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

export type AuditFinding = AuditRow;

const CREATED_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const presentLevel = (row: LevelRow): StockLevel => ({
  store_id: row.store_id,
  item_id: row.item_id,
  tracked: true,
  quantity: row.quantity,
  updated_at: row.updated_at.toISOString(),
});
const presentMove = (row: MoveRow): StockMove => ({
  id: row.id,
  delta: row.delta,
  balance_after: row.balance_after,
  reason: row.reason,
  order_id: row.order_id,
  created_at: row.created_at.toISOString(),
});

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

export function createInventoryService(deps: InventoryServiceDeps) {
  const { db, events, catalog } = deps;

  async function storeOf(
    principal: Principal | null,
    storeId: string,
    rule: (typeof RULES)[keyof typeof RULES],
    trx?: Tx,
  ) {
    const store = await deps.tenancy.api.findStore(storeId, trx);
    if (!store) throw new NotFoundError('store');
    assertRule(principal, rule, { organizationId: store.organization_id, storeId }, 'store');
    return store;
  }

  async function itemOf(trx: Tx | undefined, organizationId: string, itemId: string): Promise<void> {
    const item = await catalog.api.findItem(itemId, trx);
    if (!item || item.organization_id !== organizationId) throw new NotFoundError('item');
  }

  /** The new level; what is left when short; null when the item is not tracked (unlimited). */
  async function takeLine(
    trx: Tx,
    storeId: string,
    line: StockLine,
  ): Promise<{ balance: number } | { available: number } | null> {
    for (let attempt = 1; ; attempt++) {
      const balance = await repo.take(trx, storeId, line.itemId, line.quantity);
      if (balance !== null) return { balance };
      const level = await repo.findLevel(trx, storeId, line.itemId);
      if (level === null) return null;
      // Enough after all: restocked between the failed take and the read. Try again, a few times.
      if (level.quantity < line.quantity || attempt >= 3) return { available: level.quantity };
    }
  }

  /** Zero left: 86 it as sold out; more: lift a sold-out 86. True when the 86 changed. */
  async function followLevel(
    trx: Tx,
    organizationId: string,
    storeId: string,
    itemId: string,
    quantity: number | null,
  ): Promise<boolean> {
    if (quantity === 0) return catalog.api.markSoldOut(trx, { organizationId, storeId, itemId });
    return catalog.api.clearSoldOut(trx, { storeId, itemId });
  }

  /**
   * Sets (or with null stops) tracking inside `trx`, with the level locked. Returns whether the
   * level (or its being tracked) changed, and whether the item's 86 did.
   */
  async function setIn(
    trx: Tx,
    input: { organizationId: string; storeId: string; itemId: string; quantity: number | null; actorId: string | null },
  ) {
    const { organizationId, storeId, itemId, quantity } = input;
    let before = await repo.lockLevel(trx, storeId, itemId);
    let created = false;
    if (before === null && quantity !== null) {
      created = await repo.insertLevel(trx, {
        store_id: storeId,
        organization_id: organizationId,
        item_id: itemId,
        quantity,
      });
      // Another transaction started tracking it meanwhile and has committed: lock its row instead.
      if (!created) before = await repo.lockLevel(trx, storeId, itemId);
    }
    const move = (delta: number, balance: number, reason: 'set' | 'untracked'): NewMove => ({
      id: uuidv7(),
      organization_id: organizationId,
      store_id: storeId,
      item_id: itemId,
      delta,
      balance_after: balance,
      reason,
      order_id: null,
      actor_id: input.actorId,
    });
    const moves: NewMove[] = [];
    if (quantity === null) {
      if (before !== null) {
        await repo.deleteLevel(trx, storeId, itemId);
        if (before > 0) moves.push(move(-before, 0, 'untracked'));
      }
    } else if (created) {
      if (quantity > 0) moves.push(move(quantity, quantity, 'set'));
    } else if (before !== quantity) {
      await repo.updateLevel(trx, storeId, itemId, quantity);
      moves.push(move(quantity - (before ?? 0), quantity, 'set'));
    }
    await repo.appendMoves(trx, moves);
    const changed = created || before !== quantity;
    // Re-asserted even when the level did not change: a count of zero means sold out, whatever
    // happened to the 86 since.
    const eightySixChanged = await followLevel(trx, organizationId, storeId, itemId, quantity);
    return { changed, eightySixChanged };
  }

  return {
    async setStock(
      principal: Principal | null,
      storeId: string,
      itemId: string,
      quantity: number | null,
    ): Promise<StockLevel> {
      const outcome = await inTransaction(db, async (trx) => {
        const store = await storeOf(principal, storeId, RULES.setStock, trx);
        await itemOf(trx, store.organization_id, itemId);
        const actorId = principal?.kind === 'user' ? principal.userId : null;
        const result = await setIn(trx, { organizationId: store.organization_id, storeId, itemId, quantity, actorId });
        if (result.changed) {
          await events.append(trx, {
            type: 'inventory.stock.changed',
            aggregate: stockAggregate(storeId),
            subject: `stock/${storeId}/${itemId}`,
            data: { organization_id: store.organization_id, store_id: storeId, item_id: itemId, quantity },
          });
        }
        const level = await repo.findLevel(trx, storeId, itemId);
        return { ...result, organizationId: store.organization_id, level };
      });
      if (outcome.eightySixChanged)
        await catalog.invalidate({ organizationId: outcome.organizationId, storeIds: [storeId] });
      return outcome.level
        ? presentLevel(outcome.level)
        : { store_id: storeId, item_id: itemId, tracked: false, quantity: null, updated_at: null };
    },

    async listStock(
      principal: Principal | null,
      storeId: string,
      query: { limit?: number; cursor?: string },
    ): Promise<PageOf<StockLevel>> {
      await storeOf(principal, storeId, RULES.readStock);
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['item_id'] as const);
      const rows = await repo.listLevels(db, storeId, { afterItemId: after?.item_id ?? null, limit });
      return toPage(rows, limit, presentLevel, (row) => ({ item_id: row.item_id }));
    },

    async listMoves(
      principal: Principal | null,
      storeId: string,
      itemId: string,
      query: { limit?: number; cursor?: string },
    ): Promise<PageOf<StockMove>> {
      const store = await storeOf(principal, storeId, RULES.readMoves);
      await itemOf(undefined, store.organization_id, itemId);
      const limit = query.limit ?? 20;
      const after = decodeCursor(
        query.cursor,
        ['created_at', 'id'] as const,
        (key) => CREATED_KEY.test(key.created_at) && isUuid(key.id),
      );
      const rows = await repo.listMoves(db, storeId, itemId, { after, limit });
      return toPage(rows, limit, presentMove, (row) => ({ created_at: row.created_key, id: row.id }));
    },

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
      const taken: Array<StockLine & { balance: number }> = [];
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
        if ('balance' in outcome) taken.push({ ...line, balance: outcome.balance });
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
