import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { createStore, organizationWithStore } from '../../test-support/tenancy-factories.js';
import { inTransaction } from '../../platform/db/index.js';
import { catalogRows, importCatalog, priceOverride, sellAt } from '../../test-support/catalog-factories.js';
import { recordQueries } from '../../test-support/query-log.js';
import { createMenuSearch } from './search.js';
import { createStorefront } from './storefront.js';

interface Hit {
  id: string;
  name: string;
  category: { id: string; name: string };
  price: { amount: number; currency: string };
  score: number;
}

describe('menu search', () => {
  let t: TestApp;
  let storeId: string;
  let otherStoreId: string;
  const ids: Record<string, string> = {};

  const search = async (query: string, store = storeId) => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/stores/${store}/menu/search?${query}` });
    return res;
  };
  const names = (hits: Hit[]) => hits.map((hit) => hit.name);

  beforeAll(async () => {
    t = await createTestApp();
    const { organization, store } = await organizationWithStore(t);
    storeId = store.id;
    otherStoreId = (await createStore(t, { organizationId: organization.id })).id;
    const organizationId = organization.id;
    const item = (ref: string, name: string, price: number, extra: { description?: string; tags?: string[] } = {}) => ({
      ref,
      name,
      price,
      ...extra,
    });
    const catalog = await importCatalog(t, organizationId, {
      tax_categories: [],
      modifier_groups: [],
      categories: [
        {
          ref: 'pizza',
          name: 'Pizza',
          items: [
            item('margherita', 'Pizza Margherita', 900, {
              description: 'Tomato, mozzarella, basil',
              tags: ['vegetarian'],
            }),
            item('marinara', 'Marinara', 800, { description: 'Tomato, garlic, oregano', tags: ['vegan'] }),
            item('pepperoni', 'Pepperoni', 1100, { description: 'Spicy salami', tags: ['spicy'] }),
            item('calzone', 'Vegan Calzone', 1200, { tags: ['vegan'] }),
            item('formaggi', 'Quattro Formaggi', 1150),
          ],
        },
        { ref: 'salads', name: 'Salads', items: [item('salad', 'Garden Salad', 700, { tags: ['vegan'] })] },
        {
          ref: 'sides',
          name: 'Sides',
          items: [
            item('garlic-bread', 'Garlic Bread', 450),
            item('bruschetta', 'Bruschetta', 550, {
              description: 'Toasted like our garlic bread, with fresh tomatoes',
            }),
          ],
        },
        { ref: 'breakfast', name: 'Breakfast', items: [item('pancakes', 'Pancakes', 650)] },
        { ref: 'secret', name: 'Secret menu', items: [item('secret', 'Secret Margherita', 1)] },
      ],
      menus: [
        { ref: 'all-day', name: 'All day', categories: ['pizza', 'salads', 'sides'] },
        // Monday 07:00–11:00 and Friday 22:00 → Saturday 03:00, Berlin time.
        {
          ref: 'breakfast',
          name: 'Breakfast and late night',
          categories: ['breakfast'],
          availability: [
            { weekday: 1, starts_at: '07:00', ends_at: '11:00' },
            { weekday: 5, starts_at: '22:00', ends_at: '03:00' },
          ],
        },
        // Not published to any store.
        { ref: 'unpublished', name: 'Unpublished', categories: ['secret'] },
      ],
    });
    Object.assign(ids, catalog.items);
    await sellAt(
      t,
      { organizationId, storeId, ids: catalog },
      ['all-day', 'breakfast'],
      [priceOverride({ item: ids.margherita! }, 950), priceOverride({ item: ids.margherita! }, 1090, 'delivery')],
    );
    await sellAt(t, { organizationId, storeId: otherStoreId, ids: catalog }, ['all-day']);
    // 86'd at the first store until further notice; an 86 that already ended does not count (the
    // API refuses to write an 86 in the past, so that one is a row).
    await inTransaction(t.db.database.db, (trx) =>
      t.modules.catalog.api.markSoldOut(trx, { organizationId, storeId, itemId: ids.calzone! }),
    );
    await catalogRows(t.db.database.db, organizationId).eightySix(
      storeId,
      { item: ids.formaggi! },
      new Date(Date.now() - 60_000),
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  it('when a customer searches "margarita", then "Pizza Margherita" is found despite the typo, with its category and store price', async () => {
    const res = await search('q=margarita');
    expect(res.statusCode).toBe(200);
    const hits = res.json<{ data: Hit[] }>().data;
    expect(names(hits)).toEqual(['Pizza Margherita']);
    expect(hits[0]).toMatchObject({
      id: ids.margherita,
      category: { name: 'Pizza' },
      price: { amount: 950, currency: 'EUR' },
    });
    expect(hits[0]!.score).toBeGreaterThan(0);
    expect(res.headers['cache-control']).toBe('public, max-age=15');
  });

  it('when the channel is delivery, then the delivery price override applies', async () => {
    const hits = (await search('q=margherita&channel=delivery')).json<{ data: Hit[] }>().data;
    expect(hits[0]).toMatchObject({ name: 'Pizza Margherita', price: { amount: 1090, currency: 'EUR' } });
  });

  it('when a customer searches "vegan pizza", then vegan-tagged items of the pizza category are found, not vegan salads nor other pizzas', async () => {
    const hits = (await search('q=vegan%20pizza')).json<{ data: Hit[] }>().data;
    // Vegan Calzone is vegan pizza too, but 86'd at this store.
    expect(names(hits)).toEqual(['Marinara']);
  });

  it('when an item matches by name and another only by description, then the name match ranks first', async () => {
    const hits = (await search('q=garlic%20bread')).json<{ data: Hit[] }>().data;
    expect(names(hits)).toEqual(['Garlic Bread', 'Bruschetta']);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
  });

  it("when an item is 86'd at the store, then it is not found there but is at a sister store; an ended 86 no longer hides an item", async () => {
    expect(names((await search('q=calzone')).json<{ data: Hit[] }>().data)).toEqual([]);
    expect(names((await search('q=calzone', otherStoreId)).json<{ data: Hit[] }>().data)).toEqual(['Vegan Calzone']);
    expect(names((await search('q=formaggi')).json<{ data: Hit[] }>().data)).toEqual(['Quattro Formaggi']);
  });

  it('when an item is only on an unpublished menu, then no store finds it', async () => {
    expect(names((await search('q=secret')).json<{ data: Hit[] }>().data)).toEqual([]);
    expect(names((await search('q=margherita')).json<{ data: Hit[] }>().data)).not.toContain('Secret Margherita');
  });

  it("when a menu is outside its hours in the store's time zone, then its items are not found; inside them (past midnight too), they are", async () => {
    // A storefront of its own (its own menu cache), so a search can ask for any moment.
    const storefront = createStorefront({
      db: t.db.database.db,
      tenancy: t.modules.tenancy,
      redis: null,
      logger: pino({ level: 'silent' }),
      clock: () => new Date(),
    });
    onTestFinished(() => storefront.close());
    const searchAt = createMenuSearch({ storefront, clock: () => new Date() });
    // Monday 2026-11-23: 09:00 and 13:00 in Berlin (CET, UTC+1).
    expect(names(await searchAt(storeId, 'pancakes', { at: new Date('2026-11-23T08:00:00Z') }))).toEqual(['Pancakes']);
    expect(names(await searchAt(storeId, 'pancakes', { at: new Date('2026-11-23T12:00:00Z') }))).toEqual([]);
    // Saturday 2026-11-28 01:30 Berlin: inside Friday's 22:00–03:00 window; 04:00 is not.
    expect(names(await searchAt(storeId, 'pancakes', { at: new Date('2026-11-28T00:30:00Z') }))).toEqual(['Pancakes']);
    expect(names(await searchAt(storeId, 'pancakes', { at: new Date('2026-11-28T03:00:00Z') }))).toEqual([]);
  });

  it('when q is missing, empty or longer than 100 characters, or the store is unknown, then 400 / 404 problems', async () => {
    const missing = await search('');
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await search('q=')).statusCode).toBe(400);
    expect((await search(`q=${'a'.repeat(101)}`)).statusCode).toBe(400);
    expect((await search('q=pizza&channel=drone')).statusCode).toBe(400);
    const unknown = await search('q=pizza', '0191d3a8-0000-7000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
  });

  it('when q has only punctuation, then the answer is an empty list', async () => {
    const res = await search(`q=${encodeURIComponent("'&|!:*")}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: [] });
  });

  it('when the menu is large (1,000 more items) and cached, then searches run no SQL at all and still find the same', async () => {
    const pool = t.db.database.pool;
    const { rows } = await pool.query<{ id: string; organization_id: string }>(
      "SELECT id, organization_id FROM categories WHERE name = 'Pizza'",
    );
    await pool.query(
      `INSERT INTO items (id, ref, organization_id, category_id, name, description, tags, price)
       SELECT u, u::text, c.organization_id, c.id, 'Dish ' || g || ' ' || md5(g::text), 'Filler number ' || g, ARRAY['filler'], 500
       FROM categories c, (SELECT gen_random_uuid() AS u, g FROM generate_series(1, 1000) g) s WHERE c.id = $1`,
      [rows[0]!.id],
    );
    // The write's invalidation, as the catalog's own writes do after commit.
    await t.modules.catalog.invalidate({ organizationId: rows[0]!.organization_id, storeIds: null });
    expect((await search('q=filler')).json<{ data: Hit[] }>().data).toHaveLength(20);

    const { result, queries } = await recordQueries(pg, async () => {
      const answers: Hit[][] = [];
      for (const q of ['margarita', 'garlic bread', 'vegan pizza', 'dish 17', 'margarita'])
        answers.push((await search(`q=${encodeURIComponent(q)}`)).json<{ data: Hit[] }>().data);
      return answers;
    });
    expect(queries).toEqual([]);
    expect(names(result[0]!)).toEqual(['Pizza Margherita']);
    expect(names(result[1]!)).toEqual(['Garlic Bread', 'Bruschetta']);
    expect(names(result[2]!)).toEqual(['Marinara']);
    expect(result[3]![0]!.name).toMatch(/^Dish 17 /);
    expect(result[4]).toEqual(result[0]);
  });
});
