// One menu, three ways in: the REST menu, search and GraphQL are all views of the menu resolver,
// so for the demo stores, every channel and several moments they agree item by item on what is
// orderable, what it costs and which modifier groups (and nested groups) it has.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoIfEmpty } from '../../demo/seed.js';
import { demoCatalogDocument } from '../../demo/menu.js';
import { inTransaction } from '../../platform/db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import type { ResolvedGroup, ResolvedMenu } from './resolved-menu.js';

let now = new Date('2026-12-07T11:30:00Z');
let t: TestApp;
let stores: { berlin: string; brooklyn: string };
let organizationId: string;
/** Every item of the demo catalog, id → name (what search is asked for). */
const catalog = new Map<string, string>();

beforeAll(async () => {
  t = await createTestApp({}, { clock: () => now });
  await seedDemoIfEmpty(t.db.database.db, t.modules);
  const listed = (await t.app.inject({ method: 'GET', url: '/v1/stores?org=demo-pizzeria' })).json<{
    data: Array<{ id: string; timezone: string; organization_id: string }>;
  }>().data;
  stores = {
    berlin: listed.find((store) => store.timezone === 'Europe/Berlin')!.id,
    brooklyn: listed.find((store) => store.timezone === 'America/New_York')!.id,
  };
  organizationId = listed[0]!.organization_id;
  const ids = await t.modules.catalog.api.idsByRef(organizationId);
  for (const category of demoCatalogDocument().categories)
    for (const item of category.items) catalog.set(ids.items[item.ref]!, item.name);
});
afterAll(async () => {
  await t?.close();
});

/** An item as all three can state it: its price, its sizes' prices, its groups with options (and nested groups). */
interface Facts {
  price: number;
  variants: Array<[string, number]>;
  groups: unknown[];
}
interface GqlGroup {
  id: string;
  name: string;
  min: number;
  max: number;
  freeQuantity: number;
  options: Array<{
    id: string;
    name: string;
    maxQuantity: number;
    price: { amount: number };
    childGroup: GqlGroup | null;
  }>;
}
interface GqlItem {
  id: string;
  price: { amount: number; currency: string };
  variants: Array<{ id: string; price: { amount: number } }>;
  modifierGroups: GqlGroup[];
}
type Shape = Array<{ id: string; categories: Array<{ id: string; items: string[] }> }>;

const fromRest = (group: ResolvedGroup): unknown => ({
  id: group.id,
  name: group.name,
  limits: [group.min_select, group.max_select, group.free_quantity],
  options: group.options.map((option) => ({
    id: option.id,
    name: option.name,
    price: option.price.amount,
    max: option.max_quantity,
    child: option.child_group && fromRest(option.child_group),
  })),
});
const fromGraphql = (group: GqlGroup): unknown => ({
  id: group.id,
  name: group.name,
  limits: [group.min, group.max, group.freeQuantity],
  options: group.options.map((option) => ({
    id: option.id,
    name: option.name,
    price: option.price.amount,
    max: option.maxQuantity,
    child: option.childGroup && fromGraphql(option.childGroup),
  })),
});

const GROUP_FIELDS = 'id name min max freeQuantity';
const OPTION_FIELDS = 'id name maxQuantity price { amount }';
const MENU_QUERY = `query Parity($id: ID!, $channel: Channel) {
  store(id: $id) { menus(channel: $channel) { id categories { id items {
    id price { amount currency } variants { id price { amount } }
    modifierGroups { ${GROUP_FIELDS} options { ${OPTION_FIELDS}
      childGroup { ${GROUP_FIELDS} options { ${OPTION_FIELDS} childGroup { id } } } } }
  } } } }
}`;

type Channel = 'pickup' | 'delivery' | 'dine_in';

async function rest(storeId: string, channel: Channel) {
  const response = await t.app.inject({ method: 'GET', url: `/v1/stores/${storeId}/menu?channel=${channel}` });
  expect(response.statusCode).toBe(200);
  const menu = response.json<ResolvedMenu>();
  const items = new Map<string, Facts>();
  for (const item of menu.menus.flatMap((m) => m.categories.flatMap((c) => c.items)))
    items.set(item.id, {
      price: item.price.amount,
      variants: item.variants.map((variant) => [variant.id, variant.price.amount]),
      groups: item.modifier_groups.map(fromRest),
    });
  const shape: Shape = menu.menus.map((m) => ({
    id: m.id,
    categories: m.categories.map((c) => ({ id: c.id, items: c.items.map((item) => item.id) })),
  }));
  return { items, shape };
}

async function graphql(storeId: string, channel: Channel | null) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    payload: { query: MENU_QUERY, variables: { id: storeId, channel } },
  });
  const body = response.json<{
    data: { store: { menus: Array<{ id: string; categories: Array<{ id: string; items: GqlItem[] }> }> } };
    errors?: unknown;
  }>();
  expect(body.errors).toBeUndefined();
  const menus = body.data.store.menus;
  const items = new Map<string, Facts>();
  for (const item of menus.flatMap((m) => m.categories.flatMap((c) => c.items)))
    items.set(item.id, {
      price: item.price.amount,
      variants: item.variants.map((variant) => [variant.id, variant.price.amount]),
      groups: item.modifierGroups.map(fromGraphql),
    });
  const shape: Shape = menus.map((m) => ({
    id: m.id,
    categories: m.categories.map((c) => ({ id: c.id, items: c.items.map((item) => item.id) })),
  }));
  return { items, shape };
}

/** Searches every item of the catalog by its name: which ones are found (at which price), and every hit seen. */
async function search(storeId: string, channel: Channel | null) {
  const found = new Map<string, number>();
  const seen = new Set<string>();
  for (const [id, name] of catalog) {
    const query = `q=${encodeURIComponent(name)}&limit=50${channel ? `&channel=${channel}` : ''}`;
    const response = await t.app.inject({ method: 'GET', url: `/v1/stores/${storeId}/menu/search?${query}` });
    expect(response.statusCode).toBe(200);
    const hits = response.json<{ data: Array<{ id: string; price: { amount: number } }> }>().data;
    for (const hit of hits) seen.add(hit.id);
    const own = hits.find((hit) => hit.id === id);
    if (own) found.set(id, own.price.amount);
  }
  return { found, seen };
}

/** What search should say of an item: its price, or its cheapest size's. */
const searchPrice = (facts: Facts) =>
  facts.variants.length > 0 ? Math.min(...facts.variants.map(([, price]) => price)) : facts.price;

async function expectAgreement(moment: string) {
  for (const [place, storeId] of Object.entries(stores)) {
    const pickup = await rest(storeId, 'pickup');
    for (const channel of ['pickup', 'delivery', 'dine_in', null] as const) {
      const context = `${moment}, ${place}, ${channel ?? 'no channel'}`;
      const menu = channel === null ? null : await rest(storeId, channel);
      const view = await graphql(storeId, channel);
      const { found, seen } = await search(storeId, channel);
      if (menu) {
        expect(view.shape, context).toEqual(menu.shape);
        expect(view.items, context).toEqual(menu.items);
      }
      // Availability does not depend on the channel: without one, the same items as pickup.
      expect([...view.items.keys()].sort(), context).toEqual([...pickup.items.keys()].sort());
      expect([...found.keys()].sort(), context).toEqual([...view.items.keys()].sort());
      expect(
        [...seen].filter((id) => !view.items.has(id)),
        context,
      ).toEqual([]);
      for (const [id, facts] of view.items)
        expect(found.get(id), `${context}: ${catalog.get(id)}`).toBe(searchPrice(facts));
    }
  }
}

const namesAt = async (storeId: string) =>
  [...(await rest(storeId, 'pickup')).items.keys()].map((id) => catalog.get(id)).sort();

describe('REST menu, search and GraphQL', () => {
  // Monday 7 December 2026: Berlin is UTC+1, Brooklyn UTC−5.
  it.each([
    ['breakfast in Berlin (09:00), the small hours in Brooklyn', '2026-12-07T08:00:00Z'],
    ['lunch in Berlin (12:30)', '2026-12-07T11:30:00Z'],
    ['a closed hour in Berlin (04:00: no menu served), late evening in Brooklyn', '2026-12-07T03:00:00Z'],
    ['breakfast in Brooklyn (09:00), afternoon in Berlin', '2026-12-07T14:00:00Z'],
  ])('when it is %s, then they agree item by item on every channel', async (moment, iso) => {
    now = new Date(iso);
    await expectAgreement(moment);
    // Something is on offer somewhere, so the agreement is not that of two empty menus.
    expect((await namesAt(stores.berlin)).length + (await namesAt(stores.brooklyn)).length).toBeGreaterThan(10);
  });

  it('when the closed hour comes, then none of the three offers anything in Berlin', async () => {
    now = new Date('2026-12-07T03:00:00Z');
    expect((await graphql(stores.berlin, null)).items.size).toBe(0);
    expect(await namesAt(stores.berlin)).toEqual([]);
  });

  it('when an item is 86’d, a whole category is, and a store overrides prices (every channel and dine-in only), then they still agree', async () => {
    now = new Date('2026-12-07T14:00:00Z');
    const ids = await t.modules.catalog.api.idsByRef(organizationId);
    const before = await rest(stores.brooklyn, 'dine_in');
    const breakfast = demoCatalogDocument().categories.find((category) => category.ref === 'breakfast')!;
    const breakfastItems = breakfast.items.map((item) => ids.items[item.ref]!);
    expect(before.shape.find((menu) => menu.id === ids.menus.breakfast)?.categories).toHaveLength(1);
    await inTransaction(t.db.database.db, async (trx) => {
      await t.modules.catalog.api.markSoldOut(trx, {
        organizationId,
        storeId: stores.berlin,
        itemId: ids.items.margherita!,
      });
      // Brooklyn's breakfast sold out entirely: its menu is still served, with no category left.
      for (const item of breakfastItems)
        await t.modules.catalog.api.markSoldOut(trx, { organizationId, storeId: stores.brooklyn, itemId: item });
      await t.modules.catalog.api.setStoreCatalogSettings(trx, {
        organizationId,
        storeId: stores.brooklyn,
        priceOverrides: [
          { item_id: ids.items['garlic-bread']!, variant_id: null, option_id: null, channel: null, price: 399 },
          {
            item_id: null,
            variant_id: ids.variants['margherita/margherita-1']!,
            option_id: null,
            channel: null,
            price: 777,
          },
          {
            item_id: null,
            variant_id: null,
            option_id: ids.options['toppings/top-mushrooms']!,
            channel: 'dine_in',
            price: 55,
          },
        ],
      });
    });
    await t.modules.catalog.invalidate({ organizationId, storeIds: null });

    await expectAgreement('after the 86 and the overrides');
    expect(await namesAt(stores.berlin)).not.toContain('Margherita');
    expect(await namesAt(stores.brooklyn)).toContain('Margherita');
    expect((await graphql(stores.brooklyn, 'pickup')).shape.find((menu) => menu.id === ids.menus.breakfast)).toEqual({
      id: ids.menus.breakfast,
      categories: [],
    });
    const after = await rest(stores.brooklyn, 'dine_in');
    expect(after.items.get(ids.items['garlic-bread']!)!.price).toBe(399);
    expect(after.items.get(ids.items.margherita!)!.variants[0]).toEqual([ids.variants['margherita/margherita-1'], 777]);
    expect(JSON.stringify(after.items.get(ids.items.margherita!)!.groups)).toContain('"price":55');
    expect(JSON.stringify(before.items.get(ids.items.margherita!)!.groups)).not.toContain('"price":55');
  });
});
