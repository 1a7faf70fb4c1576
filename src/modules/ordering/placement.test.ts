import { NO_PROMOTIONS } from './promotions-port.js';
import { NO_REWARDS } from './rewards-port.js';
import { NO_DELIVERY_ZONES } from './delivery-port.js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer, staffOf } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import { createEventAppender } from '../../platform/events/index.js';
import type { OrderingEvents } from './events.js';
import { ordersRepo } from './repo.js';
import { createOrderingService } from './service.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('placing an order', () => {
  it('when a customer places a pickup order, then it is placed, numbered, priced and readable by them and the store', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const res = await placeOrder(t, guest.token, shop.store.id, {
      channel: 'pickup',
      lines: [margheritaLine(shop.ids, 2)],
      tip: { amount: 100, currency: 'EUR' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const order = res.json();
    expect(order).toMatchObject({
      status: 'placed',
      channel: 'pickup',
      number: 'A-001',
      payment: { method: 'cash', status: 'not_required' },
      customer_id: guest.user.id,
    });
    expect(res.headers.location).toBe(`/v1/orders/${order.id}`);
    expect(order.totals.subtotal).toEqual({ amount: 1800, currency: 'EUR' });
    expect(order.totals.tip).toEqual({ amount: 100, currency: 'EUR' });
    expect(order.totals.total).toEqual({ amount: 1900, currency: 'EUR' });
    expect(order.totals.tax.amount).toBe(287); // 19% contained in 1800: 287.39 → 287
    expect(order.lines[0]).toMatchObject({ name: 'Margherita (Small)', quantity: 2 });

    const mine = await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: bearer(guest.token) });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().history).toEqual([
      expect.objectContaining({ type: 'placed', status: 'placed', actor: 'customer' }),
    ]);
    const staff = await staffOf(t, { organizationId: shop.organization.id, storeId: shop.store.id, role: 'staff' });
    const list = await t.app.inject({
      method: 'GET',
      url: `/v1/stores/${shop.store.id}/orders?status=placed`,
      headers: bearer(staff.token),
    });
    expect(list.json().data.map((o: { id: string }) => o.id)).toEqual([order.id]);
    const other = await customer(t);
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: bearer(other.token) })).statusCode,
    ).toBe(404);
  });

  it('when the same Idempotency-Key is retried, then the first order comes back and no second one exists', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const key = randomUUID();
    const body = { channel: 'pickup', lines: [margheritaLine(shop.ids)] };
    const first = await placeOrder(t, guest.token, shop.store.id, body, key);
    const again = await placeOrder(t, guest.token, shop.store.id, body, key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const without = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${shop.store.id}/orders`,
      headers: bearer(guest.token),
      payload: body,
    });
    expect(without.json().code).toBe('IDEMPOTENCY_KEY_REQUIRED');
  });

  it('when the same external_id is placed twice, then the second answer is the existing order', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const body = {
      channel: 'pickup',
      lines: [margheritaLine(shop.ids)],
      external_id: 'partner-123',
      source: 'lieferheld',
    };
    const first = await placeOrder(t, guest.token, shop.store.id, body);
    const second = await placeOrder(t, guest.token, shop.store.id, body);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
  });

  it('when the basket breaks several rules, then one 422 lists every problem with its own code', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const res = await placeOrder(t, guest.token, shop.store.id, {
      channel: 'pickup',
      lines: [
        { item_id: shop.ids.items.margherita, quantity: 1 },
        { item_id: randomUUID(), quantity: 1 },
        {
          item_id: shop.ids.items.diavola,
          quantity: 1,
          modifiers: [{ option_id: shop.ids.options['base/tomato'] }, { option_id: shop.ids.options['base/white'] }],
        },
      ],
    });
    expect(res.statusCode).toBe(422);
    const codes = res.json().errors.map((e: { code: string; path: string }) => `${e.code} ${e.path}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'VARIANT_REQUIRED /lines/0/variant_id',
        'MODIFIER_RULES_BROKEN /lines/0/modifiers',
        'ITEM_UNAVAILABLE /lines/1/item_id',
        'MODIFIER_RULES_BROKEN /lines/2/modifiers',
      ]),
    );
    const quote = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${shop.store.id}/quotes`,
      payload: { channel: 'pickup', lines: [margheritaLine(shop.ids)] },
    });
    expect(quote.statusCode).toBe(200);
    expect(quote.json()).toMatchObject({
      orderable: true,
      problems: [],
      totals: { total: { amount: 900, currency: 'EUR' } },
    });
  });

  it('when staff walk a pickup order through the kitchen, then each step is recorded and a stale If-Match is refused', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const staff = await staffOf(t, { organizationId: shop.organization.id, storeId: shop.store.id, role: 'staff' });
    const order = (
      await placeOrder(t, guest.token, shop.store.id, { channel: 'pickup', lines: [margheritaLine(shop.ids)] })
    ).json();
    const act = (action: string, token: string, ifMatch?: string) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/orders/${order.id}/transitions`,
        headers: { ...bearer(token), ...(ifMatch ? { 'if-match': ifMatch } : {}) },
        payload: { action },
      });
    expect((await act('accept', staff.token, '"1"')).statusCode).toBe(200);
    expect((await act('start_preparing', staff.token, '"1"')).statusCode).toBe(412);
    expect((await act('start_preparing', staff.token, '"2"')).json().status).toBe('preparing');
    expect((await act('cancel', guest.token)).json().code).toBe('INVALID_ORDER_TRANSITION');
    expect((await act('mark_ready', staff.token)).json().status).toBe('ready');
    expect((await act('hand_over', staff.token)).json().status).toBe('picked_up');
    const history = (
      await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: bearer(guest.token) })
    ).json().history;
    expect(history.map((h: { status: string }) => h.status)).toEqual([
      'placed',
      'accepted',
      'preparing',
      'ready',
      'picked_up',
    ]);
  });
});

describe('the placement transaction', () => {
  // The service on the test app's modules, without payments or announcements, given a request's
  // Idempotency-Key claim directly: its recovery point must commit with the order, or not at all.
  const service = () =>
    createOrderingService({
      db: t.db.database.db,
      deliveries: t.modules.ordering.deliveries,
      clock: () => new Date(),
      events: createEventAppender<OrderingEvents>(),
      tenancy: t.modules.tenancy,
      menu: t.modules.catalog,
      stock: t.modules.inventory.api,
      payments: () => null,
      promotions: NO_PROMOTIONS,
      rewards: NO_REWARDS,
      deliveryTerms: NO_DELIVERY_ZONES,
      changed: async () => undefined,
    });

  it('when placement holds an idempotency claim, then its recovery point is recorded inside the order’s transaction with the new order written; when recording fails, no order exists', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const principal = { kind: 'user' as const, userId: guest.user.id, platformAdmin: false, grants: [] };
    const body = { channel: 'pickup' as const, lines: [margheritaLine(shop.ids)] };

    const seen: Array<{ orderId: unknown; visibleInside: boolean }> = [];
    const { order, created } = await service().placeOrder({
      principal,
      storeId: shop.store.id,
      body,
      idempotency: {
        key: randomUUID(),
        recovered: null,
        commitIn: async (trx, point) => {
          const visibleInside = (await ordersRepo.findOrder(trx, String(point.order_id))) !== undefined;
          seen.push({ orderId: point.order_id, visibleInside });
        },
      },
    });
    expect(created).toBe(true);
    expect(seen).toEqual([{ orderId: order.id, visibleInside: true }]);

    let doomed = '';
    await expect(
      service().placeOrder({
        principal,
        storeId: shop.store.id,
        body,
        idempotency: {
          key: randomUUID(),
          recovered: null,
          commitIn: async (_trx, point) => {
            doomed = String(point.order_id);
            throw new Error('crash before commit');
          },
        },
      }),
    ).rejects.toThrow('crash before commit');
    expect(doomed).not.toBe('');
    expect(await ordersRepo.findOrder(t.db.database.db, doomed)).toBeUndefined();
  });
});
