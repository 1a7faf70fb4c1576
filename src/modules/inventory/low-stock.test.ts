// The low-stock mark: managers set it with the count (absent keeps it), and the order that takes a
// level from above it to at or below it appends one inventory.stock.low, in its own transaction;
// later orders below the mark append none until a restock lifts the level above it again.
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../platform/db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer } from '../../test-support/identity-factories.js';
import { stockedStore } from '../../test-support/inventory-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const put = (token: string, storeId: string, itemId: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PUT', url: `/v1/stores/${storeId}/stock/${itemId}`, headers: bearer(token), payload });

async function order(organizationId: string, storeId: string, itemId: string, quantity: number) {
  const outcome = await inTransaction(t.db.database.db, (trx) =>
    t.modules.inventory.api.reserve(trx, { organizationId, storeId, orderId: uuidv7(), items: [{ itemId, quantity }] }),
  );
  expect(outcome.ok).toBe(true);
}

async function lowAlerts(storeId: string) {
  const { rows } = await sql<{ data: { quantity: number; low_stock_at: number } }>`
    SELECT data FROM outbox WHERE type = 'inventory.stock.low' AND data->>'store_id' = ${storeId} ORDER BY id
  `.execute(t.db.database.db);
  return rows.map((row) => row.data);
}

describe('low stock', () => {
  it('when orders take an item across its mark, then one alert is appended per crossing, not per order', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    const item = items.margherita;
    const set = await put(owner, storeId, item, { quantity: 6, low_stock_at: 3 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ quantity: 6, low_stock_at: 3 });

    await order(organizationId, storeId, item, 2); // 4 left: above the mark
    expect(await lowAlerts(storeId)).toEqual([]);
    await order(organizationId, storeId, item, 2); // 2 left: crossed
    await order(organizationId, storeId, item, 1); // 1 left: still below, no second alert
    expect(await lowAlerts(storeId)).toEqual([
      expect.objectContaining({ quantity: 2, low_stock_at: 3, item_id: item }),
    ]);

    // A recount without the mark keeps it; the next crossing alerts again.
    const recount = await put(owner, storeId, item, { quantity: 10 });
    expect(recount.json()).toMatchObject({ quantity: 10, low_stock_at: 3 });
    await order(organizationId, storeId, item, 7);
    expect(await lowAlerts(storeId)).toHaveLength(2);
  });

  it('when the mark is null or the body is wrong, then no alert is made or the body is refused', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    await put(owner, storeId, items.diavola, { quantity: 5, low_stock_at: 4 });
    const cleared = await put(owner, storeId, items.diavola, { quantity: 5, low_stock_at: null });
    expect(cleared.json()).toMatchObject({ low_stock_at: null });
    await order(organizationId, storeId, items.diavola, 5);
    expect(await lowAlerts(storeId)).toEqual([]);
    const refused = await put(owner, storeId, items.diavola, { quantity: 5, low_stock_at: -1 });
    expect(refused.statusCode).toBe(400);
  });
});
