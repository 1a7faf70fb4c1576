import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../platform/http/server.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { createBareServer } from '../../test-support/server.js';
import { createOrganization, createStore } from '../../test-support/tenancy-factories.js';
import { catalogRows, type CatalogRows } from '../../test-support/catalog-factories.js';
import { createStorefront, type ResolvedMenu } from './storefront.js';

// One node: a storefront on the test database behind a bare server, with a clock the tests set.
let t: TestApp;
let server: App;
let storefront: ReturnType<typeof createStorefront>;
let now = new Date('2026-06-01T10:00:00Z');

beforeAll(async () => {
  t = await createTestApp();
  storefront = createStorefront({
    db: t.db.database.db,
    tenancy: t.modules.tenancy,
    redis: null,
    logger: pino({ level: 'silent' }),
    clock: () => now,
  });
  server = await createBareServer();
  await server.register(storefront.routes, { prefix: '/v1' });
  await server.ready();
});
afterAll(async () => {
  await server.close();
  await storefront.close();
  await t.close();
});

const get = (url: string, headers: Record<string, string> = {}) => server.inject({ method: 'GET', url, headers });

async function brand(timezone = 'Europe/Berlin') {
  const org = await createOrganization(t);
  const store = await createStore(t, { organizationId: org.id, timezone });
  return { org, storeId: store.id, f: catalogRows(t.db.database.db, org.id) };
}

async function menuAt(storeId: string, at: string, channel = 'pickup'): Promise<ResolvedMenu> {
  const response = await get(`/v1/stores/${storeId}/menu?channel=${channel}&at=${encodeURIComponent(at)}`);
  expect(response.statusCode).toBe(200);
  return response.json();
}

const menuNames = (menu: ResolvedMenu) => menu.menus.map((m) => m.name);
const items = (menu: ResolvedMenu) => menu.menus.flatMap((m) => m.categories.flatMap((c) => c.items));
const itemNamed = (menu: ResolvedMenu, name: string) => items(menu).find((item) => item.name === name);

async function simpleMenu(
  f: CatalogRows,
  storeId: string,
  name: string,
  windows: Parameters<CatalogRows['menu']>[2] = [],
) {
  const category = await f.category(`${name} dishes`);
  const item = await f.item(category, `${name} dish`, 500);
  const menu = await f.menu(name, [category], windows);
  await f.publish(storeId, menu);
  return { category, item, menu };
}

describe('menu availability', () => {
  it('when menus have hours in the store’s zone, then only those served at `at` are listed (no hours: always), including a window past midnight', async () => {
    const { storeId, f } = await brand();
    await simpleMenu(f, storeId, 'Breakfast', [{ weekday: 1, starts_at: '07:00', ends_at: '11:00' }]);
    await simpleMenu(f, storeId, 'Late night', [{ weekday: 5, starts_at: '22:00', ends_at: '03:00' }]);
    await simpleMenu(f, storeId, 'All day');

    // Monday 1 June 2026, 08:00 in Berlin (UTC+2).
    expect(menuNames(await menuAt(storeId, '2026-06-01T06:00:00Z'))).toEqual(['Breakfast', 'All day']);
    expect(menuNames(await menuAt(storeId, '2026-06-01T10:00:00Z'))).toEqual(['All day']);
    // Saturday 01:30 local: Friday's late-night window still runs; 03:00 local it has closed.
    expect(menuNames(await menuAt(storeId, '2026-06-05T23:30:00Z'))).toEqual(['Late night', 'All day']);
    expect(menuNames(await menuAt(storeId, '2026-06-06T01:00:00Z'))).toEqual(['All day']);
    // Friday 21:59 local: not yet.
    expect(menuNames(await menuAt(storeId, '2026-06-05T19:59:00Z'))).toEqual(['All day']);
  });

  it('when the clocks spring forward during a window, then the window ends at its local end time (DST day)', async () => {
    const { storeId, f } = await brand();
    // Saturday 28 March 2026 22:00 → Sunday 04:00 Berlin; on Sunday 02:00 becomes 03:00 (UTC+1 → UTC+2).
    await simpleMenu(f, storeId, 'Night', [{ weekday: 6, starts_at: '22:00', ends_at: '04:00' }]);
    expect(menuNames(await menuAt(storeId, '2026-03-28T20:59:00Z'))).toEqual([]); // 21:59 CET
    expect(menuNames(await menuAt(storeId, '2026-03-28T21:00:00Z'))).toEqual(['Night']); // 22:00 CET
    expect(menuNames(await menuAt(storeId, '2026-03-29T01:59:00Z'))).toEqual(['Night']); // 03:59 CEST
    expect(menuNames(await menuAt(storeId, '2026-03-29T02:00:00Z'))).toEqual([]); // 04:00 CEST
  });

  it('when asked shortly before a window closes, then Cache-Control lasts only until then', async () => {
    const { storeId, f } = await brand();
    await simpleMenu(f, storeId, 'Lunch', [{ weekday: 1, starts_at: '11:00', ends_at: '14:00' }]);
    const response = await get(`/v1/stores/${storeId}/menu?at=2026-06-01T11:59:30Z`); // 13:59:30 local
    expect(response.headers['cache-control']).toBe('public, max-age=30');
    const later = await get(`/v1/stores/${storeId}/menu?at=2026-06-01T10:00:00Z`);
    expect(later.headers['cache-control']).toBe('public, max-age=60');
  });
});

describe('prices, taxes, 86s and modifiers', () => {
  it('when a store and a channel override a price, then the channel override beats the store override, which beats the brand price', async () => {
    const { org, storeId, f } = await brand();
    const category = await f.category('Pizza');
    const margherita = await f.item(category, 'Margherita', 1000);
    const plain = await f.item(category, 'Marinara', 800);
    const small = await f.variant(margherita, 'Small', 900);
    const large = await f.variant(margherita, 'Large', 1400);
    const group = await f.group('Extras', { max: 3 });
    const cheese = await f.option(group, 'Cheese', 100);
    await f.attach(margherita, group);
    await f.publish(storeId, await f.menu('All day', [category]));
    await f.override(storeId, { item: margherita }, 1100);
    await f.override(storeId, { item: margherita }, 1300, 'delivery');
    await f.override(storeId, { variant: large }, 1600, 'delivery');
    await f.override(storeId, { option: cheese }, 150);
    // Another store's override changes nothing here.
    const other = await createStore(t, { organizationId: org.id });
    await f.override(other.id, { item: plain }, 1);

    const pickup = await menuAt(storeId, '2026-06-01T10:00:00Z', 'pickup');
    const delivery = await menuAt(storeId, '2026-06-01T10:00:00Z', 'delivery');
    const dineIn = await menuAt(storeId, '2026-06-01T10:00:00Z', 'dine_in');
    expect(itemNamed(pickup, 'Margherita')!.price).toEqual({ amount: 1100, currency: 'EUR' });
    expect(itemNamed(dineIn, 'Margherita')!.price).toEqual({ amount: 1100, currency: 'EUR' });
    expect(itemNamed(delivery, 'Margherita')!.price).toEqual({ amount: 1300, currency: 'EUR' });
    expect(itemNamed(pickup, 'Marinara')!.price).toEqual({ amount: 800, currency: 'EUR' });
    expect(itemNamed(pickup, 'Margherita')!.variants.map((v) => [v.id, v.price.amount])).toEqual([
      [small, 900],
      [large, 1400],
    ]);
    expect(itemNamed(delivery, 'Margherita')!.variants.map((v) => [v.id, v.price.amount])).toEqual([
      [small, 900],
      [large, 1600],
    ]);
    expect(itemNamed(delivery, 'Margherita')!.modifier_groups[0]!.options[0]!.price).toEqual({
      amount: 150,
      currency: 'EUR',
    });
  });

  it('when items and options are 86’d, then those 86’d until later or indefinitely are left out and those whose 86 ended are back', async () => {
    const { storeId, f } = await brand();
    const category = await f.category('Mains');
    const expired = await f.item(category, 'Back again', 500);
    const later = await f.item(category, 'Out till later', 500);
    const indefinitely = await f.item(category, 'Out for good', 500);
    await f.item(category, 'Never out', 500);
    const group = await f.group('Sides', { max: 2 });
    const fries = await f.option(group, 'Fries', 200);
    await f.option(group, 'Salad', 200);
    await f.option(group, 'Discontinued', 200, { available: false });
    await f.attach(expired, group);
    await f.publish(storeId, await f.menu('All day', [category]));
    const at = new Date('2026-06-01T10:00:00Z');
    await f.eightySix(storeId, { item: expired }, new Date(at.getTime() - 3_600_000));
    await f.eightySix(storeId, { item: later }, new Date(at.getTime() + 3_600_000));
    await f.eightySix(storeId, { item: indefinitely }, null);
    await f.eightySix(storeId, { option: fries }, null);

    const menu = await menuAt(storeId, at.toISOString());
    expect(items(menu).map((item) => item.name)).toEqual(['Back again', 'Never out']);
    expect(itemNamed(menu, 'Back again')!.modifier_groups[0]!.options.map((o) => o.name)).toEqual(['Salad']);
    // After the 86 ends, the item is back (a different snapshot: the first one was valid only until then).
    const after = await menuAt(storeId, new Date(at.getTime() + 3_600_000).toISOString());
    expect(items(after).map((item) => item.name)).toEqual(['Back again', 'Out till later', 'Never out']);
    const response = await get(
      `/v1/stores/${storeId}/menu?at=${encodeURIComponent(new Date(at.getTime() + 3_590_000).toISOString())}`,
    );
    expect(response.headers['cache-control']).toBe('public, max-age=10');
  });

  it('when an option opens a nested group, then the group is there with its options; tax info comes from the store', async () => {
    const { storeId, f } = await brand();
    const food = await f.taxCategory('food');
    const category = await f.category('Combos');
    const combo = await f.item(category, 'Burger combo', 1200, { taxCategoryId: food });
    const untaxed = await f.item(category, 'Gift card', 2000);
    const drinks = await f.group('Choose a drink', { min: 1, max: 1 });
    await f.option(drinks, 'Cola', 0);
    await f.option(drinks, 'Water', 0);
    const side = await f.group('Choose a side', { min: 1, max: 1, free: 1 });
    await f.option(side, 'Fries with drink', 0, { childGroupId: drinks });
    await f.attach(combo, side);
    await f.publish(storeId, await f.menu('All day', [category]));
    await f.tax(storeId, false, { [food]: 700 });

    const menu = await menuAt(storeId, '2026-06-01T10:00:00Z');
    const item = itemNamed(menu, 'Burger combo')!;
    expect(item.id).toBe(combo);
    expect(item.modifier_groups).toMatchObject([
      {
        id: side,
        name: 'Choose a side',
        min_select: 1,
        max_select: 1,
        free_quantity: 1,
        options: [
          { name: 'Fries with drink', child_group: { id: drinks, options: [{ name: 'Cola' }, { name: 'Water' }] } },
        ],
      },
    ]);
    expect(item.tax).toEqual({ category: 'food', rate_bps: 700, prices_include_tax: false });
    expect(itemNamed(menu, 'Gift card')!.tax).toEqual({ category: null, rate_bps: 0, prices_include_tax: false });
    expect(menu).toMatchObject({ store_id: storeId, channel: 'pickup', currency: 'EUR', prices_include_tax: false });
    expect(untaxed).toBeDefined();
  });
});

describe('the HTTP surface', () => {
  it('when the store is unknown, then 404; when the channel or store id is malformed, then 400', async () => {
    const { storeId } = await brand();
    expect((await get('/v1/stores/0190f7d2-0000-7000-8000-000000000000/menu')).statusCode).toBe(404);
    expect((await get(`/v1/stores/${storeId}/menu?channel=drone`)).statusCode).toBe(400);
    expect((await get('/v1/stores/not-a-uuid/menu')).statusCode).toBe(400);
    expect((await get(`/v1/stores/${storeId}/menu?at=yesterday`)).statusCode).toBe(400);
  });

  it('when the menu is read again with its ETag, then 304 without a body; a changed menu answers 200 with a new ETag after invalidation', async () => {
    const { org, storeId, f } = await brand();
    const { category } = await simpleMenu(f, storeId, 'All day');
    const first = await get(`/v1/stores/${storeId}/menu`);
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.headers['cache-control']).toMatch(/^public, max-age=\d+$/);

    const again = await get(`/v1/stores/${storeId}/menu`, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect((await get(`/v1/stores/${storeId}/menu`, { 'if-none-match': `W/${etag}` })).statusCode).toBe(304);

    // A write without invalidation is not seen (the snapshot is cached) …
    await f.item(category, 'New dish', 700);
    await f.bumpVersion();
    expect((await get(`/v1/stores/${storeId}/menu`)).headers.etag).toBe(etag);
    // … and after it, the next read has it.
    await storefront.invalidate({ organizationId: org.id, storeIds: [storeId] });
    const changed = await get(`/v1/stores/${storeId}/menu`, { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(items(changed.json()).map((item) => item.name)).toContain('New dish');
  });

  it('when a whole brand is invalidated, then every one of its stores is rebuilt and other brands keep their snapshot', async () => {
    const a = await brand();
    const secondStore = await createStore(t, { organizationId: a.org.id });
    const { category, menu } = await simpleMenu(a.f, a.storeId, 'All day');
    await a.f.publish(secondStore.id, menu);
    const b = await brand();
    const bMenu = await simpleMenu(b.f, b.storeId, 'All day');

    const etags = async () =>
      Promise.all(
        [a.storeId, secondStore.id, b.storeId].map(async (id) => (await get(`/v1/stores/${id}/menu`)).headers.etag),
      );
    const before = await etags();
    await a.f.item(category, 'Brand-wide special', 900);
    await b.f.item(bMenu.category, 'Unseen in B', 900);
    await storefront.invalidate({ organizationId: a.org.id, storeIds: null });
    const after = await etags();
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[2]).toBe(before[2]);
  });

  it('when the clock passes the end of a cached snapshot’s validity, then the next read is rebuilt for the new moment', async () => {
    const { storeId, f } = await brand();
    await simpleMenu(f, storeId, 'Breakfast', [{ weekday: 1, starts_at: '07:00', ends_at: '11:00' }]);
    now = new Date('2026-06-01T08:59:00Z'); // 10:59 local
    expect(menuNames((await get(`/v1/stores/${storeId}/menu`)).json())).toEqual(['Breakfast']);
    now = new Date('2026-06-01T09:00:00Z'); // 11:00 local
    expect(menuNames((await get(`/v1/stores/${storeId}/menu`)).json())).toEqual([]);
    now = new Date('2026-06-01T10:00:00Z');
  });
});

describe('in the full app', () => {
  it('when the canonical route is called, then it answers there and the OpenAPI document describes it', async () => {
    const org = await createOrganization(t);
    const store = await createStore(t, { organizationId: org.id });
    const f = catalogRows(t.db.database.db, org.id);
    await simpleMenu(f, store.id, 'All day');
    const response = await t.app.inject({ method: 'GET', url: `/v1/stores/${store.id}/menu?channel=delivery` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ store_id: store.id, channel: 'delivery', menus: [{ name: 'All day' }] });
    expect(response.headers.etag).toBeDefined();
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operation = spec.paths['/v1/stores/{storeId}/menu'].get;
    expect(operation.operationId).toBe('getStoreMenu');
    expect(operation.tags).toEqual(['catalog']);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '304', '400', '404']));
  });
});
