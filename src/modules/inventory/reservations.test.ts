import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, type Tx } from '../../platform/db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer } from '../../test-support/identity-factories.js';
import { eightySixesOf, menuItemIds, movesOf, setStock, stockedStore } from '../../test-support/inventory-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const api = () => t.modules.inventory.api;
const inTx = <T>(work: (trx: Tx) => Promise<T>) => inTransaction(t.db.database.db, work);
const levelOf = async (token: string, storeId: string, itemId: string) => {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/stores/${storeId}/stock?limit=100`,
    headers: bearer(token),
  });
  return (
    res.json<{ data: Array<{ item_id: string; quantity: number }> }>().data.find((row) => row.item_id === itemId)
      ?.quantity ?? null
  );
};
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('reserving stock', () => {
  it('when several tracked items are short, then every shortage is reported, nothing is taken, and the caller’s transaction can carry on', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.margherita, 2);
    await setStock(t, owner, storeId, items.diavola, 1);
    const orderId = uuidv7();

    const outcome = await inTx(async (trx) => {
      const failed = await api().reserve(trx, {
        organizationId,
        storeId,
        orderId,
        items: [
          { itemId: items.margherita, quantity: 3 },
          { itemId: items.lemonade, quantity: 100 }, // not tracked: unlimited
          { itemId: items.diavola, quantity: 5 },
        ],
      });
      // The failed attempt undid its own decrements: a smaller basket still fits in the same transaction.
      const retried = await api().reserve(trx, {
        organizationId,
        storeId,
        orderId,
        items: [{ itemId: items.margherita, quantity: 2 }],
      });
      return { failed, retried };
    });

    expect(outcome.failed).toEqual({
      ok: false,
      shortages: [
        { itemId: items.margherita, requested: 3, available: 2 },
        { itemId: items.diavola, requested: 5, available: 1 },
      ].sort((a, b) => byId(a.itemId, b.itemId)),
    });
    expect(outcome.retried).toEqual({ ok: true, soldOut: [items.margherita] });
    expect(await levelOf(owner, storeId, items.margherita)).toBe(0);
    expect(await levelOf(owner, storeId, items.diavola)).toBe(1);
    expect((await movesOf(t, owner, storeId, items.diavola)).map((m) => m.reason)).toEqual(['set']);
    expect(await api().audit(t.db.database.db, { storeId })).toEqual([]);
  });

  it('when a basket names an item twice, then the lines are merged into one reservation and one move', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.lemonade, 10);
    const orderId = uuidv7();
    const outcome = await inTx((trx) =>
      api().reserve(trx, {
        organizationId,
        storeId,
        orderId,
        items: [
          { itemId: items.lemonade, quantity: 1 },
          { itemId: items.diavola, quantity: 4 },
          { itemId: items.lemonade, quantity: 2 },
        ],
      }),
    );
    expect(outcome).toEqual({ ok: true, soldOut: [] });
    const moves = await movesOf(t, owner, storeId, items.lemonade);
    expect(moves.map((m) => [m.reason, m.delta, m.balance_after, m.order_id])).toEqual([
      ['set', 10, 10, null],
      ['order_reserved', -3, 7, orderId],
    ]);
    // Two lines of 2 are one reservation of 4: short against 3, and reported once.
    await setStock(t, owner, storeId, items.diavola, 3);
    const short = await inTx((trx) =>
      api().reserve(trx, {
        organizationId,
        storeId,
        orderId: uuidv7(),
        items: [
          { itemId: items.diavola, quantity: 2 },
          { itemId: items.diavola, quantity: 2 },
        ],
      }),
    );
    expect(short).toEqual({ ok: false, shortages: [{ itemId: items.diavola, requested: 4, available: 3 }] });
  });

  it('when a basket line has a zero, negative or fractional quantity, then reserve refuses it before touching stock', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.lemonade, 10);
    for (const quantity of [0, -1, 1.5]) {
      await expect(
        inTx((trx) =>
          api().reserve(trx, {
            organizationId,
            storeId,
            orderId: uuidv7(),
            items: [{ itemId: items.lemonade, quantity }],
          }),
        ),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    }
    expect(await levelOf(owner, storeId, items.lemonade)).toBe(10);
  });

  it('when a reservation takes the last portion, then the item is 86’d as sold out and the storefront menu leaves it out', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.margherita, 2);
    expect(await menuItemIds(t, storeId)).toContain(items.margherita); // cached now

    const first = await inTx((trx) =>
      api().reserve(trx, {
        organizationId,
        storeId,
        orderId: uuidv7(),
        items: [{ itemId: items.margherita, quantity: 1 }],
      }),
    );
    expect(first).toEqual({ ok: true, soldOut: [] });
    const last = await inTx((trx) =>
      api().reserve(trx, {
        organizationId,
        storeId,
        orderId: uuidv7(),
        items: [{ itemId: items.margherita, quantity: 1 }],
      }),
    );
    expect(last).toEqual({ ok: true, soldOut: [items.margherita] });
    await api().refreshMenus({ organizationId, storeId });

    expect(await eightySixesOf(t, owner, storeId)).toEqual([
      expect.objectContaining({ item_id: items.margherita, reason: 'sold_out' }),
    ]);
    const menu = await menuItemIds(t, storeId);
    expect(menu).not.toContain(items.margherita);
    expect(menu).toContain(items.diavola);
    expect(await api().audit(t.db.database.db, { storeId })).toEqual([]);
  });
});

describe('releasing stock', () => {
  it('when an order is released, then its stock comes back and only the sold-out 86 is lifted (a manual 86 stays)', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.margherita, 2);
    await setStock(t, owner, storeId, items.diavola, 1);
    const orderId = uuidv7();
    const reserved = await inTx((trx) =>
      api().reserve(trx, {
        organizationId,
        storeId,
        orderId,
        items: [
          { itemId: items.margherita, quantity: 2 },
          { itemId: items.diavola, quantity: 1 },
          { itemId: items.lemonade, quantity: 3 },
        ],
      }),
    );
    expect(reserved).toEqual({ ok: true, soldOut: [items.margherita, items.diavola].sort(byId) });
    // Staff 86 the Diavola by hand (the oven is down): it replaces the sold-out 86.
    const manual = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${storeId}/eighty-sixes`,
      headers: bearer(owner),
      payload: { item_id: items.diavola },
    });
    expect(manual.json()).toMatchObject({ item_id: items.diavola, reason: 'manual' });

    const released = await inTx((trx) => api().release(trx, { organizationId, storeId, orderId }));
    await api().refreshMenus({ organizationId, storeId });

    expect(released.released).toEqual(
      [
        { itemId: items.margherita, quantity: 2 },
        { itemId: items.diavola, quantity: 1 },
      ].sort((a, b) => byId(a.itemId, b.itemId)),
    );
    expect(released.backInStock).toEqual([items.margherita]);
    expect(await levelOf(owner, storeId, items.margherita)).toBe(2);
    expect(await levelOf(owner, storeId, items.diavola)).toBe(1);
    expect(await eightySixesOf(t, owner, storeId)).toEqual([
      expect.objectContaining({ item_id: items.diavola, reason: 'manual' }),
    ]);
    const menu = await menuItemIds(t, storeId);
    expect(menu).toContain(items.margherita);
    expect(menu).not.toContain(items.diavola);
    expect(
      (await movesOf(t, owner, storeId, items.margherita)).map((m) => [m.reason, m.delta, m.balance_after]),
    ).toEqual([
      ['set', 2, 2],
      ['order_reserved', -2, 0],
      ['order_released', 2, 2],
    ]);
    expect(await api().audit(t.db.database.db, { storeId })).toEqual([]);
  });

  it('when an order is released twice, or concurrently, then the stock comes back once', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.lemonade, 5);
    const orderId = uuidv7();
    await inTx((trx) =>
      api().reserve(trx, { organizationId, storeId, orderId, items: [{ itemId: items.lemonade, quantity: 3 }] }),
    );

    const concurrent = await Promise.all(
      [1, 2, 3].map(() => inTx((trx) => api().release(trx, { organizationId, storeId, orderId }))),
    );
    expect(concurrent.flatMap((r) => r.released)).toEqual([{ itemId: items.lemonade, quantity: 3 }]);
    expect(await inTx((trx) => api().release(trx, { organizationId, storeId, orderId }))).toEqual({
      released: [],
      backInStock: [],
    });
    expect(await levelOf(owner, storeId, items.lemonade)).toBe(5);
    expect(await api().audit(t.db.database.db, { storeId })).toEqual([]);
  });

  it('when an order of untracked items only, or an unknown order, is released, then nothing moves', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    const orderId = uuidv7();
    expect(
      await inTx((trx) =>
        api().reserve(trx, { organizationId, storeId, orderId, items: [{ itemId: items.lemonade, quantity: 2 }] }),
      ),
    ).toEqual({ ok: true, soldOut: [] });
    expect(await inTx((trx) => api().release(trx, { organizationId, storeId, orderId }))).toEqual({
      released: [],
      backInStock: [],
    });
    expect(await inTx((trx) => api().release(trx, { organizationId, storeId, orderId: uuidv7() }))).toEqual({
      released: [],
      backInStock: [],
    });
    expect(await movesOf(t, owner, storeId, items.lemonade)).toEqual([]);
  });

  it('when tracking stopped while an order held stock, then its release gives nothing back for that item and the ledger stays sound', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.margherita, 5);
    const orderId = uuidv7();
    await inTx((trx) =>
      api().reserve(trx, { organizationId, storeId, orderId, items: [{ itemId: items.margherita, quantity: 2 }] }),
    );
    await setStock(t, owner, storeId, items.margherita, null);
    expect(await inTx((trx) => api().release(trx, { organizationId, storeId, orderId }))).toEqual({
      released: [],
      backInStock: [],
    });
    expect(
      (await movesOf(t, owner, storeId, items.margherita)).map((m) => [m.reason, m.delta, m.balance_after]),
    ).toEqual([
      ['set', 5, 5],
      ['order_reserved', -2, 3],
      ['untracked', -3, 0],
    ]);
    expect(await api().audit(t.db.database.db, { storeId })).toEqual([]);
  });
});

describe('auditing the ledger', () => {
  it('when a level is changed behind the ledger’s back, then audit names that store and item with both numbers', async () => {
    const { storeId, owner, items } = await stockedStore(t);
    await setStock(t, owner, storeId, items.margherita, 4);
    await setStock(t, owner, storeId, items.diavola, 4);
    expect(await api().audit(t.db.database.db, { storeId })).toEqual([]);
    await sql`UPDATE stock_levels SET quantity = 9 WHERE store_id = ${storeId} AND item_id = ${items.diavola}`.execute(
      t.db.database.db,
    );
    expect(await api().audit(t.db.database.db, { storeId })).toEqual([
      { store_id: storeId, item_id: items.diavola, level: 9, ledger_sum: 4 },
    ]);
    expect(await api().audit(t.db.database.db)).toContainEqual({
      store_id: storeId,
      item_id: items.diavola,
      level: 9,
      ledger_sum: 4,
    });
    await sql`DELETE FROM stock_levels WHERE store_id = ${storeId} AND item_id = ${items.margherita}`.execute(
      t.db.database.db,
    );
    expect(await api().audit(t.db.database.db, { storeId })).toEqual(
      [
        { store_id: storeId, item_id: items.diavola, level: 9, ledger_sum: 4 },
        { store_id: storeId, item_id: items.margherita, level: null, ledger_sum: 4 },
      ].sort((a, b) => byId(a.item_id, b.item_id)),
    );
  });
});
