import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../../platform/events/index.js';
import { importCatalog, storeWithMenu } from '../../test-support/catalog-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, staffOf } from '../../test-support/identity-factories.js';
import { createOrganization } from '../../test-support/tenancy-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type Json = Record<string, unknown>;
const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  token: string,
  payload?: Json,
  headers: Record<string, string> = {},
) =>
  t.app.inject({
    method,
    url: `/v1${url}`,
    headers: { ...bearer(token), ...headers },
    ...(payload ? { payload } : {}),
  });
const catalogVersion = async (organizationId: string) => {
  const { rows } = await sql<{
    version: string;
  }>`SELECT version FROM catalog_versions WHERE organization_id = ${organizationId}`.execute(t.db.database.db);
  return rows[0] ? Number(rows[0].version) : null;
};
/** A new API key of the organization with these scopes, created by its owner over HTTP. */
async function apiKey(ownerToken: string, organizationId: string, scopes: string[]): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/organizations/${organizationId}/api-keys`,
    headers: bearer(ownerToken),
    payload: { name: 'catalog key', scopes },
  });
  if (res.statusCode !== 201) throw new Error(`API key creation failed: ${res.statusCode} ${res.body}`);
  return res.json<{ secret: string }>().secret;
}
const catalogEvents = (organizationId: string) =>
  readOutbox(t.db.database.db, { aggregate: { type: 'catalog', id: organizationId } });

describe('catalog CRUD', () => {
  it('when an owner creates a category, an item with sizes and groups, reads, updates and deletes it, then each answer has the right status, body and ETag', async () => {
    const org = await createOrganization(t);
    const token = org.owner.token;
    const category = await call('POST', `/organizations/${org.id}/categories`, token, { name: 'Pasta', ref: 'pasta' });
    expect(category.statusCode).toBe(201);
    expect(category.headers.location).toBe(`/v1/categories/${category.json().id}`);
    expect(category.headers.etag).toBe('"1"');
    const group = await call('POST', `/organizations/${org.id}/modifier-groups`, token, {
      name: 'Cheese',
      min_select: 1,
      max_select: 2,
      options: [
        { name: 'Parmesan', price: 0, ref: 'parmesan' },
        { name: 'Pecorino', price: 80 },
      ],
    });
    expect(group.statusCode).toBe(201);
    expect(group.json().options.map((o: Json) => o.name)).toEqual(['Parmesan', 'Pecorino']);

    const item = await call('POST', `/organizations/${org.id}/items`, token, {
      category_id: category.json().id,
      name: 'Carbonara',
      price: 1200,
      tags: ['classic'],
      variants: [
        { name: 'Regular', price: 1200 },
        { name: 'Large', price: 1500, ref: 'large' },
      ],
      modifier_group_ids: [group.json().id],
    });
    expect(item.statusCode).toBe(201);
    const itemId = item.json().id;
    expect(item.json()).toMatchObject({
      name: 'Carbonara',
      price: 1200,
      ref: itemId,
      modifier_group_ids: [group.json().id],
      position: 0,
    });

    const read = await call('GET', `/items/${itemId}`, token);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    const largeId = read.json().variants[1].id;

    const updated = await call(
      'PATCH',
      `/items/${itemId}`,
      token,
      { price: 1250, variants: [{ ref: 'large', name: 'Large', price: 1600 }] },
      { 'if-match': '"1"' },
    );
    expect(updated.statusCode).toBe(200);
    expect(updated.headers.etag).toBe('"2"');
    expect(updated.json().variants).toEqual([{ id: largeId, ref: 'large', name: 'Large', price: 1600, sku: null }]);

    const list = await call('GET', `/organizations/${org.id}/items?limit=1`, token);
    expect(list.json()).toMatchObject({ data: [{ id: itemId }], has_more: false, next_cursor: null });

    const menu = await call('POST', `/organizations/${org.id}/menus`, token, {
      name: 'Lunch',
      availability: [{ weekday: 1, starts_at: '11:00', ends_at: '15:00' }],
      category_ids: [category.json().id],
    });
    expect(menu.statusCode).toBe(201);
    const renamed = await call(
      'PATCH',
      `/menus/${menu.json().id}`,
      token,
      { name: 'Business lunch' },
      { 'if-match': menu.headers.etag as string },
    );
    expect(renamed.json()).toMatchObject({
      name: 'Business lunch',
      availability: [{ weekday: 1, starts_at: '11:00', ends_at: '15:00' }],
    });

    expect((await call('DELETE', `/categories/${category.json().id}`, token)).json().code).toBe('CATEGORY_NOT_EMPTY');
    expect((await call('DELETE', `/items/${itemId}`, token)).statusCode).toBe(204);
    expect((await call('GET', `/items/${itemId}`, token)).statusCode).toBe(404);
    expect((await call('DELETE', `/categories/${category.json().id}`, token)).statusCode).toBe(204);
    expect((await call('GET', `/menus/${menu.json().id}`, token)).json().category_ids).toEqual([]);
  });

  it('when an update carries a stale If-Match, then it is 412 and nothing changes', async () => {
    const org = await createOrganization(t);
    const ids = await importCatalog(t, org.id);
    const token = org.owner.token;
    const first = await call(
      'PATCH',
      `/categories/${ids.categories.pizza}`,
      token,
      { name: 'Pizzas' },
      { 'if-match': '"1"' },
    );
    expect(first.statusCode).toBe(200);
    const stale = await call(
      'PATCH',
      `/categories/${ids.categories.pizza}`,
      token,
      { name: 'Pies' },
      { 'if-match': '"1"' },
    );
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('PRECONDITION_FAILED');
    expect((await call('GET', `/categories/${ids.categories.pizza}`, token)).json().name).toBe('Pizzas');
    expect(
      (
        await call(
          'PATCH',
          `/modifier-groups/${ids.modifier_groups.base}`,
          token,
          { name: 'Base' },
          { 'if-match': '"7"' },
        )
      ).statusCode,
    ).toBe(412);
    expect(
      (await call('PATCH', `/menus/${ids.menus['all-day']}`, token, { name: 'X' }, { 'if-match': '"7"' })).statusCode,
    ).toBe(412);
    expect(
      (await call('PATCH', `/items/${ids.items.diavola}`, token, { name: 'X' }, { 'if-match': 'W/"1"' })).statusCode,
    ).toBe(412);
  });
});

describe('catalog validation', () => {
  it('when a group is required beyond its available options, has max below min and a negative price, then every problem is listed at once', async () => {
    const org = await createOrganization(t);
    const res = await call('POST', `/organizations/${org.id}/modifier-groups`, org.owner.token, {
      name: 'Base',
      min_select: 2,
      max_select: 2,
      options: [
        { name: 'Tomato', price: 0 },
        { name: 'Cream', price: 0, is_available: false },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { path: '/body/min_select', message: expect.stringContaining('allow only 1 pick') },
    ]);

    // Schema rules (negative price, max 0) and the same min rule, all in one answer.
    const many = await call('POST', `/organizations/${org.id}/modifier-groups`, org.owner.token, {
      name: 'Sauces',
      min_select: 2,
      max_select: 0,
      options: [{ name: 'Mayo', price: -5 }],
    });
    expect(many.statusCode).toBe(400);
    const paths = many.json().errors.map((e: Json) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/body/max_select', '/body/options/0/price']));
    expect(paths.length).toBeGreaterThanOrEqual(2);

    const inverted = await call('POST', `/organizations/${org.id}/modifier-groups`, org.owner.token, {
      name: 'Sauces',
      min_select: 3,
      max_select: 2,
      options: [{ name: 'Mayo', price: 0, max_quantity: 1 }],
    });
    expect(
      inverted
        .json()
        .errors.map((e: Json) => e.path)
        .sort(),
    ).toEqual(['/body/max_select', '/body/min_select']);
  });

  it('when an option opens a group that itself opens one, or its own group, then nesting deeper than one level and loops are refused', async () => {
    const org = await createOrganization(t);
    const ids = await importCatalog(t, org.id);
    const token = org.owner.token;
    // "combo" opens "combo-drink": a group opening "combo" would nest two levels.
    const deep = await call('POST', `/organizations/${org.id}/modifier-groups`, token, {
      name: 'Meal deal',
      options: [{ name: 'Combo', child_group_id: ids.modifier_groups.combo }],
    });
    expect(deep.statusCode).toBe(400);
    expect(deep.json().errors).toEqual([
      { path: '/body/options/0/child_group_id', message: expect.stringContaining('one level deep') },
    ]);
    // "combo-drink" is opened by "combo": it may not open anything itself (that would loop back too).
    const loop = await call('PATCH', `/modifier-groups/${ids.modifier_groups['combo-drink']}`, token, {
      options: [{ name: 'Cola', child_group_id: ids.modifier_groups.combo }],
    });
    expect(loop.statusCode).toBe(400);
    expect(loop.json().errors.map((e: Json) => e.path)).toContain('/body/options/0/child_group_id');
    const self = await call('PATCH', `/modifier-groups/${ids.modifier_groups.toppings}`, token, {
      options: [{ name: 'Again', child_group_id: ids.modifier_groups.toppings }],
    });
    expect(self.json().errors).toEqual([
      { path: '/body/options/0/child_group_id', message: expect.stringContaining('loop') },
    ]);
  });

  it('when a body names ids of another brand, then it is 404 and the other brand is untouched', async () => {
    const a = await createOrganization(t);
    const b = await createOrganization(t);
    const bIds = await importCatalog(t, b.id);
    const aIds = await importCatalog(t, a.id);
    const foreignCategory = await call('POST', `/organizations/${a.id}/items`, a.owner.token, {
      category_id: bIds.categories.pizza,
      name: 'Sneaky',
      price: 100,
    });
    expect(foreignCategory.statusCode).toBe(404);
    const foreignGroup = await call('PATCH', `/items/${aIds.items.diavola}`, a.owner.token, {
      modifier_group_ids: [bIds.modifier_groups.base],
    });
    expect(foreignGroup.statusCode).toBe(404);
    const foreignChild = await call('POST', `/organizations/${a.id}/modifier-groups`, a.owner.token, {
      name: 'X',
      options: [{ name: 'Y', child_group_id: bIds.modifier_groups['combo-drink'] }],
    });
    expect(foreignChild.statusCode).toBe(404);
  });
});

describe('catalog access and isolation', () => {
  it('when A’s owner reaches for B’s catalog resources, then every one is 404 and A’s lists never show B’s rows', async () => {
    const a = await createOrganization(t);
    const b = await storeWithMenu(t);
    await importCatalog(t, a.id);
    const token = a.owner.token;
    const { ids } = b;
    for (const url of [
      `/items/${ids.items.margherita}`,
      `/categories/${ids.categories.pizza}`,
      `/modifier-groups/${ids.modifier_groups.base}`,
      `/menus/${ids.menus['all-day']}`,
    ]) {
      expect((await call('GET', url, token)).statusCode).toBe(404);
      expect((await call('PATCH', url, token, { name: 'Mine now' })).statusCode).toBe(404);
      expect((await call('DELETE', url, token)).statusCode).toBe(404);
    }
    expect((await call('PATCH', `/tax-categories/${ids.tax_categories.food}`, token, { name: 'x' })).statusCode).toBe(
      404,
    );
    expect((await call('GET', `/organizations/${b.organization.id}/items`, token)).statusCode).toBe(404);
    expect(
      (await call('POST', `/stores/${b.store.id}/eighty-sixes`, token, { item_id: ids.items.margherita })).statusCode,
    ).toBe(404);
    expect((await call('PUT', `/stores/${b.store.id}/published-menus`, token, { menu_ids: [] })).statusCode).toBe(404);

    const list = await call('GET', `/organizations/${a.id}/items?limit=100`, token);
    const bItemIds = new Set(Object.values(ids.items));
    expect(list.json().data).toHaveLength(3);
    expect(list.json().data.some((row: Json) => bItemIds.has(row.id as string))).toBe(false);
  });

  it('when store staff 86 an item, they may, but editing items is 403; a store-level manager may set store prices but not brand items', async () => {
    const { organization, store, ids } = await storeWithMenu(t);
    const staff = await staffOf(t, { organizationId: organization.id, storeId: store.id, role: 'staff' });
    const res = await call('POST', `/stores/${store.id}/eighty-sixes`, staff.token, { item_id: ids.items.margherita });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ item_id: ids.items.margherita, option_id: null, until: null });
    expect((await call('GET', `/stores/${store.id}/eighty-sixes`, staff.token)).json().data).toHaveLength(1);
    expect((await call('PATCH', `/items/${ids.items.margherita}`, staff.token, { price: 1 })).statusCode).toBe(403);
    expect((await call('PUT', `/stores/${store.id}/price-overrides`, staff.token, { overrides: [] })).statusCode).toBe(
      403,
    );
    expect((await call('DELETE', `/stores/${store.id}/eighty-sixes/${res.json().id}`, staff.token)).statusCode).toBe(
      204,
    );
    expect((await call('GET', `/stores/${store.id}/eighty-sixes`, staff.token)).json().data).toEqual([]);

    const manager = await staffOf(t, { organizationId: organization.id, storeId: store.id, role: 'manager' });
    const prices = await call('PUT', `/stores/${store.id}/price-overrides`, manager.token, {
      overrides: [{ variant_id: ids.variants['margherita/large'], channel: 'delivery', price: 1450 }],
    });
    expect(prices.statusCode).toBe(200);
    expect(prices.json().overrides).toEqual([
      {
        id: expect.any(String),
        item_id: null,
        variant_id: ids.variants['margherita/large'],
        option_id: null,
        channel: 'delivery',
        price: 1450,
      },
    ]);
    expect((await call('PATCH', `/items/${ids.items.margherita}`, manager.token, { price: 1 })).statusCode).toBe(403);
  });

  it('when an API key has catalog:read, then it exports but may not import; catalog:write may write', async () => {
    const org = await createOrganization(t);
    await importCatalog(t, org.id);
    const reader = await apiKey(org.owner.token, org.id, ['catalog:read']);
    const writer = await apiKey(org.owner.token, org.id, ['catalog:write']);
    expect((await call('GET', `/organizations/${org.id}/catalog`, reader)).statusCode).toBe(200);
    expect((await call('POST', `/organizations/${org.id}/categories`, reader, { name: 'No' })).statusCode).toBe(403);
    expect((await call('POST', `/organizations/${org.id}/categories`, writer, { name: 'Yes' })).statusCode).toBe(201);
  });
});

describe('store-scoped catalog settings', () => {
  it('when 86ing with an end in the past, without a target, or for both targets, then every problem is listed', async () => {
    const { organization, store, ids } = await storeWithMenu(t);
    const res = await call('POST', `/stores/${store.id}/eighty-sixes`, organization.owner.token, {
      item_id: ids.items.margherita,
      option_id: ids.options['toppings/olives'],
      until: '2000-01-01T00:00:00Z',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: Json) => e.path)).toEqual(['/body', '/body/until']);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const option = await call('POST', `/stores/${store.id}/eighty-sixes`, organization.owner.token, {
      option_id: ids.options['toppings/olives'],
      until,
    });
    expect(option.statusCode).toBe(201);
    expect(option.json().until).toBe(until);
  });

  it('when tax settings, published menus and store prices are written, then they read back as written', async () => {
    const { organization, store, ids } = await storeWithMenu(t);
    const token = organization.owner.token;
    const tax = await call('PUT', `/stores/${store.id}/tax-settings`, token, {
      prices_include_tax: false,
      rates: [{ tax_category_id: ids.tax_categories.food, rate_bps: 825 }],
    });
    expect(tax.statusCode).toBe(200);
    expect((await call('GET', `/stores/${store.id}/tax-settings`, token)).json()).toEqual({
      prices_include_tax: false,
      rates: [{ tax_category_id: ids.tax_categories.food, rate_bps: 825 }],
    });
    const published = await call('PUT', `/stores/${store.id}/published-menus`, token, {
      menu_ids: [ids.menus['late-night']],
    });
    expect(published.json()).toEqual({ menu_ids: [ids.menus['late-night']] });
    expect((await call('GET', `/stores/${store.id}/published-menus`, token)).json()).toEqual({
      menu_ids: [ids.menus['late-night']],
    });
    expect((await call('GET', `/stores/${store.id}/price-overrides`, token)).json().overrides).toEqual([
      {
        id: expect.any(String),
        item_id: ids.items.margherita,
        variant_id: null,
        option_id: null,
        channel: 'delivery',
        price: 1050,
      },
    ]);
  });
});

describe('catalog versions and events', () => {
  it('when any catalog write commits, then catalog_versions goes up by one and catalog.catalog.changed names the stores it affects', async () => {
    const { organization, store, ids } = await storeWithMenu(t);
    const token = organization.owner.token;
    const writes: Array<[() => Promise<{ statusCode: number }>, string[] | null]> = [
      [() => call('PATCH', `/items/${ids.items.diavola}`, token, { price: 1150 }), null],
      [() => call('POST', `/organizations/${organization.id}/categories`, token, { name: 'Desserts' }), null],
      [() => call('PATCH', `/modifier-groups/${ids.modifier_groups.toppings}`, token, { max_select: 4 }), null],
      [() => call('PATCH', `/menus/${ids.menus['all-day']}`, token, { name: 'Always' }), null],
      [
        () =>
          call('POST', `/organizations/${organization.id}/tax-categories`, token, { code: 'alcohol', name: 'Alcohol' }),
        null,
      ],
      [() => call('POST', `/stores/${store.id}/eighty-sixes`, token, { item_id: ids.items.diavola }), [store.id]],
      [() => call('PUT', `/stores/${store.id}/price-overrides`, token, { overrides: [] }), [store.id]],
      [
        () => call('PUT', `/stores/${store.id}/tax-settings`, token, { prices_include_tax: true, rates: [] }),
        [store.id],
      ],
      [
        () => call('PUT', `/stores/${store.id}/published-menus`, token, { menu_ids: [ids.menus['all-day']] }),
        [store.id],
      ],
    ];
    for (const [write, storeIds] of writes) {
      const before = await catalogVersion(organization.id);
      const res = await write();
      expect(res.statusCode).toBeLessThan(300);
      const after = await catalogVersion(organization.id);
      expect(after).toBe(before! + 1);
      const last = (await catalogEvents(organization.id)).at(-1)!;
      expect(last.type).toBe('catalog.catalog.changed');
      expect(last.data).toEqual({ organization_id: organization.id, version: after, store_ids: storeIds });
    }
  });

  it('when a write is refused, then neither the version nor the outbox moves', async () => {
    const org = await createOrganization(t);
    const ids = await importCatalog(t, org.id);
    const version = await catalogVersion(org.id);
    const events = (await catalogEvents(org.id)).length;
    expect(
      (await call('PATCH', `/items/${ids.items.diavola}`, org.owner.token, { price: 1 }, { 'if-match': '"9"' }))
        .statusCode,
    ).toBe(412);
    expect(
      (await call('POST', `/organizations/${org.id}/modifier-groups`, org.owner.token, { name: 'X', min_select: 1 }))
        .statusCode,
    ).toBe(400);
    expect(await catalogVersion(org.id)).toBe(version);
    expect(await catalogEvents(org.id)).toHaveLength(events);
  });
});
