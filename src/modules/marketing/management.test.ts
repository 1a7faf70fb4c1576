import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemoIfEmpty } from '../../demo/seed.js';
import { auditEntries, lastAudit } from '../../test-support/audit-factories.js';
import { importCatalog } from '../../test-support/catalog-factories.js';
import { inTransaction } from '../../platform/db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { waitFor } from '../../test-support/wait.js';
import { apiKey, bearer, customer, signIn, staffOf } from '../../test-support/identity-factories.js';
import { createOrganization, createStore } from '../../test-support/tenancy-factories.js';

let now = new Date('2026-12-07T12:00:00Z');
let t: TestApp;
let orgId: string;
let berlin: string;
let brooklyn: string;
let owner: string;
let staff: string;
let demoCustomer: string;
let itemId: string;
let categoryId: string;
let variantId: string;

beforeAll(async () => {
  t = await createTestApp({}, { clock: () => now });
  await seedDemoIfEmpty(t.db.database.db, t.modules);
  owner = await signIn(t, { email: DEMO_ACCOUNTS.owner, password: DEMO_PASSWORD });
  staff = await signIn(t, { email: DEMO_ACCOUNTS.staff, password: DEMO_PASSWORD });
  demoCustomer = await signIn(t, { email: DEMO_ACCOUNTS.customer, password: DEMO_PASSWORD });
  const stores = (await t.app.inject({ method: 'GET', url: '/v1/stores?org=demo-pizzeria' })).json().data as Array<{
    id: string;
    organization_id: string;
    timezone: string;
  }>;
  orgId = stores[0]!.organization_id;
  berlin = stores.find((s) => s.timezone === 'Europe/Berlin')!.id;
  brooklyn = stores.find((s) => s.timezone === 'America/New_York')!.id;
  const ids = await t.modules.catalog.api.idsByRef(orgId);
  itemId = Object.values(ids.items)[0]!;
  categoryId = Object.values(ids.categories)[0]!;
  variantId = Object.values(ids.variants)[0]!;
});
afterAll(async () => {
  await t.close();
});

const base = () => `/v1/organizations/${orgId}/promotions`;
const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  token: string | null,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  t.app.inject({
    method,
    url,
    headers: { ...(token ? bearer(token) : {}), ...headers },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

const tenPercent = (overrides: Record<string, unknown> = {}) => ({
  name: 'Ten off',
  kind: 'automatic',
  effect: { type: 'order_percentage', percent_bps: 1000 },
  ...overrides,
});

async function createPromotion(body: Record<string, unknown>, token = owner) {
  const res = await call('POST', base(), token, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string; version: number } & Record<string, unknown>>();
}

describe('promotion CRUD', () => {
  it('when the owner creates, reads, lists, patches and deletes a promotion, then each answer has the documented shape and the deleted one is 404', async () => {
    const res = await call('POST', base(), owner, {
      name: 'Lunch deal',
      description: 'Weekday lunches',
      kind: 'automatic',
      priority: 5,
      conditions: {
        store_ids: [berlin],
        channels: ['pickup', 'dine_in'],
        dayparts: [{ days: [1, 2, 3, 4, 5], from: '11:00', to: '14:00' }],
        min_subtotal: 1500,
        rules: [{ attribute: 'category', operator: 'includes_any', values: [categoryId] }],
      },
      effect: { type: 'line_percentage', percent_bps: 1500, target: { category_ids: [categoryId] } },
      max_discount: 500,
      starts_at: '2026-12-01T00:00:00Z',
      ends_at: '2027-01-01T00:00:00Z',
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(res.headers.location).toBe(`${base()}/${created.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(created).toEqual({
      id: expect.any(String),
      organization_id: orgId,
      name: 'Lunch deal',
      description: 'Weekday lunches',
      kind: 'automatic',
      advertised: true,
      active: true,
      priority: 5,
      combinable: false,
      starts_at: '2026-12-01T00:00:00Z',
      ends_at: '2027-01-01T00:00:00Z',
      conditions: expect.objectContaining({ store_ids: [berlin], min_subtotal: 1500 }),
      effect: { type: 'line_percentage', percent_bps: 1500, target: { category_ids: [categoryId] } },
      max_discount: 500,
      usage_limit: null,
      budget: null,
      per_customer_limit: null,
      usage: { uses: 0, discount_spent: 0 },
      codes_count: 0,
      version: 1,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });

    const read = await call('GET', `${base()}/${created.id}`, owner);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created);

    const stale = await call('PATCH', `${base()}/${created.id}`, owner, { priority: 7 }, { 'if-match': '"9"' });
    expect(stale.statusCode).toBe(412);
    const patched = await call(
      'PATCH',
      `${base()}/${created.id}`,
      owner,
      { priority: 7, description: null },
      {
        'if-match': '"1"',
      },
    );
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ priority: 7, description: null, version: 2 });
    expect(patched.headers.etag).toBe('"2"');

    const listed = await call('GET', `${base()}?kind=automatic&limit=100`, owner);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data.map((p: { id: string }) => p.id)).toContain(created.id);

    const removed = await call('DELETE', `${base()}/${created.id}`, owner);
    expect(removed.statusCode).toBe(204);
    expect((await call('GET', `${base()}/${created.id}`, owner)).statusCode).toBe(404);
    expect((await call('PATCH', `${base()}/${created.id}`, owner, { priority: 1 })).statusCode).toBe(404);
    expect((await call('DELETE', `${base()}/${created.id}`, owner)).statusCode).toBe(404);
    const after = await call('GET', `${base()}?limit=100`, owner);
    expect(after.json().data.map((p: { id: string }) => p.id)).not.toContain(created.id);
  });

  it('when a create is retried with the same Idempotency-Key, then the first answer is replayed and one promotion exists', async () => {
    const headers = { 'idempotency-key': `promo-${uuidv7()}` };
    const first = await call('POST', base(), owner, tenPercent({ name: 'Once' }), headers);
    const again = await call('POST', base(), owner, tenPercent({ name: 'Once' }), headers);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const reused = await call('POST', base(), owner, tenPercent({ name: 'Twice' }), headers);
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('when promotions are listed in pages with filters, then the keyset pages cover each matching one once', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++)
      made.push((await createPromotion(tenPercent({ name: `Page ${i}`, active: i % 2 === 0 }))).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `${base()}?limit=2&active=true${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await call('GET', url, owner);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json<{ data: Array<{ id: string; active: boolean }>; next_cursor: string | null }>();
      expect(page.data.every((p) => p.active)).toBe(true);
      seen.push(...page.data.map((p) => p.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(seen.length);
    expect(made.filter((_id, i) => i % 2 === 0).every((id) => seen.includes(id))).toBe(true);
    expect(made.filter((_id, i) => i % 2 === 1).some((id) => seen.includes(id))).toBe(false);
    expect((await call('GET', `${base()}?cursor=bm9wZQ`, owner)).statusCode).toBe(400);
  });
});

describe('validation', () => {
  it('when a promotion breaks its rules, then it is 422 INVALID_PROMOTION listing every problem with its code and path', async () => {
    const foreign = uuidv7();
    const res = await call('POST', base(), owner, {
      name: 'Broken',
      kind: 'automatic',
      starts_at: '2027-01-02T00:00:00Z',
      ends_at: '2027-01-01T00:00:00Z',
      conditions: {
        store_ids: [berlin, foreign],
        channels: ['pickup'],
        dayparts: [{ days: [1, 1], from: '11:00', to: '14:00' }],
        rules: [
          { attribute: 'subtotal', operator: 'in', values: [1000] },
          { attribute: 'channel', operator: 'in', values: ['drive_thru'] },
          { attribute: 'weekday', operator: 'in', values: [8] },
          { attribute: 'item', operator: 'includes_any', values: [foreign] },
          { attribute: 'channel', operator: 'in', values: ['pickup'], target: { item_ids: [itemId] } },
          { attribute: 'item_quantity', operator: 'gte', values: [2] },
        ],
      },
      effect: { type: 'delivery_fee', percent_bps: 5000, amount: 100 },
    });
    expect(res.statusCode, res.body).toBe(422);
    const problem = res.json();
    expect(problem.code).toBe('INVALID_PROMOTION');
    expect(problem.errors.map((e: { code: string; path: string }) => [e.code, e.path]).sort()).toEqual(
      [
        ['INVALID_WINDOW', '/body/ends_at'],
        ['UNKNOWN_STORE', '/body/conditions/store_ids/1'],
        ['DAYPART_INVALID', '/body/conditions/dayparts/0/days'],
        ['RULE_OPERATOR_NOT_ALLOWED', '/body/conditions/rules/0/operator'],
        ['RULE_VALUE_INVALID', '/body/conditions/rules/1/values/0'],
        ['RULE_VALUE_INVALID', '/body/conditions/rules/2/values/0'],
        ['UNKNOWN_ITEM', '/body/conditions/rules/3/values/0'],
        ['RULE_TARGET_NOT_ALLOWED', '/body/conditions/rules/4/target'],
        ['RULE_TARGET_NOT_ALLOWED', '/body/conditions/rules/5/target'],
        ['EFFECT_ALTERNATIVES', '/body/effect'],
        ['CHANNEL_MISMATCH', '/body/conditions/channels'],
      ].sort(),
    );
  });

  it('when effects name ids of another organization, miss alternatives or have too few components, then each is a 422 at its path', async () => {
    const other = await createOrganization(t);
    const otherItems = await importCatalog(t, other.id);
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [
        {
          type: 'flash_sale',
          item_id: otherItems.items.margherita,
          price: 500,
          units_per_day: 25,
          per_customer_per_day: 1,
        },
        'UNKNOWN_ITEM',
        '/body/effect/item_id',
      ],
      [
        { type: 'flash_sale', item_id: itemId, units_per_day: 25, per_customer_per_day: 1 },
        'EFFECT_ALTERNATIVES',
        '/body/effect',
      ],
      [
        { type: 'flash_sale', item_id: itemId, price: 1, units_per_day: 2, per_customer_per_day: 3 },
        'FLASH_SALE_CAP_ABOVE_POOL',
        '/body/effect/per_customer_per_day',
      ],
      [{ type: 'delivery_fee' }, 'EFFECT_ALTERNATIVES', '/body/effect'],
      [
        { type: 'combo', components: [{ target: { category_ids: [categoryId] }, quantity: 1 }], price: 1000 },
        'COMBO_TOO_FEW_COMPONENTS',
        '/body/effect/components',
      ],
      [
        {
          type: 'combo',
          components: [
            { target: { category_ids: [categoryId] }, quantity: 1 },
            { target: { variant_ids: [otherItems.variants['margherita/small'] ?? uuidv7()] }, quantity: 1 },
          ],
          price: 1000,
        },
        'UNKNOWN_VARIANT',
        '/body/effect/components/1/target/variant_ids/0',
      ],
      [{ type: 'fixed_price', target: {}, price: 100 }, 'EMPTY_TARGET', '/body/effect/target'],
      [
        { type: 'line_fixed', amount_per_unit: 100, target: { category_ids: [otherItems.categories.pizza] } },
        'UNKNOWN_CATEGORY',
        '/body/effect/target/category_ids/0',
      ],
    ];
    for (const [effect, code, path] of cases) {
      const res = await call('POST', base(), owner, { name: 'x', kind: 'automatic', effect });
      expect(res.statusCode, `${JSON.stringify(effect)}: ${res.body}`).toBe(422);
      expect(res.json().errors).toEqual([expect.objectContaining({ code, path })]);
    }
    // The sound versions of the same effects are accepted.
    for (const effect of [
      { type: 'flash_sale', item_id: itemId, percent_bps: 5000, units_per_day: 25, per_customer_per_day: 1 },
      { type: 'delivery_fee', amount: 200 },
      {
        type: 'combo',
        components: [
          { target: { category_ids: [categoryId] }, quantity: 1 },
          { target: { variant_ids: [variantId], item_ids: [itemId] }, quantity: 1 },
        ],
        price: 1200,
      },
      {
        type: 'buy_x_get_y',
        buy: { target: { item_ids: [itemId] }, quantity: 2 },
        get: { target: { item_ids: [itemId] }, quantity: 1 },
        percent_bps: 10000,
      },
    ]) {
      const res = await call('POST', base(), owner, { name: 'ok', kind: 'automatic', effect });
      expect(res.statusCode, `${JSON.stringify(effect)}: ${res.body}`).toBe(201);
    }
  });

  it('when a body does not fit the schema (unknown field, unknown effect type, percent out of range, bad time), then it is 400', async () => {
    for (const body of [
      tenPercent({ colour: 'red' }),
      tenPercent({ effect: { type: 'free_pizza' } }),
      tenPercent({ effect: { type: 'order_percentage', percent_bps: 0 } }),
      tenPercent({ effect: { type: 'order_percentage', percent_bps: 10001 } }),
      tenPercent({ effect: { type: 'order_percentage', percent_bps: 1000, extra: 1 } }),
      tenPercent({ conditions: { dayparts: [{ days: [1], from: '25:00', to: '26:00' }] } }),
      tenPercent({ conditions: { dayparts: [{ days: [0], from: '10:00', to: '11:00' }] } }),
      tenPercent({ kind: 'magic' }),
    ]) {
      const res = await call('POST', base(), owner, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    const promotion = await createPromotion(tenPercent());
    expect((await call('PATCH', `${base()}/${promotion.id}`, owner, {})).statusCode).toBe(400);
  });

  it('when a patch makes the promotion invalid, then it is 422 and nothing changes', async () => {
    const promotion = await createPromotion(tenPercent({ ends_at: '2027-01-01T00:00:00Z' }));
    const res = await call('PATCH', `${base()}/${promotion.id}`, owner, { starts_at: '2027-02-01T00:00:00Z' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([expect.objectContaining({ code: 'INVALID_WINDOW' })]);
    expect((await call('GET', `${base()}/${promotion.id}`, owner)).json()).toMatchObject({
      starts_at: null,
      version: 1,
    });
  });
});

describe('limits and the ledger', () => {
  async function redeem(promotionId: string, status: 'held' | 'confirmed' | 'released', amount: number) {
    await sql`INSERT INTO promotion_redemptions
        (id, organization_id, promotion_id, order_id, store_id, amount, counted, status, held_at, released_at)
      VALUES (${uuidv7()}, ${orgId}, ${promotionId}, ${uuidv7()}, ${berlin}, ${amount}, false, ${status}, now(),
        ${status === 'released' ? sql`now()` : null})`.execute(t.db.database.db);
  }
  const counters = async (id: string) =>
    (
      await sql<{
        uses: number;
        discount_spent: number;
      }>`SELECT uses, discount_spent FROM promotions WHERE id = ${id}`.execute(t.db.database.db)
    ).rows[0]!;

  it('when a limit is set on a used promotion, then usage and counters come from the held and confirmed redemptions, and a limit below them is 422 LIMIT_BELOW_USES', async () => {
    const promotion = await createPromotion(tenPercent());
    await redeem(promotion.id, 'held', 150);
    await redeem(promotion.id, 'confirmed', 250);
    await redeem(promotion.id, 'released', 999);
    const read = (await call('GET', `${base()}/${promotion.id}`, owner)).json();
    expect(read.usage).toEqual({ uses: 2, discount_spent: 400 });
    expect(await counters(promotion.id)).toEqual({ uses: 0, discount_spent: 0 });

    const below = await call('PATCH', `${base()}/${promotion.id}`, owner, { usage_limit: 1 });
    expect(below.statusCode).toBe(422);
    expect(below.json()).toMatchObject({
      code: 'LIMIT_BELOW_USES',
      errors: [{ path: '/body/usage_limit', code: 'LIMIT_BELOW_USES' }],
    });
    const overBudget = await call('PATCH', `${base()}/${promotion.id}`, owner, { budget: 399 });
    expect(overBudget.json()).toMatchObject({ code: 'BUDGET_BELOW_SPENT' });
    expect(await counters(promotion.id)).toEqual({ uses: 0, discount_spent: 0 });

    const set = await call('PATCH', `${base()}/${promotion.id}`, owner, { usage_limit: 2, budget: 1000 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ usage_limit: 2, budget: 1000, usage: { uses: 2, discount_spent: 400 } });
    expect(await counters(promotion.id)).toEqual({ uses: 2, discount_spent: 400 });
  });
});

describe('limits under concurrency', () => {
  const lockWaiters = async () =>
    (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE NOT l.granted AND a.datname = current_database()`.execute(t.db.database.db)
    ).rows[0]!.n;

  it('when an order holding the promotion (row shared-locked) is still in flight, then a patch setting a limit waits for it and counts its redemptions', async () => {
    const promotion = await createPromotion(tenPercent({ name: 'Racing' }));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // What a placement does: lock the promotion row FOR SHARE, write its redemptions, commit later.
    const placement = inTransaction(t.db.database.db, async (trx) => {
      await sql`SELECT id FROM promotions WHERE id = ${promotion.id} FOR SHARE`.execute(trx);
      for (const amount of [100, 200])
        await sql`INSERT INTO promotion_redemptions
            (id, organization_id, promotion_id, order_id, store_id, amount, counted, status, held_at)
          VALUES (${uuidv7()}, ${orgId}, ${promotion.id}, ${uuidv7()}, ${berlin}, ${amount}, false, 'held', now())`.execute(
          trx,
        );
      locked();
      await released;
    });
    await isLocked;
    const patch = call('PATCH', `${base()}/${promotion.id}`, owner, { usage_limit: 1 });
    await waitFor('the patch to wait for the promotion row', async () => (await lockWaiters()) > 0);
    release();
    await placement;
    const refused = await patch;
    // It saw the two committed holds: a limit of 1 is below them.
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().code).toBe('LIMIT_BELOW_USES');
    const accepted = await call('PATCH', `${base()}/${promotion.id}`, owner, { usage_limit: 2 });
    expect(accepted.json()).toMatchObject({ usage_limit: 2, usage: { uses: 2, discount_spent: 300 } });
  });
});

describe('authorization and isolation', () => {
  it('when a customer, store staff, a store manager or another organization’s manager calls, then they are refused (403, or 404 outside their organization)', async () => {
    const promotion = await createPromotion(tenPercent());
    const url = `${base()}/${promotion.id}`;
    expect((await call('GET', base(), null)).statusCode).toBe(401);
    expect((await call('GET', base(), demoCustomer)).statusCode).toBe(403);
    expect((await call('POST', base(), demoCustomer, tenPercent())).statusCode).toBe(403);
    expect((await call('GET', url, staff)).statusCode).toBe(403);
    const storeManager = await staffOf(t, { organizationId: orgId, storeId: berlin, role: 'manager' });
    expect((await call('GET', url, storeManager.token)).statusCode).toBe(403);
    expect((await call('PATCH', url, storeManager.token, { priority: 3 })).statusCode).toBe(403);

    const other = await createOrganization(t);
    const otherManager = await staffOf(t, { organizationId: other.id, role: 'manager' });
    for (const [method, payload] of [
      ['GET', undefined],
      ['PATCH', { priority: 3 }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(method, url, otherManager.token, payload);
      expect(res.statusCode, `${method} ${res.body}`).toBe(404);
    }
    expect((await call('GET', base(), otherManager.token)).statusCode).toBe(404);
    expect((await call('GET', `${url}/codes`, otherManager.token)).statusCode).toBe(404);
    // Their own organization's URL does not reach this promotion either.
    const viaOwn = await call('GET', `/v1/organizations/${other.id}/promotions/${promotion.id}`, otherManager.token);
    expect(viaOwn.statusCode).toBe(404);

    const manager = await staffOf(t, { organizationId: orgId, role: 'manager' });
    expect((await call('PATCH', url, manager.token, { priority: 3 })).statusCode).toBe(200);
  });

  it('when a partner’s API key holds promotions:read, then it lists its own organization’s promotions but may not write them, nor read another’s', async () => {
    const reader = await apiKey(t, owner, orgId, ['promotions:read']);
    expect((await call('GET', base(), reader)).statusCode).toBe(200);
    const refused = await call('POST', base(), reader, tenPercent());
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
    const writer = await apiKey(t, owner, orgId, ['promotions:read', 'promotions:write']);
    expect((await call('POST', base(), writer, tenPercent())).statusCode).toBe(201);
    const other = await createOrganization(t);
    expect((await call('GET', `/v1/organizations/${other.id}/promotions`, reader)).statusCode).toBe(404);
  });
});

describe('audit', () => {
  it('when a promotion is created, changed and deleted, then each write is an audit entry with the actor and the change', async () => {
    const manager = await staffOf(t, { organizationId: orgId, role: 'manager' });
    const promotion = await createPromotion(tenPercent({ name: 'Audited' }), manager.token);
    await call('PATCH', `${base()}/${promotion.id}`, manager.token, { name: 'Audited twice' });
    await call('DELETE', `${base()}/${promotion.id}`, manager.token);
    const entries = await auditEntries(t, { token: owner }, orgId, { target_id: promotion.id });
    expect(entries.map((e) => e.action)).toEqual([
      'marketing.promotion.deleted',
      'marketing.promotion.updated',
      'marketing.promotion.created',
    ]);
    expect(entries.every((e) => e.actor.id === manager.user.id && e.target.type === 'promotion')).toBe(true);
    const updated = await lastAudit(t, { token: owner }, orgId, 'marketing.promotion.updated', promotion.id);
    expect(updated.changes.before).toMatchObject({ name: 'Audited' });
    expect(updated.changes.after).toMatchObject({ name: 'Audited twice' });
  });
});

describe('the store’s promotions', () => {
  it('when a customer asks what a store offers now, then only advertised, active promotions in their window, for the store and in their daypart (store time) are listed', async () => {
    const org = await createOrganization(t);
    const store = await createStore(t, { organizationId: org.id, timezone: 'America/New_York' });
    const elsewhere = await createStore(t, { organizationId: org.id });
    const mk = async (body: Record<string, unknown>) => {
      const res = await call('POST', `/v1/organizations/${org.id}/promotions`, org.owner.token, body);
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    };
    now = new Date('2026-12-07T12:00:00Z'); // Monday 07:00 in New York
    const always = await mk(tenPercent({ name: 'Always', priority: 1 }));
    const breakfast = await mk(
      tenPercent({ name: 'Breakfast', conditions: { dayparts: [{ days: [1], from: '06:00', to: '10:00' }] } }),
    );
    const lunch = await mk(
      tenPercent({ name: 'Lunch', conditions: { dayparts: [{ days: [1], from: '11:00', to: '14:00' }] } }),
    );
    const windowed = await mk(
      tenPercent({ name: 'Later', starts_at: '2026-12-08T00:00:00Z', ends_at: '2026-12-09T00:00:00Z' }),
    );
    const otherStore = await mk(tenPercent({ name: 'Elsewhere', conditions: { store_ids: [elsewhere.id] } }));
    const thisStore = await mk(
      tenPercent({ name: 'Here', conditions: { store_ids: [store.id], channels: ['delivery'] } }),
    );
    const notHere = await mk(
      tenPercent({
        name: 'Not here',
        conditions: { rules: [{ attribute: 'store', operator: 'not_in', values: [store.id] }] },
      }),
    );
    const hidden = await mk(tenPercent({ name: 'Hidden', advertised: false }));
    const off = await mk(tenPercent({ name: 'Off', active: false }));
    const coupon = await mk(tenPercent({ name: 'Coupon', kind: 'code', priority: 9 }));
    const codeRes = await call('POST', `/v1/organizations/${org.id}/promotions/${coupon}/codes`, org.owner.token, {
      code: 'HELLO5',
    });
    expect(codeRes.statusCode, codeRes.body).toBe(201);
    const batch = await mk(tenPercent({ name: 'Batch', kind: 'code' }));
    await call('POST', `/v1/organizations/${org.id}/promotions/${batch}/codes`, org.owner.token, { count: 1 });

    const list = async () => {
      const res = await t.app.inject({ method: 'GET', url: `/v1/stores/${store.id}/promotions` });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=30');
      return res.json<{ data: Array<{ id: string; code: string | null; channels: string[] }> }>().data;
    };
    let listed = await list();
    expect(listed.map((p) => p.id)).toEqual([coupon, always, breakfast, thisStore, batch]);
    expect(listed[0]).toEqual({
      id: coupon,
      name: 'Coupon',
      description: null,
      kind: 'code',
      code: 'HELLO5',
      effect_type: 'order_percentage',
      channels: ['pickup', 'delivery', 'dine_in'],
      ends_at: null,
    });
    expect(listed.find((p) => p.id === batch)!.code).toBeNull();
    expect(listed.find((p) => p.id === thisStore)!.channels).toEqual(['delivery']);
    for (const id of [lunch, windowed, otherStore, notHere, hidden, off])
      expect(listed.map((p) => p.id)).not.toContain(id);

    now = new Date('2026-12-07T16:30:00Z'); // Monday 11:30 in New York
    listed = await list();
    expect(listed.map((p) => p.id)).toContain(lunch);
    expect(listed.map((p) => p.id)).not.toContain(breakfast);
    now = new Date('2026-12-08T12:00:00Z'); // Tuesday 07:00: the window opened, Monday's dayparts closed
    listed = await list();
    expect(listed.map((p) => p.id)).toContain(windowed);
    expect(listed.map((p) => p.id)).not.toContain(breakfast);
    now = new Date('2026-12-09T00:00:00Z'); // the window's end is exclusive
    expect((await list()).map((p) => p.id)).not.toContain(windowed);

    expect((await t.app.inject({ method: 'GET', url: `/v1/stores/${uuidv7()}/promotions` })).statusCode).toBe(404);
    now = new Date('2026-12-07T12:00:00Z');
  });

  it('when the demo customer asks at a demo store, then the answer is public and well-formed', async () => {
    const res = await call('GET', `/v1/stores/${brooklyn}/promotions`, demoCustomer);
    expect(res.statusCode).toBe(200);
    expect(Array.isArray(res.json().data)).toBe(true);
  });
});

describe('customers', () => {
  it('when a new customer calls management routes, then every one is 403', async () => {
    const someone = await customer(t);
    const id = uuidv7();
    for (const [method, url] of [
      ['GET', base()],
      ['GET', `${base()}/${id}`],
      ['DELETE', `${base()}/${id}`],
      ['GET', `${base()}/${id}/codes`],
      ['POST', `${base()}/${id}/codes`],
    ] as const) {
      const res = await call(method, url, someone.token, method === 'POST' ? { code: 'NOPE123' } : undefined);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
  });
});
