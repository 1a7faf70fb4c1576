// Ordering under contention: truly concurrent requests (Promise.all over app.inject on one app,
// so they interleave on the connection pool) against real PostgreSQL. Stock, kitchen capacity,
// Idempotency-Keys and external ids must each hold exactly, whatever the interleaving.
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';

// Wednesday 2 December 2026, 11:00 in Berlin: the modules' "now" (the stores are open around the
// clock); only the expiry race moves it.
let now = new Date('2026-12-02T10:00:00Z');
const RACERS = 200;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { clock: () => now, sandbox: true });
});
afterAll(async () => {
  await t?.close();
});

type Shop = Awaited<ReturnType<typeof orderingStore>>;

async function setStock(shop: Shop, itemId: string, quantity: number | null) {
  const res = await t.app.inject({
    method: 'PUT',
    url: `/v1/stores/${shop.store.id}/stock/${itemId}`,
    headers: bearer(shop.ownerToken),
    payload: { quantity },
  });
  expect(res.statusCode, res.body).toBe(200);
}

async function stockOf(shop: Shop, itemId: string): Promise<number | null> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/stores/${shop.store.id}/stock?limit=100`,
    headers: bearer(shop.ownerToken),
  });
  expect(res.statusCode, res.body).toBe(200);
  const level = res
    .json<{ data: Array<{ item_id: string; quantity: number | null }> }>()
    .data.find((row) => row.item_id === itemId);
  return level?.quantity ?? null;
}

async function menuItemIds(storeId: string): Promise<string[]> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/stores/${storeId}/menu` });
  expect(res.statusCode, res.body).toBe(200);
  const menu = res.json<{ menus: Array<{ categories: Array<{ items: Array<{ id: string }> }> }> }>();
  return menu.menus.flatMap((section) =>
    section.categories.flatMap((category) => category.items.map((item) => item.id)),
  );
}

async function storeOrders(shop: Shop) {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/stores/${shop.store.id}/orders?limit=100`,
    headers: bearer(shop.ownerToken),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ data: Array<{ id: string; number: string; status: string }>; has_more: boolean }>();
}

function tally(responses: LightMyRequestResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const res of responses) {
    const label =
      res.statusCode >= 400 ? `${res.statusCode} ${res.json<{ code: string }>().code}` : String(res.statusCode);
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

async function cancelAsCustomer(token: string, orderId: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/orders/${orderId}/transitions`,
    headers: bearer(token),
    payload: { action: 'cancel' },
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().status).toBe('cancelled');
}

describe('orders racing for the same stock', () => {
  it(`when ${RACERS} orders race for an item with 20 in stock, then exactly 20 are placed, the rest get INSUFFICIENT_STOCK, the ledger balances at zero and the sold-out item leaves the menu until a cancellation brings one back`, async () => {
    const shop = await orderingStore(t);
    const margherita = shop.ids.items.margherita!;
    const guest = await customer(t);
    await setStock(shop, margherita, 20);
    expect(await menuItemIds(shop.store.id)).toContain(margherita);

    const body = { channel: 'pickup', lines: [margheritaLine(shop.ids)] };
    const responses = await Promise.all(
      Array.from({ length: RACERS }, () => placeOrder(t, guest.token, shop.store.id, body)),
    );

    expect(tally(responses)).toEqual({ 201: 20, '422 INSUFFICIENT_STOCK': RACERS - 20 });
    for (const refused of responses.filter((res) => res.statusCode === 422)) {
      expect(refused.json().errors).toEqual([
        expect.objectContaining({ path: '/lines/0/quantity', code: 'INSUFFICIENT_STOCK' }),
      ]);
    }
    const placed = responses
      .filter((res) => res.statusCode === 201)
      .map((res) => res.json<{ id: string; number: string }>());
    // Refused orders consumed no order number: the day's numbers are gap-free.
    expect(placed.map((order) => order.number).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `A-${String(i + 1).padStart(3, '0')}`),
    );
    const listed = await storeOrders(shop);
    expect(listed.data.map((order) => order.id).sort()).toEqual(placed.map((order) => order.id).sort());

    expect(await stockOf(shop, margherita)).toBe(0);
    expect(await t.modules.inventory.api.audit(t.db.database.db, { storeId: shop.store.id })).toEqual([]);
    const movesRes = await t.app.inject({
      method: 'GET',
      url: `/v1/stores/${shop.store.id}/stock/${margherita}/moves?limit=100`,
      headers: bearer(shop.ownerToken),
    });
    expect(movesRes.statusCode, movesRes.body).toBe(200);
    const moves = movesRes.json<{ data: Array<{ delta: number; balance_after: number; reason: string }> }>().data;
    expect(moves).toHaveLength(21); // the manager's count, then one reservation per placed order
    expect(moves.reduce((sum, move) => sum + move.delta, 0)).toBe(0);
    expect(moves.every((move) => move.balance_after >= 0)).toBe(true);
    expect(moves.map((move) => move.balance_after)).toEqual(Array.from({ length: 21 }, (_, i) => 20 - i));

    // Zero 86'd it: the storefront no longer offers it, and another order is refused.
    expect(await menuItemIds(shop.store.id)).not.toContain(margherita);
    expect((await placeOrder(t, guest.token, shop.store.id, body)).statusCode).toBe(422);

    // A cancellation before preparation gives its portion back, and the item returns.
    await cancelAsCustomer(guest.token, placed[0]!.id);
    expect(await stockOf(shop, margherita)).toBe(1);
    expect(await t.modules.inventory.api.audit(t.db.database.db, { storeId: shop.store.id })).toEqual([]);
    expect(await menuItemIds(shop.store.id)).toContain(margherita);
    expect((await placeOrder(t, guest.token, shop.store.id, body)).statusCode).toBe(201);
    expect(await stockOf(shop, margherita)).toBe(0);
  });
});

describe('orders racing for the same kitchen slot', () => {
  it(`when ${RACERS} orders are scheduled at once into a slot that takes 5, then exactly 5 are placed, the rest get SLOT_FULL, the slot shows nothing left, and a cancellation frees one place`, async () => {
    const shop = await orderingStore(t, { capacity: { orders: 5, items: null } });
    const guest = await customer(t);
    const slotStart = '2026-12-02T13:00:00.000Z'; // 14:00 in Berlin, three hours ahead
    const body = { channel: 'pickup', lines: [margheritaLine(shop.ids)], scheduled_for: slotStart };

    const responses = await Promise.all(
      Array.from({ length: RACERS }, () => placeOrder(t, guest.token, shop.store.id, body)),
    );

    expect(tally(responses)).toEqual({ 201: 5, '422 SLOT_FULL': RACERS - 5 });
    const placed = responses
      .filter((res) => res.statusCode === 201)
      .map((res) => res.json<{ id: string; promised_at: string; slot_starts_at: string }>());
    for (const order of placed) expect(order).toMatchObject({ promised_at: slotStart, slot_starts_at: slotStart });
    expect((await storeOrders(shop)).data).toHaveLength(5);

    const slotOf = async () => {
      const res = await t.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/slots?date=2026-12-02` });
      expect(res.statusCode, res.body).toBe(200);
      return res
        .json<{ slots: Array<{ starts_at: string; remaining: { orders: number | null }; orderable: boolean }> }>()
        .slots.find((slot) => slot.starts_at === slotStart);
    };
    expect(await slotOf()).toMatchObject({ remaining: { orders: 0 }, orderable: false });

    await cancelAsCustomer(guest.token, placed[0]!.id);
    expect(await slotOf()).toMatchObject({ remaining: { orders: 1 }, orderable: true });
    const again = await Promise.all(Array.from({ length: 10 }, () => placeOrder(t, guest.token, shop.store.id, body)));
    expect(tally(again)).toEqual({ 201: 1, '422 SLOT_FULL': 9 });
    expect(await slotOf()).toMatchObject({ remaining: { orders: 0 } });
  });
});

describe('retries racing each other', () => {
  it('when 50 retries of one order arrive at once with the same Idempotency-Key, then one order exists and every answer is that 201 or IDEMPOTENCY_IN_PROGRESS', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const key = randomUUID();
    const body = { channel: 'pickup', lines: [margheritaLine(shop.ids)] };

    const responses = await Promise.all(
      Array.from({ length: 50 }, () => placeOrder(t, guest.token, shop.store.id, body, key)),
    );

    const created = responses.filter((res) => res.statusCode === 201);
    const busy = responses.filter((res) => res.statusCode === 409);
    expect(created.length + busy.length).toBe(50);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((res) => res.body)).size).toBe(1);
    for (const res of busy) expect(res.json()).toMatchObject({ status: 409, code: 'IDEMPOTENCY_IN_PROGRESS' });

    const orders = (await storeOrders(shop)).data;
    expect(orders).toHaveLength(1);
    expect(created[0]!.json().id).toBe(orders[0]!.id);
    // Once it finished, a retry is the stored answer, byte for byte.
    const later = await placeOrder(t, guest.token, shop.store.id, body, key);
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.body).toBe(created[0]!.body);
  });

  it('when the same external_id is placed twice at the same moment with different Idempotency-Keys, then one order exists and both answers carry its id (201 and 200)', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    // Several rounds, so the twins really meet inside the placement transaction at least once.
    for (let round = 0; round < 10; round++) {
      const body = {
        channel: 'pickup',
        lines: [margheritaLine(shop.ids)],
        external_id: `partner-${round}`,
        source: 'lieferheld',
      };
      const [a, b] = await Promise.all([
        placeOrder(t, guest.token, shop.store.id, body),
        placeOrder(t, guest.token, shop.store.id, body),
      ]);
      expect([a!.statusCode, b!.statusCode].sort(), `${a!.body} ${b!.body}`).toEqual([200, 201]);
      expect(a!.json().id).toBe(b!.json().id);
      expect(a!.json().external_id).toBe(`partner-${round}`);
    }
    const orders = (await storeOrders(shop)).data;
    expect(orders).toHaveLength(10);
    expect(new Set(orders.map((order) => order.number)).size).toBe(10);
  });
});

describe('ending an order from two sides at once', () => {
  it('when customers cancel unpaid online orders while the expiry job expires them, then each order ends once, and its stock and slot come back exactly once', async () => {
    now = new Date('2026-12-02T10:00:00Z');
    const shop = await orderingStore(t, { capacity: { orders: 10, items: null } });
    const margherita = shop.ids.items.margherita!;
    const guest = await customer(t);
    await setStock(shop, margherita, 20);
    const slotStart = '2026-12-02T13:00:00.000Z';
    const body = {
      channel: 'pickup',
      lines: [margheritaLine(shop.ids, 2)],
      scheduled_for: slotStart,
      payment: { method: 'online' },
    };
    const placed = await Promise.all(Array.from({ length: 8 }, () => placeOrder(t, guest.token, shop.store.id, body)));
    expect(tally(placed)).toEqual({ 201: 8 });
    expect(await stockOf(shop, margherita)).toBe(4);

    now = new Date('2026-12-02T10:16:00Z'); // past the 15 unpaid minutes
    const cancel = (id: string) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/orders/${id}/transitions`,
        headers: bearer(guest.token),
        payload: { action: 'cancel' },
      });
    const [expired, ...cancels] = await Promise.all([
      t.modules.ordering.api.expireUnpaidOrders(),
      ...placed.map((res) => cancel(res.json<{ id: string }>().id)),
    ]);

    const cancelled = cancels.filter((res) => res.statusCode === 200).length;
    for (const res of cancels.filter((candidate) => candidate.statusCode !== 200))
      expect(res.json()).toMatchObject({ status: 409, code: 'INVALID_ORDER_TRANSITION' });
    expect(cancelled + (expired as number)).toBe(8);
    expect(await stockOf(shop, margherita)).toBe(20);
    expect(await t.modules.inventory.api.audit(t.db.database.db, { storeId: shop.store.id })).toEqual([]);
    const slots = await t.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/slots?date=2026-12-02` });
    expect(
      slots
        .json<{ slots: Array<{ starts_at: string; remaining: { orders: number } }> }>()
        .slots.find((slot) => slot.starts_at === slotStart)?.remaining.orders,
    ).toBe(10);
    const statuses = (await storeOrders(shop)).data.map((order) => order.status);
    expect(statuses.filter((status) => status === 'cancelled')).toHaveLength(cancelled);
    expect(statuses.filter((status) => status === 'expired')).toHaveLength(8 - cancelled);
  });
});
