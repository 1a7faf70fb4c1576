// The resolver's contributor seam: what a contributor withholds or reprices is what the menu,
// search and ordering see, and its validity bounds how long the menu is cached.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../platform/http/server.js';
import { catalogRows } from '../../test-support/catalog-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { createBareServer } from '../../test-support/server.js';
import { createOrganization, createStore } from '../../test-support/tenancy-factories.js';
import type { MenuContributor, MenuMoment } from './menu-contributors.js';
import type { ResolvedMenu } from './resolved-menu.js';
import { createMenuSearch } from './search.js';
import { createStorefront } from './storefront.js';

const now = new Date('2026-06-01T10:00:00Z');
const HALF_HOUR = 30 * 60_000;
let t: TestApp;
let server: App;
let storefront: ReturnType<typeof createStorefront>;
const moments: MenuMoment[] = [];
let withheld = new Set<string>();
let discounted = '';
let broken = false;

// A happy hour as a promotions module would write one: 20% off one category for half an hour,
// and an item whose ingredient ran out withheld.
const happyHour: MenuContributor = {
  name: 'test.happy-hour',
  async adjust(moment) {
    moments.push(moment);
    return {
      unavailableItems: withheld,
      price: (thing, amount) =>
        broken ? amount - 0.5 : thing.kind !== 'option' && thing.categoryId === discounted ? amount * 0.8 : amount,
      until: moment.at.getTime() + HALF_HOUR,
    };
  },
};

beforeAll(async () => {
  t = await createTestApp();
  storefront = createStorefront({
    db: t.db.database.db,
    tenancy: t.modules.tenancy,
    redis: null,
    logger: pino({ level: 'silent' }),
    clock: () => now,
    contributors: [happyHour],
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

describe('menu contributors', () => {
  it('when a contributor withholds an item and discounts a category until a time, then the menu and search say so, and the menu is cached until then only', async () => {
    const org = await createOrganization(t);
    const store = await createStore(t, { organizationId: org.id, timezone: 'Europe/Berlin' });
    const f = catalogRows(t.db.database.db, org.id);
    const pizza = await f.category('Pizza');
    const drinks = await f.category('Drinks');
    const margherita = await f.item(pizza, 'Margherita', 1000);
    const small = await f.variant(margherita, 'Small', 900);
    const cola = await f.item(drinks, 'Cola', 300);
    await f.item(drinks, 'Lemonade', 350);
    await f.publish(store.id, await f.menu('All day', [pizza, drinks]));
    discounted = pizza;
    withheld = new Set([cola]);

    const response = await server.inject({ method: 'GET', url: `/v1/stores/${store.id}/menu?channel=delivery` });
    const menu = response.json<ResolvedMenu>();
    const items = menu.menus[0]!.categories.flatMap((category) => category.items);
    expect(items.map((item) => [item.name, item.price.amount])).toEqual([
      ['Margherita', 800],
      ['Lemonade', 350],
    ]);
    expect(items[0]!.variants).toEqual([
      { id: small, name: 'Small', sku: null, price: { amount: 720, currency: 'EUR' } },
    ]);
    expect(moments.at(-1)).toMatchObject({
      organizationId: org.id,
      storeId: store.id,
      timezone: 'Europe/Berlin',
      channel: 'delivery',
    });
    // The cached snapshot ends with the happy hour (without it, 20 hours ahead).
    expect((await storefront.snapshotAt(store.id, 'delivery', now)).until).toBe(now.getTime() + HALF_HOUR);

    const search = createMenuSearch({ storefront, clock: () => now });
    expect((await search(store.id, 'cola')).map((hit) => hit.name)).toEqual([]);
    expect((await search(store.id, 'margherita')).map((hit) => hit.price.amount)).toEqual([720]);
  });

  it('when a contributor returns a price that is not whole minor units, then the build fails instead of serving it', async () => {
    const org = await createOrganization(t);
    const store = await createStore(t, { organizationId: org.id });
    const f = catalogRows(t.db.database.db, org.id);
    const mains = await f.category('Mains');
    await f.item(mains, 'Burger', 1000);
    await f.publish(store.id, await f.menu('All day', [mains]));
    broken = true;
    try {
      await expect(storefront.resolveMenu(store.id, 'pickup', now)).rejects.toThrow(
        /menu contributor test\.happy-hour priced item .* at 999\.5/,
      );
    } finally {
      broken = false;
    }
  });
});
