// SQL of the inventory tables, and nothing else: stock levels, their conditional updates, and the
// append-only ledger of moves. Every function takes the executor (the pool or a transaction) first.
import { sql, type Generated, type Kysely } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';
import type { MoveReason } from './schema.js';

// A type, not an interface: withTables<T> needs an index-signature-compatible record.
export type InventoryTables = {
  stock_levels: {
    store_id: string;
    organization_id: string;
    item_id: string;
    quantity: number;
    /** At or below this many left the store's managers hear the item runs low; null: never. */
    low_stock_at: Generated<number | null>;
    updated_at: Generated<Date>;
  };
  stock_moves: {
    id: string;
    organization_id: string;
    store_id: string;
    item_id: string;
    delta: number;
    balance_after: number;
    reason: MoveReason;
    order_id: string | null;
    actor_id: string | null;
    created_at: Generated<Date>;
  };
};

export type Executor = Kysely<PlatformTables>;
const t = (ex: Executor) => ex.withTables<InventoryTables>();

export interface LevelRow {
  store_id: string;
  item_id: string;
  quantity: number;
  low_stock_at: number | null;
  updated_at: Date;
}

export interface MoveRow {
  id: string;
  delta: number;
  balance_after: number;
  reason: MoveReason;
  order_id: string | null;
  created_at: Date;
  /** created_at to the microsecond, as text: the exact keyset position (a JS Date keeps ms). */
  created_key: string;
}

export interface NewMove {
  id: string;
  organization_id: string;
  store_id: string;
  item_id: string;
  delta: number;
  balance_after: number;
  reason: MoveReason;
  order_id: string | null;
  actor_id: string | null;
}

export interface AuditRow {
  store_id: string;
  item_id: string;
  level: number | null;
  ledger_sum: number;
}

const LEVEL_COLUMNS = ['store_id', 'item_id', 'quantity', 'low_stock_at', 'updated_at'] as const;

export const inventoryRepo = {
  // --- levels --------------------------------------------------------------------------------

  /** The level, locked until the transaction ends; null when the item is not tracked (no row to lock). */
  async lockLevel(
    ex: Executor,
    storeId: string,
    itemId: string,
  ): Promise<{ quantity: number; low_stock_at: number | null } | null> {
    const row = await t(ex)
      .selectFrom('stock_levels')
      .select(['quantity', 'low_stock_at'])
      .where('store_id', '=', storeId)
      .where('item_id', '=', itemId)
      .forUpdate()
      .executeTakeFirst();
    return row ?? null;
  },

  /** Starts tracking. False when a concurrent transaction created the row first (it is committed now: lock it). */
  async insertLevel(
    ex: Executor,
    row: { store_id: string; organization_id: string; item_id: string; quantity: number; low_stock_at?: number | null },
  ): Promise<boolean> {
    const inserted = await t(ex)
      .insertInto('stock_levels')
      .values(row)
      .onConflict((oc) => oc.columns(['store_id', 'item_id']).doNothing())
      .returning('item_id')
      .executeTakeFirst();
    return inserted !== undefined;
  },

  async updateLevel(
    ex: Executor,
    storeId: string,
    itemId: string,
    change: { quantity: number; low_stock_at?: number | null },
  ): Promise<void> {
    await t(ex)
      .updateTable('stock_levels')
      .set({ ...change, updated_at: sql<Date>`now()` })
      .where('store_id', '=', storeId)
      .where('item_id', '=', itemId)
      .execute();
  },

  async deleteLevel(ex: Executor, storeId: string, itemId: string): Promise<void> {
    await t(ex).deleteFrom('stock_levels').where('store_id', '=', storeId).where('item_id', '=', itemId).execute();
  },

  async findLevel(ex: Executor, storeId: string, itemId: string): Promise<LevelRow | null> {
    return (
      (await t(ex)
        .selectFrom('stock_levels')
        .select(LEVEL_COLUMNS)
        .where('store_id', '=', storeId)
        .where('item_id', '=', itemId)
        .executeTakeFirst()) ?? null
    );
  },

  /** Tracked items of the store in item id order (the primary key), `limit + 1` rows. */
  /** Current levels of these items at the store (untracked items are absent). No lock: a read for quotes. */
  async levelsOf(
    ex: Executor,
    storeId: string,
    itemIds: string[],
  ): Promise<Array<{ item_id: string; quantity: number }>> {
    if (itemIds.length === 0) return [];
    return t(ex)
      .selectFrom('stock_levels')
      .select(['item_id', 'quantity'])
      .where('store_id', '=', storeId)
      .where('item_id', 'in', itemIds)
      .execute();
  },

  async listLevels(
    ex: Executor,
    storeId: string,
    page: { afterItemId: string | null; limit: number },
  ): Promise<LevelRow[]> {
    let select = t(ex).selectFrom('stock_levels').select(LEVEL_COLUMNS).where('store_id', '=', storeId);
    if (page.afterItemId !== null) select = select.where('item_id', '>', page.afterItemId);
    return select
      .orderBy('item_id')
      .limit(page.limit + 1)
      .execute();
  },

  /**
   * Takes `quantity` if that many are left: one statement that waits for a concurrent taker's
   * commit and re-checks, so two orders can never both take the last one. The new level (and its
   * low-stock mark), or null when the item is short or not tracked (tell them apart with findLevel).
   */
  async take(
    ex: Executor,
    storeId: string,
    itemId: string,
    quantity: number,
  ): Promise<{ quantity: number; low_stock_at: number | null } | null> {
    const row = await t(ex)
      .updateTable('stock_levels')
      .set({ quantity: sql<number>`quantity - ${quantity}`, updated_at: sql<Date>`now()` })
      .where('store_id', '=', storeId)
      .where('item_id', '=', itemId)
      .where('quantity', '>=', quantity)
      .returning(['quantity', 'low_stock_at'])
      .executeTakeFirst();
    return row ?? null;
  },

  /** Gives `quantity` back; the new level, or null when the item is no longer tracked. */
  async giveBack(ex: Executor, storeId: string, itemId: string, quantity: number): Promise<number | null> {
    const row = await t(ex)
      .updateTable('stock_levels')
      .set({ quantity: sql<number>`quantity + ${quantity}`, updated_at: sql<Date>`now()` })
      .where('store_id', '=', storeId)
      .where('item_id', '=', itemId)
      .returning('quantity')
      .executeTakeFirst();
    return row?.quantity ?? null;
  },

  /** Locks the tracked ones of these items, in item id order (the order reservations lock in). */
  async lockLevels(ex: Executor, storeId: string, itemIds: string[]): Promise<Set<string>> {
    if (itemIds.length === 0) return new Set();
    const rows = await t(ex)
      .selectFrom('stock_levels')
      .select('item_id')
      .where('store_id', '=', storeId)
      .where('item_id', 'in', itemIds)
      .orderBy('item_id')
      .forUpdate()
      .execute();
    return new Set(rows.map((row) => row.item_id));
  },

  // --- reservations --------------------------------------------------------------------------

  // A failed reservation undoes its own decrements, so the caller's transaction is left as it
  // was whether it then rolls back or carries on.
  async savepoint(ex: Executor): Promise<void> {
    await sql`SAVEPOINT inventory_reserve`.execute(ex);
  },
  async rollbackToSavepoint(ex: Executor): Promise<void> {
    await sql`ROLLBACK TO SAVEPOINT inventory_reserve`.execute(ex);
    await sql`RELEASE SAVEPOINT inventory_reserve`.execute(ex);
  },
  async releaseSavepoint(ex: Executor): Promise<void> {
    await sql`RELEASE SAVEPOINT inventory_reserve`.execute(ex);
  },

  /** Per item, what the order still holds at the store: minus the sum of its order moves (stock_moves_order_idx). */
  async heldByOrder(ex: Executor, storeId: string, orderId: string): Promise<Array<{ item_id: string; held: number }>> {
    const rows = await t(ex)
      .selectFrom('stock_moves')
      .select(['item_id', sql<string>`-sum(delta)`.as('held')])
      .where('order_id', '=', orderId)
      .where('store_id', '=', storeId)
      .where('reason', 'in', ['order_reserved', 'order_released'])
      .groupBy('item_id')
      .having(sql<boolean>`sum(delta) < 0`)
      .orderBy('item_id')
      .execute();
    return rows.map((row) => ({ item_id: row.item_id, held: Number(row.held) }));
  },

  /** What each of these orders still holds, per item (the invariant checker: ended orders hold nothing). */
  async heldByOrders(
    ex: Executor,
    orderIds: string[],
  ): Promise<Array<{ order_id: string; item_id: string; held: number }>> {
    if (orderIds.length === 0) return [];
    const rows = await t(ex)
      .selectFrom('stock_moves')
      .select(['order_id', 'item_id', sql<string>`-sum(delta)`.as('held')])
      .where('order_id', 'in', orderIds)
      .where('reason', 'in', ['order_reserved', 'order_released'])
      .groupBy(['order_id', 'item_id'])
      .having(sql<boolean>`sum(delta) < 0`)
      .execute();
    return rows.map((row) => ({ order_id: row.order_id!, item_id: row.item_id, held: Number(row.held) }));
  },

  // --- the ledger ----------------------------------------------------------------------------

  /**
   * Appends moves. created_at is the clock at the insert, not the transaction's start: every move
   * is written under its level's row lock, so per item the time order is the order the level
   * changed in, and balance_after reads as a running total.
   */
  async appendMoves(ex: Executor, moves: NewMove[]): Promise<void> {
    if (moves.length === 0) return;
    await t(ex)
      .insertInto('stock_moves')
      .values(moves.map((move) => ({ ...move, created_at: sql<Date>`clock_timestamp()` })))
      .execute();
  },

  /** The item's moves at the store, oldest first (stock_moves_item_idx), `limit + 1` rows. */
  async listMoves(
    ex: Executor,
    storeId: string,
    itemId: string,
    page: { after: { created_at: string; id: string } | null; limit: number },
  ): Promise<MoveRow[]> {
    let select = t(ex)
      .selectFrom('stock_moves')
      .select([
        'id',
        'delta',
        'balance_after',
        'reason',
        'order_id',
        'created_at',
        sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_key'),
      ])
      .where('store_id', '=', storeId)
      .where('item_id', '=', itemId);
    const after = page.after;
    if (after !== null)
      select = select.where(sql<boolean>`(created_at, id) > (${after.created_at}::timestamptz, ${after.id}::uuid)`);
    return select
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit + 1)
      .execute();
  },

  /** (store, item) pairs whose level (0 when untracked) is not the sum of their moves. */
  async audit(ex: Executor, storeId: string | null): Promise<AuditRow[]> {
    const levelsOf = storeId === null ? sql`true` : sql`store_id = ${storeId}`;
    const { rows } = await sql<{ store_id: string; item_id: string; level: number | null; ledger_sum: string }>`
      SELECT coalesce(l.store_id, m.store_id) AS store_id, coalesce(l.item_id, m.item_id) AS item_id,
             l.quantity AS level, coalesce(m.total, 0) AS ledger_sum
      FROM (SELECT store_id, item_id, quantity FROM stock_levels WHERE ${levelsOf}) l
      FULL JOIN (SELECT store_id, item_id, sum(delta) AS total FROM stock_moves WHERE ${levelsOf} GROUP BY store_id, item_id) m
        ON m.store_id = l.store_id AND m.item_id = l.item_id
      WHERE coalesce(l.quantity, 0) <> coalesce(m.total, 0)
      ORDER BY 1, 2`.execute(ex);
    return rows.map((row) => ({
      store_id: row.store_id,
      item_id: row.item_id,
      level: row.level,
      ledger_sum: Number(row.ledger_sum),
    }));
  },
};
