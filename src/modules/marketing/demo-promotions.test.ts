// The demo campaigns as a customer meets them, through quotes and orders on the demo data:
// WELCOME10 on a first order only, the Pizza + drink combo, the Brooklyn Tiramisù flash sale, and
// codes that do not apply explained on /coupon_code (and refused at placement with nothing held).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoIfEmpty } from '../../demo/seed.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer, signIn } from '../../test-support/identity-factories.js';

let t: TestApp;
let brooklyn: string;
let items: Map<string, { id: string; variants: Array<{ id: string }>; modifier_groups: Group[] }>;

interface Group {
  min_select: number;
  options: Array<{ id: string }>;
}

beforeAll(async () => {
  t = await createTestApp();
  await seedDemoIfEmpty(t.db.database.db, t.modules);
  const stores = (await t.app.inject({ method: 'GET', url: '/v1/stores?org=demo-pizzeria' })).json().data as Array<{
    id: string;
    timezone: string;
  }>;
  brooklyn = stores.find((store) => store.timezone === 'America/New_York')!.id;
  const menu = (await t.app.inject({ method: 'GET', url: `/v1/stores/${brooklyn}/menu?channel=pickup` })).json();
  items = new Map(
    menu.menus.flatMap((section: { categories: Array<{ items: Array<{ name: string; id: string }> }> }) =>
      section.categories.flatMap((category) => category.items.map((item) => [item.name, item])),
    ),
  );
});
afterAll(async () => {
  await t?.close();
});

function line(name: string, quantity = 1) {
  const item = items.get(name)!;
  return {
    item_id: item.id,
    ...(item.variants.length > 0 ? { variant_id: item.variants[0]!.id } : {}),
    quantity,
    modifiers: item.modifier_groups
      .filter((group) => group.min_select > 0)
      .map((group) => ({ option_id: group.options[0]!.id })),
  };
}

async function quote(storeId: string, body: object, token?: string) {
  const response = await t.app.inject({
    method: 'POST',
    url: `/v1/stores/${storeId}/quotes`,
    headers: token ? bearer(token) : {},
    payload: body,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

const sumOf = (discounts: Array<{ amount: { amount: number } }>) =>
  discounts.reduce((total, d) => total + d.amount.amount, 0);

describe('the demo promotions', () => {
  it('when a new customer quotes with WELCOME10, then 10% comes off what is left after the combo; after their first order the code is not applicable, with the reason', async () => {
    const guest = await customer(t);
    const basket = { channel: 'pickup', lines: [line('Margherita', 2), line('Cola')], coupon_code: 'welcome10' };
    const first = await quote(brooklyn, basket, guest.token);
    expect(first.problems).toEqual([]);
    const names = first.discounts.map((d: { name: string }) => d.name);
    expect(names).toEqual(['Pizza + drink', 'Welcome: 10% off your first order']);
    // Margherita Small 8.50 + Cola 2.90 for 10.00 saves 1.40; 10% of the rest (8.50 + 10.00) is 1.85.
    expect(first.discounts.map((d: { amount: { amount: number } }) => d.amount.amount)).toEqual([140, 185]);
    expect(first.totals.discounts.amount).toBe(sumOf(first.discounts));
    expect(first.discounts[1]).toMatchObject({ code: 'WELCOME10' });

    const placed = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${brooklyn}/orders`,
      headers: { ...bearer(guest.token), 'idempotency-key': 'welcome-1' },
      payload: basket,
    });
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.json().totals.total.amount).toBe(first.totals.total.amount);
    expect(placed.json()).toMatchObject({ coupon_code: 'welcome10', discounts: first.discounts });

    const again = await quote(brooklyn, basket, guest.token);
    expect(again.orderable).toBe(false);
    expect(again.problems).toEqual([
      {
        code: 'COUPON_NOT_APPLICABLE',
        path: '/coupon_code',
        message: 'The code WELCOME10 does not apply: first order only.',
      },
    ]);
    const refused = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${brooklyn}/orders`,
      headers: { ...bearer(guest.token), 'idempotency-key': 'welcome-2' },
      payload: basket,
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'COUPON_NOT_APPLICABLE' });
  });

  it('when a customer who ordered before without the code quotes WELCOME10, then it is "first order only"', async () => {
    const regular = await customer(t);
    const plain = { channel: 'pickup', lines: [line('Marinara')] };
    const placed = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${brooklyn}/orders`,
      headers: { ...bearer(regular.token), 'idempotency-key': 'plain-1' },
      payload: plain,
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const answer = await quote(brooklyn, { ...plain, coupon_code: 'WELCOME10' }, regular.token);
    expect(answer.problems).toEqual([
      {
        code: 'COUPON_NOT_APPLICABLE',
        path: '/coupon_code',
        message: 'The code WELCOME10 does not apply: first order only.',
      },
    ]);
    expect(answer.promotions_not_applied).toContainEqual(
      expect.objectContaining({ code: 'WELCOME10', reason_code: 'FIRST_ORDER_ONLY', reason: 'first order only' }),
    );
  });

  it('when an anonymous visitor quotes WELCOME10, then it applies (their first order is checked when they place it)', async () => {
    const answer = await quote(brooklyn, { channel: 'pickup', lines: [line('Marinara')], coupon_code: 'WELCOME10' });
    expect(answer.problems).toEqual([]);
    expect(answer.discounts).toEqual([
      expect.objectContaining({ code: 'WELCOME10', amount: { amount: 75, currency: 'USD' } }),
    ]);
  });

  it('when a code is unknown, then the quote says COUPON_NOT_FOUND and placing fails 422 with it, holding nothing', async () => {
    const guest = await customer(t);
    const basket = { channel: 'pickup', lines: [line('Marinara')], coupon_code: 'NOPE-2026' };
    const answer = await quote(brooklyn, basket, guest.token);
    expect(answer.problems).toEqual([
      { code: 'COUPON_NOT_FOUND', path: '/coupon_code', message: 'No promotion has the code NOPE-2026.' },
    ]);
    const placed = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${brooklyn}/orders`,
      headers: { ...bearer(guest.token), 'idempotency-key': 'nope-1' },
      payload: basket,
    });
    expect(placed.statusCode).toBe(422);
    expect(placed.json()).toMatchObject({ code: 'COUPON_NOT_FOUND', errors: [{ path: '/coupon_code' }] });
  });

  it('when a Brooklyn customer buys two Tiramisù, then one is at half price (one per customer a day)', async () => {
    const guest = await customer(t);
    const answer = await quote(brooklyn, { channel: 'pickup', lines: [line('Tiramisù', 2)] }, guest.token);
    expect(answer.discounts).toEqual([
      expect.objectContaining({ name: 'Tiramisù flash sale', amount: { amount: 325, currency: 'USD' } }),
    ]);
  });

  it('when the store lists its promotions, then Brooklyn shows the flash sale, the combo and the welcome code', async () => {
    const listed = await t.app.inject({ method: 'GET', url: `/v1/stores/${brooklyn}/promotions` });
    expect(listed.statusCode, listed.body).toBe(200);
    const names = listed.json().data.map((p: { name: string }) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['Tiramisù flash sale', 'Pizza + drink', 'Welcome: 10% off your first order']),
    );
    const welcome = listed.json().data.find((p: { code: string | null }) => p.code === 'WELCOME10');
    expect(welcome).toBeDefined();
  });

  it('when the demo customer signs in, then their quote with WELCOME10 applies (the README walkthrough)', async () => {
    const token = await signIn(t, { email: 'customer@demo.brigade.test', password: 'demo-password' });
    const answer = await quote(
      brooklyn,
      { channel: 'pickup', lines: [line('Margherita', 2), line('Cola')], coupon_code: 'WELCOME10' },
      token,
    );
    expect(answer.discounts.map((d: { code: string | null }) => d.code)).toEqual([null, 'WELCOME10']);
  });
});
