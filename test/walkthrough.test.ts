// The README's ordering walkthrough, step by step through the real HTTP surface on the demo
// data: if this passes, a newcomer's curl session works too (at any hour: Brooklyn never closes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoIfEmpty } from '../src/demo/seed.js';
import { createTestApp, type TestApp } from '../src/test-support/harness.js';
import { bearer, signIn } from '../src/test-support/identity-factories.js';
import { closeLiveClients, openStream } from '../src/test-support/live-clients.js';
import { listenForTests, type Listening } from '../src/test-support/server.js';
import { waitFor } from '../src/test-support/wait.js';

let t: TestApp;
// The streams are read over a real socket, as curl -N reads them.
let server: Listening;
beforeAll(async () => {
  t = await createTestApp();
  await seedDemoIfEmpty(t.db.database.db, t.modules);
  server = await listenForTests(t.app);
});
afterAll(async () => {
  closeLiveClients();
  await server?.close();
  await t?.close();
});

interface MenuItem {
  id: string;
  name: string;
  variants: Array<{ id: string }>;
  modifier_groups: Array<{ min_select: number; options: Array<{ id: string }> }>;
}

describe('README walkthrough', () => {
  it('when the demo customer orders a Margherita in Brooklyn and the owner moves it along, then the kitchen feed and the customer’s stream follow it to picked up', async () => {
    const customer = await signIn(t, { email: 'customer@demo.brigade.test', password: 'demo-password' });
    const owner = await signIn(t, { email: 'owner@demo.brigade.test', password: 'demo-password' });
    const stores = (await t.app.inject({ method: 'GET', url: '/v1/stores?org=demo-pizzeria' })).json().data as Array<{ id: string; timezone: string }>;
    const brooklyn = stores.find((store) => store.timezone === 'America/New_York')!.id;

    const menu = (await t.app.inject({ method: 'GET', url: `/v1/stores/${brooklyn}/menu?channel=pickup` })).json();
    const items: MenuItem[] = menu.menus.flatMap((section: { categories: Array<{ items: MenuItem[] }> }) => section.categories.flatMap((category) => category.items));
    const pizza = items.find((item) => item.name === 'Margherita')!;
    const line = {
      item_id: pizza.id,
      variant_id: pizza.variants[0]!.id,
      quantity: 2,
      modifiers: pizza.modifier_groups.filter((group) => group.min_select > 0).map((group) => ({ option_id: group.options[0]!.id })),
    };

    const quote = (await t.app.inject({ method: 'POST', url: `/v1/stores/${brooklyn}/quotes`, payload: { channel: 'pickup', lines: [line] } })).json();
    expect(quote).toMatchObject({ orderable: true, problems: [] });
    expect(quote.totals.tax.amount).toBeGreaterThan(0); // New York adds tax on top
    const slots = (await t.app.inject({ method: 'GET', url: `/v1/stores/${brooklyn}/slots` })).json();
    expect(slots.slots.some((slot: { orderable: boolean }) => slot.orderable)).toBe(true);

    const kitchen = await openStream(`${server.url}/v1/stores/${brooklyn}/orders/stream`, owner);
    expect(kitchen.status).toBe(200);

    const placed = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${brooklyn}/orders`,
      headers: { ...bearer(customer), 'idempotency-key': 'walkthrough-1' },
      payload: { channel: 'pickup', lines: [line], tip: { amount: 200, currency: 'USD' } },
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const order = placed.json();
    expect(order.totals.total.amount).toBe(quote.totals.total.amount + 200);
    await waitFor('the order on the kitchen feed', () => kitchen.events.length === 1);
    expect(kitchen.events[0]!.data.order).toMatchObject({ id: order.id, number: order.number });
    const following = await openStream(`${server.url}/v1/orders/${order.id}/events`, customer);

    for (const action of ['accept', 'start_preparing', 'mark_ready', 'hand_over']) {
      const moved = await t.app.inject({ method: 'POST', url: `/v1/orders/${order.id}/transitions`, headers: bearer(owner), payload: { action } });
      expect(moved.statusCode, moved.body).toBe(200);
    }
    const tracked = (await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: bearer(customer) })).json();
    expect(tracked.status).toBe('picked_up');
    const path = ['placed', 'accepted', 'preparing', 'ready', 'picked_up'];
    expect(tracked.history.map((entry: { status: string }) => entry.status)).toEqual(path);
    await waitFor('the customer’s stream to end at picked_up', () => following.ended);
    expect(following.events.map((event) => event.data.status)).toEqual(path);
    await waitFor('every change on the kitchen feed', () => kitchen.events.length === path.length);
  });
});
