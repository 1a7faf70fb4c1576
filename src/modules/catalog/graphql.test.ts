import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { organizationWithStore } from '../../test-support/tenancy-factories.js';
import { GRAPHQL_LIMITS } from './graphql-host.js';
import { inTransaction } from '../../platform/db/index.js';
import { importCatalog, priceOverride, sellAt } from '../../test-support/catalog-factories.js';
import { recordQueries } from '../../test-support/query-log.js';

const FULL_MENU = /* GraphQL */ `
  query FullMenu($id: ID!, $channel: Channel) {
    store(id: $id) {
      id
      name
      timezone
      currency
      menus(channel: $channel) {
        id
        name
        categories {
          id
          name
          items {
            id
            name
            tags
            price {
              amount
              currency
            }
            variants {
              id
              name
              price {
                amount
              }
            }
            modifierGroups {
              name
              min
              max
              options {
                name
                price {
                  amount
                }
                childGroup {
                  name
                  min
                  max
                  options {
                    name
                    price {
                      amount
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

interface GqlResponse {
  data: {
    store: {
      menus: Array<{
        name: string;
        categories: Array<{ name: string; items: Array<Record<string, unknown> & { name: string }> }>;
      }>;
    } | null;
  } | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** A store whose one menu has `items` items, each with 2 sizes and 2 modifier groups (one option opens a nested group). */
async function storeWithMenu(t: TestApp, items: number) {
  const { organization, store } = await organizationWithStore(t);
  const place = { organizationId: organization.id, storeId: store.id };
  const ids = await importCatalog(t, organization.id, {
    tax_categories: [],
    modifier_groups: [
      {
        ref: 'drinks',
        name: 'Drink',
        min_select: 1,
        max_select: 1,
        options: [
          { ref: 'cola', name: 'Cola', price: 0 },
          { ref: 'water', name: 'Water', price: 0 },
        ],
      },
      {
        ref: 'base',
        name: 'Choose a base',
        min_select: 1,
        max_select: 1,
        options: [
          { ref: 'classic', name: 'Classic', price: 0 },
          { ref: 'combo', name: 'Combo', price: 300, child_group: 'drinks' },
        ],
      },
      {
        ref: 'extras',
        name: 'Extra toppings',
        min_select: 0,
        max_select: 5,
        options: [
          { ref: 'cheese', name: 'Extra cheese', price: 150 },
          { ref: 'truffle', name: 'Truffle', price: 500, is_available: false },
        ],
      },
    ],
    categories: [
      {
        ref: 'pizza',
        name: 'Pizza',
        items: Array.from({ length: items }, (_, n) => ({
          ref: `pizza-${n}`,
          name: `Pizza ${n}`,
          tags: n % 2 === 0 ? ['vegan'] : [],
          price: 900 + n,
          variants: [
            { ref: 'small', name: 'Small', price: 800 + n },
            { ref: 'large', name: 'Large', price: 1200 + n },
          ],
          modifier_groups: ['base', 'extras'],
        })),
      },
    ],
    menus: [{ ref: 'all-day', name: 'All day', categories: ['pizza'] }],
  });
  await sellAt(t, { ...place, ids }, ['all-day']);
  const itemIds = Array.from({ length: items }, (_, n) => ids.items[`pizza-${n}`]!);
  return { ...place, ids, itemIds, cheese: ids.options['extras/cheese']! };
}

describe('storefront GraphQL', () => {
  let t: TestApp;

  const post = (query: string, variables: Record<string, unknown> = {}) =>
    t.app.inject({ method: 'POST', url: '/graphql', payload: { query, variables } });

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('when a full menu is queried, then it is resolved for the store: prices with overrides, 86d items and switched-off options left out, nested groups included', async () => {
    const { storeId, organizationId, ids, itemIds, cheese } = await storeWithMenu(t, 3);
    await sellAt(
      t,
      { organizationId, storeId, ids },
      ['all-day'],
      [priceOverride({ item: itemIds[0]! }, 999, 'delivery'), priceOverride({ option: cheese }, 175)],
    );
    await inTransaction(t.db.database.db, (trx) =>
      t.modules.catalog.api.markSoldOut(trx, { organizationId, storeId, itemId: itemIds[2]! }),
    );

    const res = await post(FULL_MENU, { id: storeId, channel: 'delivery' });
    expect(res.statusCode).toBe(200);
    const body = res.json<GqlResponse>();
    expect(body.errors).toBeUndefined();
    const items = body.data!.store!.menus[0]!.categories[0]!.items;
    expect(items.map((item) => item.name)).toEqual(['Pizza 0', 'Pizza 1']);
    expect(items[0]).toMatchObject({
      price: { amount: 999, currency: 'EUR' },
      variants: [
        { name: 'Small', price: { amount: 800 } },
        { name: 'Large', price: { amount: 1200 } },
      ],
      modifierGroups: [
        {
          name: 'Choose a base',
          min: 1,
          max: 1,
          options: [
            { name: 'Classic', price: { amount: 0 }, childGroup: null },
            {
              name: 'Combo',
              price: { amount: 300 },
              childGroup: { name: 'Drink', options: [{ name: 'Cola' }, { name: 'Water' }] },
            },
          ],
        },
        { name: 'Extra toppings', options: [{ name: 'Extra cheese', price: { amount: 175 }, childGroup: null }] },
      ],
    });
    // Without a channel, the delivery-only override does not apply.
    const pickup = (await post(FULL_MENU, { id: storeId })).json<GqlResponse>();
    expect(pickup.data!.store!.menus[0]!.categories[0]!.items[0]).toMatchObject({ price: { amount: 900 } });
  });

  it('when the store is unknown, then store is null', async () => {
    const body = (await post(FULL_MENU, { id: '0191d3a8-0000-7000-8000-000000000000' })).json<GqlResponse>();
    expect(body).toEqual({ data: { store: null } });
  });

  it('when a full menu of 3 items and one of 60 items are queried, then both cost the same small number of SQL queries, and none for the menu once it is cached', async () => {
    const small = await storeWithMenu(t, 3);
    const large = await storeWithMenu(t, 60);

    const count = async (storeId: string) => {
      const { result, queries } = await recordQueries(pg, () => post(FULL_MENU, { id: storeId }));
      const body = result.json<GqlResponse>();
      expect(body.errors).toBeUndefined();
      return { queries: queries.length, items: body.data!.store!.menus[0]!.categories[0]!.items.length };
    };
    const smallRun = await count(small.storeId);
    const largeRun = await count(large.storeId);

    expect(smallRun.items).toBe(3);
    expect(largeRun.items).toBe(60);
    expect(largeRun.queries).toBe(smallRun.queries);
    // The store, then one cold build of its resolved menu (BEGIN, the store, 10 catalog queries, COMMIT) …
    expect(largeRun.queries).toBe(14);
    // … which the next query reads from the menu cache: only the store lookup is left.
    expect((await count(large.storeId)).queries).toBe(1);
  });

  it('when a query nests deeper than the depth limit, then it is refused with a clear error before any SQL runs', async () => {
    let nested = 'name';
    for (let level = 0; level < 4; level++) nested = `name options { name childGroup { ${nested} } }`;
    const query = `{ store(id: "0191d3a8-0000-7000-8000-000000000000") { menus { categories { items { modifierGroups { ${nested} } } } } } }`;
    const { result, queries } = await recordQueries(pg, () => post(query));
    expect(result.statusCode).toBe(400);
    const body = result.json<GqlResponse>();
    expect(body.errors?.[0]?.message).toMatch(
      new RegExp(`exceeds the query depth limit of ${GRAPHQL_LIMITS.queryDepth}`),
    );
    expect(queries).toHaveLength(0);
  });

  it('when a query selects more fields than the cost limit (e.g. through aliases), then it is refused with a clear error', async () => {
    const aliases = Array.from(
      { length: 40 },
      (_, n) => `m${n}: menus { id name categories { id name items { id name } } }`,
    ).join(' ');
    const { result, queries } = await recordQueries(pg, () =>
      post(`{ store(id: "0191d3a8-0000-7000-8000-000000000000") { ${aliases} } }`),
    );
    expect(result.statusCode).toBe(400);
    const error = result.json<GqlResponse>().errors?.[0];
    expect(error?.message).toMatch(
      new RegExp(
        `Query cost limit exceeded: operation "anonymous" selects \\d+ fields .* the limit is ${GRAPHQL_LIMITS.maxCost}`,
      ),
    );
    expect(queries).toHaveLength(0);
  });

  it('when fragments are spread many times, then they are counted where spread', async () => {
    const spreads = Array.from(
      { length: 80 },
      (_, n) => `a${n}: store(id: "0191d3a8-0000-7000-8000-000000000000") { ...S }`,
    ).join(' ');
    const res = await post(`query Wide { ${spreads} } fragment S on Store { id name timezone currency }`);
    expect(res.statusCode).toBe(400);
    expect(res.json<GqlResponse>().errors?.[0]?.message).toContain('operation "Wide" selects 400 fields');
  });

  it('when at is not a timestamp, then the error says so', async () => {
    const { storeId } = await storeWithMenu(t, 1);
    const body = (
      await post('query($id: ID!) { store(id: $id) { menus(at: "tomorrow") { id } } }', { id: storeId })
    ).json<GqlResponse>();
    expect(body.errors?.[0]?.message).toContain('RFC 3339');
  });
});
