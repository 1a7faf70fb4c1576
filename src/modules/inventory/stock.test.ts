import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../../platform/events/index.js';
import { importCatalog } from '../../test-support/catalog-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { apiKey, bearer, staffOf } from '../../test-support/identity-factories.js';
import { createOrganization, createStore } from '../../test-support/tenancy-factories.js';
import { eightySixesOf, menuItemIds, movesOf, setStock, stockedStore } from '../../test-support/inventory-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const put = (token: string, storeId: string, itemId: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'PUT',
    url: `/v1/stores/${storeId}/stock/${itemId}`,
    headers: { ...bearer(token), ...headers },
    payload: payload as Record<string, unknown>,
  });
const get = (token: string, url: string) => t.app.inject({ method: 'GET', url: `/v1${url}`, headers: bearer(token) });
const audit = (storeId: string) => t.modules.inventory.api.audit(t.db.database.db, { storeId });

describe('setting stock', () => {
  it('when a store manager sets, changes and stops tracking an item, then each answer shows the level and the ledger has one move per change with running balances', async () => {
    const { organizationId, storeId, items } = await stockedStore(t);
    const manager = await staffOf(t, { organizationId, storeId, role: 'manager' });
    const item = items.margherita;

    const started = await setStock(t, manager.token, storeId, item, 10);
    expect(started).toMatchObject({ store_id: storeId, item_id: item, tracked: true, quantity: 10 });
    expect(Date.parse(started.updated_at!)).not.toBeNaN();
    expect(await setStock(t, manager.token, storeId, item, 10)).toMatchObject({ quantity: 10 });
    expect(await setStock(t, manager.token, storeId, item, 4)).toMatchObject({ tracked: true, quantity: 4 });
    expect(await setStock(t, manager.token, storeId, item, null)).toEqual({
      store_id: storeId,
      item_id: item,
      tracked: false,
      quantity: null,
      low_stock_at: null,
      updated_at: null,
    });
    expect(await setStock(t, manager.token, storeId, item, null)).toMatchObject({ tracked: false });

    const moves = await movesOf(t, manager.token, storeId, item);
    expect(moves.map((m) => [m.reason, m.delta, m.balance_after, m.order_id])).toEqual([
      ['set', 10, 10, null],
      ['set', -6, 4, null],
      ['untracked', -4, 0, null],
    ]);
    const events = await readOutbox(t.db.database.db, {
      aggregate: { type: 'stock', id: storeId },
      type: 'inventory.stock.changed',
    });
    expect(events.map((e) => e.data)).toEqual(
      [10, 4, null].map((quantity) => ({
        organization_id: organizationId,
        store_id: storeId,
        item_id: item,
        quantity,
      })),
    );
    expect(await audit(storeId)).toEqual([]);
  });

  it('when tracking starts at zero, then the level is tracked with no move (a move is never 0) and the ledger still sums to it', async () => {
    const { storeId, owner, items } = await stockedStore(t);
    expect(await setStock(t, owner, storeId, items.lemonade, 0)).toMatchObject({ tracked: true, quantity: 0 });
    expect(await movesOf(t, owner, storeId, items.lemonade)).toEqual([]);
    await setStock(t, owner, storeId, items.lemonade, 3);
    expect((await movesOf(t, owner, storeId, items.lemonade)).map((m) => [m.delta, m.balance_after])).toEqual([[3, 3]]);
    expect(await audit(storeId)).toEqual([]);
  });

  it('when stock is set to zero, then the item is 86’d as sold out and leaves the menu; set above zero, it is lifted and back', async () => {
    const { storeId, owner, items } = await stockedStore(t);
    expect(await menuItemIds(t, storeId)).toContain(items.diavola); // cached now: the PUT must drop it
    await setStock(t, owner, storeId, items.diavola, 0);
    expect(await eightySixesOf(t, owner, storeId)).toEqual([
      expect.objectContaining({ item_id: items.diavola, reason: 'sold_out' }),
    ]);
    expect(await menuItemIds(t, storeId)).not.toContain(items.diavola);

    await setStock(t, owner, storeId, items.diavola, 5);
    expect(await eightySixesOf(t, owner, storeId)).toEqual([]);
    expect(await menuItemIds(t, storeId)).toContain(items.diavola);

    await setStock(t, owner, storeId, items.diavola, 0);
    await setStock(t, owner, storeId, items.diavola, null);
    expect(await eightySixesOf(t, owner, storeId)).toEqual([]);
    expect(await menuItemIds(t, storeId)).toContain(items.diavola);
  });

  it('when the same Idempotency-Key is sent twice, then the second answer is the stored one and the ledger has one move', async () => {
    const { storeId, owner, items } = await stockedStore(t);
    const headers = { 'idempotency-key': 'count-friday-evening' };
    const first = await put(owner, storeId, items.lemonade, { quantity: 7 }, headers);
    const second = await put(owner, storeId, items.lemonade, { quantity: 7 }, headers);
    expect(first.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toBe(first.body);
    expect(await movesOf(t, owner, storeId, items.lemonade)).toHaveLength(1);
  });

  it('when the body has an unknown field, a negative or fractional quantity, or none, then 400 VALIDATION_FAILED names the field', async () => {
    const { storeId, owner, items } = await stockedStore(t);
    const cases: Array<[unknown, string]> = [
      [{ quantity: 3, note: 'recount' }, '/body/note'],
      [{ quantity: -1 }, '/body/quantity'],
      [{ quantity: 1.5 }, '/body/quantity'],
      [{}, '/body'],
    ];
    for (const [payload, path] of cases) {
      const res = await put(owner, storeId, items.margherita, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      expect(
        res
          .json()
          .errors.map((e: { path: string }) => e.path)
          .some((p: string) => p.startsWith(path)),
      ).toBe(true);
    }
    expect(await movesOf(t, owner, storeId, items.margherita)).toEqual([]);
  });
});

describe('who may see and set stock', () => {
  it('when an owner of another organization reads or sets this store’s stock, then 404; when this store’s owner names another brand’s item, then 404', async () => {
    const { storeId, owner, items } = await stockedStore(t);
    const outsider = await createOrganization(t);
    const foreignItem = (await importCatalog(t, outsider.id)).items.margherita!;

    for (const res of [
      await put(outsider.owner.token, storeId, items.margherita, { quantity: 1 }),
      await get(outsider.owner.token, `/stores/${storeId}/stock`),
      await get(outsider.owner.token, `/stores/${storeId}/stock/${items.margherita}/moves`),
      await put(owner, storeId, foreignItem, { quantity: 1 }),
      await put(owner, storeId, foreignItem, { quantity: null }),
      await get(owner, `/stores/${storeId}/stock/${foreignItem}/moves`),
    ]) {
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
    expect(await audit(storeId)).toEqual([]);
  });

  it('when floor staff of the store set stock or read the ledger, then 403; when they list the stock, then 200', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    const staff = await staffOf(t, { organizationId, storeId, role: 'staff' });
    await setStock(t, owner, storeId, items.margherita, 3);
    expect((await put(staff.token, storeId, items.margherita, { quantity: 9 })).statusCode).toBe(403);
    expect((await get(staff.token, `/stores/${storeId}/stock/${items.margherita}/moves`)).statusCode).toBe(403);
    const list = await get(staff.token, `/stores/${storeId}/stock`);
    expect(list.statusCode).toBe(200);
    expect(list.json().data).toEqual([expect.objectContaining({ item_id: items.margherita, quantity: 3 })]);
  });

  it('when a manager of another store of the brand sets stock here, then 403', async () => {
    const { organizationId, storeId, items } = await stockedStore(t);
    const otherStore = await createStore(t, { organizationId });
    const manager = await staffOf(t, { organizationId, storeId: otherStore.id, role: 'manager' });
    expect((await put(manager.token, storeId, items.margherita, { quantity: 1 })).statusCode).toBe(403);
    expect((await put(manager.token, otherStore.id, items.margherita, { quantity: 1 })).statusCode).toBe(200);
  });

  it('when API keys call, then stock:write may set, stock:read may only read, and catalog:write may do neither', async () => {
    const { organizationId, storeId, owner, items } = await stockedStore(t);
    const writer = await apiKey(t, owner, organizationId, ['stock:write']);
    const reader = await apiKey(t, owner, organizationId, ['stock:read']);
    const catalogKey = await apiKey(t, owner, organizationId, ['catalog:write']);
    expect((await put(writer, storeId, items.lemonade, { quantity: 12 })).statusCode).toBe(200);
    expect((await put(reader, storeId, items.lemonade, { quantity: 1 })).json().code).toBe('INSUFFICIENT_SCOPE');
    expect((await get(reader, `/stores/${storeId}/stock`)).json().data).toEqual([
      expect.objectContaining({ quantity: 12 }),
    ]);
    expect((await get(reader, `/stores/${storeId}/stock/${items.lemonade}/moves`)).statusCode).toBe(200);
    expect((await put(catalogKey, storeId, items.lemonade, { quantity: 1 })).statusCode).toBe(403);
    expect((await get(catalogKey, `/stores/${storeId}/stock`)).statusCode).toBe(403);
    const moves = await movesOf(t, owner, storeId, items.lemonade);
    expect(moves).toHaveLength(1);
  });
});

describe('listing stock and moves', () => {
  it('when a store tracks more items than a page holds, then GET /stock pages through them in item id order, untracked items left out', async () => {
    const { storeId, owner, items } = await stockedStore(t);
    const tracked = [items.margherita, items.diavola, items.lemonade];
    for (const [index, item] of tracked.entries()) await setStock(t, owner, storeId, item, index + 1);
    await setStock(t, owner, storeId, items.lemonade, null);
    const expected = [items.margherita, items.diavola].sort();

    const first = await get(owner, `/stores/${storeId}/stock?limit=1`);
    expect(first.json()).toMatchObject({ data: [{ item_id: expected[0], tracked: true }], has_more: true });
    const second = await get(owner, `/stores/${storeId}/stock?limit=1&cursor=${first.json().next_cursor}`);
    expect(second.json()).toMatchObject({ data: [{ item_id: expected[1] }], has_more: false, next_cursor: null });
    expect((await get(owner, `/stores/${storeId}/stock?cursor=not-a-cursor`)).json().code).toBe('INVALID_CURSOR');
  });

  it('when an item has more moves than a page holds, then GET moves pages through them oldest first, each once', async () => {
    const { storeId, owner, items } = await stockedStore(t);
    for (const quantity of [5, 8, 2, 9, 1]) await setStock(t, owner, storeId, items.margherita, quantity);
    const seen: Array<{ id: string; balance_after: number; delta: number }> = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const res = await get(owner, `/stores/${storeId}/stock/${items.margherita}/moves?limit=2${query}`);
      expect(res.statusCode).toBe(200);
      const page = res.json<{ data: typeof seen; next_cursor: string | null; has_more: boolean }>();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen.map((m) => m.balance_after)).toEqual([5, 8, 2, 9, 1]);
    expect(seen.map((m) => m.delta)).toEqual([5, 3, -6, 7, -8]);
    expect(new Set(seen.map((m) => m.id)).size).toBe(5);
  });
});
