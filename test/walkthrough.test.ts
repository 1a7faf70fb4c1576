// The README's ordering walkthrough, step by step through the real HTTP surface on the demo
// data, with the sandbox processor and a worker as `npm start` runs them: if this passes, a
// newcomer's curl session works too (at any hour: Brooklyn never closes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoIfEmpty } from '../src/demo/seed.js';
import { createTestApp, type TestApp } from '../src/test-support/harness.js';
import { bearer, signIn } from '../src/test-support/identity-factories.js';
import { closeLiveClients, openStream } from '../src/test-support/live-clients.js';
import { payAtSandbox, waitForPaymentStatus } from '../src/test-support/payments-factories.js';
import { waitFor } from '../src/test-support/wait.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { sandbox: true });
  await t.startWorker();
  await seedDemoIfEmpty(t.db.database.db, t.modules);
});
afterAll(async () => {
  closeLiveClients();
  await t?.close();
});

interface MenuItem {
  id: string;
  name: string;
  variants: Array<{ id: string }>;
  modifier_groups: Array<{ min_select: number; options: Array<{ id: string }> }>;
}

describe('README walkthrough', () => {
  it('when the demo customer orders and pays in Brooklyn, the owner moves it along and refunds the Cola, then the feeds follow it, the payment is captured and refunded, the books are clean, and the customer’s review gets the store’s answer', async () => {
    const customer = await signIn(t, { email: 'customer@demo.brigade.test', password: 'demo-password' });
    const owner = await signIn(t, { email: 'owner@demo.brigade.test', password: 'demo-password' });
    const stores = (await t.app.inject({ method: 'GET', url: '/v1/stores?org=demo-pizzeria' })).json().data as Array<{
      id: string;
      timezone: string;
    }>;
    const brooklyn = stores.find((store) => store.timezone === 'America/New_York')!.id;

    const menu = (await t.app.inject({ method: 'GET', url: `/v1/stores/${brooklyn}/menu?channel=pickup` })).json();
    const items: MenuItem[] = menu.menus.flatMap((section: { categories: Array<{ items: MenuItem[] }> }) =>
      section.categories.flatMap((category) => category.items),
    );
    const pizza = items.find((item) => item.name === 'Margherita')!;
    const cola = items.find((item) => item.name === 'Cola')!;
    const basket = {
      channel: 'pickup',
      lines: [
        {
          item_id: pizza.id,
          variant_id: pizza.variants[0]!.id,
          quantity: 2,
          modifiers: pizza.modifier_groups
            .filter((group) => group.min_select > 0)
            .map((group) => ({ option_id: group.options[0]!.id })),
        },
        { item_id: cola.id, quantity: 1 },
      ],
      payment: { method: 'online' },
    };

    const quote = (
      await t.app.inject({ method: 'POST', url: `/v1/stores/${brooklyn}/quotes`, payload: basket })
    ).json();
    expect(quote).toMatchObject({ orderable: true, problems: [] });
    expect(quote.totals.tax.amount).toBeGreaterThan(0); // New York adds tax on top
    expect(quote.discounts.map((discount: { name: string }) => discount.name)).toEqual(['Pizza + drink']);
    const welcome = (
      await t.app.inject({
        method: 'POST',
        url: `/v1/stores/${brooklyn}/quotes`,
        headers: bearer(customer),
        payload: { ...basket, coupon_code: 'WELCOME10' },
      })
    ).json();
    expect(welcome.discounts.map((discount: { code: string | null }) => discount.code)).toEqual([null, 'WELCOME10']);
    expect(welcome.totals.total.amount).toBeLessThan(quote.totals.total.amount);
    // The slots of the day the order would be ready (just before local midnight that is tomorrow).
    const readyOn = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(
      new Date(quote.promised_at),
    );
    const slots = (await t.app.inject({ method: 'GET', url: `/v1/stores/${brooklyn}/slots?date=${readyOn}` })).json();
    expect(slots.slots.some((slot: { orderable: boolean }) => slot.orderable)).toBe(true);

    const kitchen = await openStream(`${t.url}/v1/stores/${brooklyn}/orders/stream`, owner);
    expect(kitchen.status).toBe(200);

    const placed = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${brooklyn}/orders`,
      headers: { ...bearer(customer), 'idempotency-key': 'walkthrough-1' },
      payload: basket,
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const order = placed.json();
    expect(order.totals.total.amount).toBe(quote.totals.total.amount);
    const checkout = order.payment.checkout as { payment_id: string; client_secret: string; checkout_url: string };
    expect(checkout.checkout_url).toContain('/sandbox/checkout/');
    await waitFor('the order on the kitchen feed', () => kitchen.events.length === 1);
    expect(kitchen.events[0]!.data.order).toMatchObject({ id: order.id, number: order.number });

    const payment = {
      id: checkout.payment_id,
      clientSecret: checkout.client_secret,
      intentId: checkout.client_secret.split('_secret_')[0]!,
    };
    expect((await payAtSandbox(t, payment)).status).toBe(200);
    await waitForPaymentStatus(t, customer, payment.id, 'authorized');

    const following = await openStream(`${t.url}/v1/orders/${order.id}/events`, customer);
    for (const action of ['accept', 'start_preparing', 'mark_ready', 'hand_over']) {
      const moved = await t.app.inject({
        method: 'POST',
        url: `/v1/orders/${order.id}/transitions`,
        headers: bearer(owner),
        payload: { action },
      });
      expect(moved.statusCode, moved.body).toBe(200);
    }
    const captured = await waitForPaymentStatus(t, customer, payment.id, 'captured');
    expect(captured.amount_captured.amount).toBe(order.totals.total.amount);
    const tracked = (
      await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: bearer(customer) })
    ).json();
    expect(tracked).toMatchObject({ status: 'picked_up', payment: { method: 'online', status: 'paid' } });
    const path = ['placed', 'accepted', 'preparing', 'ready', 'picked_up'];
    expect(
      tracked.history
        .filter((entry: { type: string }) => entry.type !== 'payment_changed')
        .map((entry: { status: string }) => entry.status),
    ).toEqual(path);
    await waitFor('the customer’s stream to end at picked_up', () => following.ended);
    expect(
      following.events.filter((event) => event.event === 'order.status_changed').map((event) => event.data.status),
    ).toEqual(path.slice(1));
    await waitFor(
      'every change on the kitchen feed',
      () => kitchen.events.filter((event) => event.event !== 'order.payment_changed').length === path.length,
    );

    const refund = await t.app.inject({
      method: 'POST',
      url: `/v1/payments/${payment.id}/refunds`,
      headers: { ...bearer(owner), 'idempotency-key': `refund-${order.id}` },
      payload: { lines: [{ line_no: 1, quantity: 1 }], reason: 'warm cola' },
    });
    expect(refund.statusCode, refund.body).toBe(202);
    const colaTotal = order.lines.find((line: { line_no: number }) => line.line_no === 1).total.amount;
    expect(refund.json().amount.amount).toBe(colaTotal);
    await waitFor(
      'the refund to succeed',
      async () =>
        (
          await t.app.inject({ method: 'GET', url: `/v1/payments/${payment.id}/refunds`, headers: bearer(owner) })
        ).json().data[0]?.status === 'succeeded',
    );
    const report = await t.modules.payments.api.checkInvariants({ graceSeconds: 0 });
    expect(report).toMatchObject({ ok: true, violations: [] });

    // The customer reviews the order; the owner's answer is the store's.
    const reviewed = await t.app.inject({
      method: 'POST',
      url: `/v1/orders/${order.id}/review`,
      headers: bearer(customer),
      payload: { rating: 4, food_rating: 5, comment: 'Great pizza, the cola was warm' },
    });
    expect(reviewed.statusCode, reviewed.body).toBe(201);
    const review = reviewed.json<{ id: string }>();
    const answered = await t.app.inject({
      method: 'POST',
      url: `/v1/reviews/${review.id}/replies`,
      headers: bearer(owner),
      payload: { body: 'Thank you! The cola is on us next time.' },
    });
    expect(answered.statusCode, answered.body).toBe(201);
    expect(answered.json()).toMatchObject({ depth: 1, author_role: 'store' });
    const listed = (await t.app.inject({ method: 'GET', url: `/v1/stores/${brooklyn}/reviews?limit=1` })).json();
    expect(listed.data[0]).toMatchObject({ id: review.id, comment: 'Great pizza, the cola was warm' });
    expect(listed.rating_summary.count).toBeGreaterThanOrEqual(1);
    const thread = (await t.app.inject({ method: 'GET', url: `/v1/reviews/${review.id}` })).json();
    expect(thread).toMatchObject({ rating: 4, comment: 'Great pizza, the cola was warm' });
    expect(thread.replies[0]).toMatchObject({ author_role: 'store', body: 'Thank you! The cola is on us next time.' });

    // The guest was told by email as the order moved: with no SMTP configured, the sandbox outbox has it.
    const told = await waitFor('the guest’s order emails', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/sandbox/v1/messages?to=customer@demo.brigade.test',
      });
      const templates = res.json<{ data: Array<{ template: string }> }>().data.map((m) => m.template);
      return templates.includes('notifications.order_ready') ? templates : undefined;
    });
    expect(told).toEqual(expect.arrayContaining(['notifications.order_confirmed', 'notifications.order_ready']));
  });
});
