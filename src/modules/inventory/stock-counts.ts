// The manager's side of stock: set the count (or stop tracking), read the levels and an item's
// moves. Each change writes the level and appends its move in one transaction, so per item the
// moves always sum to the level; and the item's sold-out 86 follows the level.
import { v7 as uuidv7 } from 'uuid';
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Tx } from '../../platform/db/index.js';
import { NotFoundError } from '../../platform/http/errors.js';
import { decodeCursor, isUuid, toPage, type PageOf } from '../../platform/http/schema.js';
import { assertRule, RULES } from './access.js';
import { stockAggregate } from './events.js';
import { inventoryRepo as repo, type LevelRow, type MoveRow, type NewMove } from './repo.js';
import type { StockLevel, StockMove } from './schema.js';
import type { InventoryServiceDeps } from './deps.js';

const CREATED_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const presentLevel = (row: LevelRow): StockLevel => ({
  store_id: row.store_id,
  item_id: row.item_id,
  tracked: true,
  quantity: row.quantity,
  low_stock_at: row.low_stock_at,
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

export function createStockCounts(deps: InventoryServiceDeps) {
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
   * Sets (or with null stops) tracking inside `trx`, with the level locked; `lowStockAt` undefined
   * keeps the item's low-stock mark. Returns whether the level (its being tracked, or its mark)
   * changed, and whether the item's 86 did.
   */
  async function setIn(
    trx: Tx,
    input: {
      organizationId: string;
      storeId: string;
      itemId: string;
      quantity: number | null;
      lowStockAt?: number | null;
      actorId: string | null;
    },
  ) {
    const { organizationId, storeId, itemId, quantity, lowStockAt } = input;
    let before = await repo.lockLevel(trx, storeId, itemId);
    let created = false;
    if (before === null && quantity !== null) {
      created = await repo.insertLevel(trx, {
        store_id: storeId,
        organization_id: organizationId,
        item_id: itemId,
        quantity,
        low_stock_at: lowStockAt ?? null,
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
    const markChanged = !created && lowStockAt !== undefined && (before?.low_stock_at ?? null) !== lowStockAt;
    if (quantity === null) {
      if (before !== null) {
        await repo.deleteLevel(trx, storeId, itemId);
        if (before.quantity > 0) moves.push(move(-before.quantity, 0, 'untracked'));
      }
    } else if (created) {
      if (quantity > 0) moves.push(move(quantity, quantity, 'set'));
    } else if (before?.quantity !== quantity || markChanged) {
      await repo.updateLevel(trx, storeId, itemId, {
        quantity,
        ...(lowStockAt !== undefined && { low_stock_at: lowStockAt }),
      });
      if (before?.quantity !== quantity) moves.push(move(quantity - (before?.quantity ?? 0), quantity, 'set'));
    }
    await repo.appendMoves(trx, moves);
    const changed = created || (before?.quantity ?? null) !== quantity || (quantity !== null && markChanged);
    // Re-asserted even when the level did not change: a count of zero means sold out, whatever
    // happened to the 86 since.
    const eightySixChanged = await followLevel(trx, organizationId, storeId, itemId, quantity);
    return { changed, eightySixChanged, before };
  }

  return {
    async setStock(
      principal: Principal | null,
      storeId: string,
      itemId: string,
      body: { quantity: number | null; low_stock_at?: number | null },
    ): Promise<StockLevel> {
      const { quantity } = body;
      const outcome = await inTransaction(db, async (trx) => {
        const store = await storeOf(principal, storeId, RULES.setStock, trx);
        await itemOf(trx, store.organization_id, itemId);
        const actorId = principal?.kind === 'user' ? principal.userId : null;
        const result = await setIn(trx, {
          organizationId: store.organization_id,
          storeId,
          itemId,
          quantity,
          lowStockAt: body.low_stock_at,
          actorId,
        });
        if (result.changed) {
          await events.append(trx, {
            type: 'inventory.stock.changed',
            aggregate: stockAggregate(storeId),
            subject: `stock/${storeId}/${itemId}`,
            data: { organization_id: store.organization_id, store_id: storeId, item_id: itemId, quantity },
          });
          await recordAudit(trx, {
            organizationId: store.organization_id,
            storeId,
            action: 'inventory.stock.set',
            target: { type: 'item', id: itemId },
            before: { quantity: result.before?.quantity ?? null, low_stock_at: result.before?.low_stock_at ?? null },
            after: {
              quantity,
              low_stock_at: quantity === null ? null : (body.low_stock_at ?? result.before?.low_stock_at ?? null),
            },
          });
        }
        const level = await repo.findLevel(trx, storeId, itemId);
        return { ...result, organizationId: store.organization_id, level };
      });
      if (outcome.eightySixChanged)
        await catalog.invalidate({ organizationId: outcome.organizationId, storeIds: [storeId] });
      return outcome.level
        ? presentLevel(outcome.level)
        : { store_id: storeId, item_id: itemId, tracked: false, quantity: null, low_stock_at: null, updated_at: null };
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
  };
}
