import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../platform/db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { eightySixesOf, movesOf, setStock, stockedStore } from '../../test-support/inventory-factories.js';
import type { Reservation } from './index.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const levelRow = async (storeId: string, itemId: string) =>
  (
    await sql<{
      quantity: number;
    }>`SELECT quantity FROM stock_levels WHERE store_id = ${storeId} AND item_id = ${itemId}`.execute(t.db.database.db)
  ).rows[0]?.quantity;

describe('no oversell under concurrency', () => {
  it('when 200 transactions each reserve 1 of an item with 20 left, then exactly 20 succeed, 180 are short, the level is 0 and the ledger sums to it', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    const itemId = items.margherita;
    await setStock(t, owner, storeId, itemId, 20);

    const outcomes: Reservation[] = await Promise.all(
      Array.from({ length: 200 }, () =>
        inTransaction(t.db.database.db, (trx) =>
          t.modules.inventory.api.reserve(trx, {
            organizationId,
            storeId,
            orderId: uuidv7(),
            items: [{ itemId, quantity: 1 }],
          }),
        ),
      ),
    );

    const ok = outcomes.filter((o) => o.ok);
    const short = outcomes.filter((o) => !o.ok);
    expect(ok).toHaveLength(20);
    expect(short).toHaveLength(180);
    for (const outcome of short)
      expect(outcome).toEqual({ ok: false, shortages: [{ itemId, requested: 1, available: 0 }] });
    expect(ok.filter((o) => o.soldOut.includes(itemId))).toHaveLength(1);

    expect(await levelRow(storeId, itemId)).toBe(0);
    const moves = await movesOf(t, owner, storeId, itemId);
    const reserved = moves.filter((m) => m.reason === 'order_reserved');
    expect(reserved).toHaveLength(20);
    expect(new Set(reserved.map((m) => m.order_id)).size).toBe(20);
    // Each took the one before's balance minus one, in ledger order: 19, 18, … 0, never below.
    expect(reserved.map((m) => m.balance_after)).toEqual(Array.from({ length: 20 }, (_, index) => 19 - index));
    expect(moves.reduce((sum, m) => sum + m.delta, 0)).toBe(0);
    expect(await t.modules.inventory.api.audit(t.db.database.db, { storeId })).toEqual([]);
    expect(await eightySixesOf(t, owner, storeId)).toEqual([
      expect.objectContaining({ item_id: itemId, reason: 'sold_out' }),
    ]);
  });

  it('when baskets name the same items in opposite orders at once, then no transaction deadlocks (none is retried) and stock stays exact', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.margherita, 30);
    await setStock(t, owner, storeId, items.diavola, 30);
    const basket = (index: number) => {
      const lines = [
        { itemId: items.margherita, quantity: 1 },
        { itemId: items.diavola, quantity: 1 },
      ];
      return index % 2 === 0 ? lines : lines.reverse();
    };

    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        inTransaction(
          t.db.database.db,
          (trx) =>
            t.modules.inventory.api.reserve(trx, { organizationId, storeId, orderId: uuidv7(), items: basket(index) }),
          { attempts: 1 },
        ),
      ),
    );

    expect(outcomes.filter((o) => o.ok)).toHaveLength(30);
    expect(await levelRow(storeId, items.margherita)).toBe(0);
    expect(await levelRow(storeId, items.diavola)).toBe(0);
    expect(await t.modules.inventory.api.audit(t.db.database.db, { storeId })).toEqual([]);
  });

  it('when orders reserve and release at the same time, then the level always equals the ledger and ends where it started', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.lemonade, 50);
    const orders = Array.from({ length: 40 }, () => uuidv7());
    const db = t.db.database.db;
    await Promise.all(
      orders.map(async (orderId) => {
        await inTransaction(db, (trx) =>
          t.modules.inventory.api.reserve(trx, {
            organizationId,
            storeId,
            orderId,
            items: [{ itemId: items.lemonade, quantity: 1 }],
          }),
        );
        await inTransaction(db, (trx) => t.modules.inventory.api.release(trx, { organizationId, storeId, orderId }));
      }),
    );
    expect(await levelRow(storeId, items.lemonade)).toBe(50);
    expect(await t.modules.inventory.api.audit(db, { storeId })).toEqual([]);
  });
});
