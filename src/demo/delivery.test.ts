// The demo's delivery facts as the README shows them: Brooklyn's 3 km zone (2.99, minimum
// 15.00) takes 500 Grand St, its 3–6 km zone (4.99, minimum 25.00) takes 1000 Flushing Ave,
// 1000 Coney Island Ave is outside; Berlin Mitte's 4 km zone costs 3.50 with a 20.00 minimum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/harness.js';
import { seedDemoIfEmpty } from './seed.js';

let t: TestApp;
const stores = new Map<string, string>();

beforeAll(async () => {
  // A Tuesday at 13:00 in Berlin: both stores open whatever the hour the suite runs at.
  t = await createTestApp({}, { clock: () => new Date('2026-12-08T12:00:00Z') });
  await seedDemoIfEmpty(t.db.database.db, t.modules);
  const list = (await t.app.inject({ method: 'GET', url: '/v1/stores?org=demo-pizzeria' })).json().data as Array<{
    id: string;
    timezone: string;
  }>;
  for (const store of list) stores.set(store.timezone, store.id);
});
afterAll(async () => {
  await t?.close();
});

/** The first Margherita size with the first option of each required group, `quantity` times. */
async function pizza(storeId: string, quantity: number) {
  const menu = (await t.app.inject({ method: 'GET', url: `/v1/stores/${storeId}/menu?channel=delivery` })).json();
  const item = menu.menus
    .flatMap((m: { categories: Array<{ items: unknown[] }> }) => m.categories.flatMap((c) => c.items))
    .find((i: { name: string }) => i.name === 'Margherita');
  return {
    item_id: item.id,
    variant_id: item.variants[0].id,
    quantity,
    modifiers: item.modifier_groups
      .filter((g: { min_select: number }) => g.min_select > 0)
      .map((g: { options: Array<{ id: string }> }) => ({ option_id: g.options[0]!.id })),
  };
}

async function quoteTo(storeId: string, quantity: number, address: object) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/stores/${storeId}/quotes`,
    payload: {
      channel: 'delivery',
      lines: [await pizza(storeId, quantity)],
      delivery: { address, contact: { name: 'Ada', phone: '+1 718 555 0100' } },
    },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('the demo’s delivery zones', () => {
  it('when Brooklyn is asked to deliver, then 1.2 km costs 2.99, 3.6 km costs 4.99 and 8 km is outside', async () => {
    const brooklyn = stores.get('America/New_York')!;
    const near = await quoteTo(brooklyn, 2, { line1: '500 Grand St', city: 'Brooklyn', country: 'US' });
    expect(near.problems).toEqual([]);
    expect(near.delivery.fee).toEqual({ amount: 299, currency: 'USD' });
    const further = await quoteTo(brooklyn, 3, { line1: '1000 Flushing Ave', city: 'Brooklyn', country: 'US' });
    expect(further.delivery.fee).toEqual({ amount: 499, currency: 'USD' });
    const small = await quoteTo(brooklyn, 1, { line1: '1000 Flushing Ave', city: 'Brooklyn', country: 'US' });
    expect(small.problems.map((p: { code: string }) => p.code)).toEqual(['BELOW_DELIVERY_MINIMUM']);
    expect(small.problems[0].message).toContain('25.00 USD');
    const outside = await quoteTo(brooklyn, 3, { line1: '1000 Coney Island Ave', city: 'Brooklyn', country: 'US' });
    expect(outside.problems.map((p: { code: string }) => p.code)).toEqual(['OUTSIDE_DELIVERY_AREA']);
  });

  it('when Berlin Mitte is asked to deliver to Alexanderplatz, then the 4 km zone costs 3.50 and its minimum is 20.00', async () => {
    const berlin = stores.get('Europe/Berlin')!;
    const ok = await quoteTo(berlin, 3, { line1: 'Alexanderplatz 1', city: 'Berlin', country: 'DE' });
    expect(ok.delivery.fee).toEqual({ amount: 350, currency: 'EUR' });
    const small = await quoteTo(berlin, 1, { line1: 'Alexanderplatz 1', city: 'Berlin', country: 'DE' });
    expect(small.problems[0]).toMatchObject({ code: 'BELOW_DELIVERY_MINIMUM' });
    expect(small.problems[0].message).toContain('20.00 EUR');
  });
});
