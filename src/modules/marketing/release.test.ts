// The redemption ledger across an order's life (issue 13, Proof; ADR 0027): held at placement,
// confirmed when the order is paid or fulfilled, released exactly once by every path that ends it
// unpaid (cancel by the customer or the store, reject, expiry, a payment that cannot be opened)
// or refunds it whole — and a released single-use code can be used again. Real app, sandbox
// processor and worker; the invariant checker (brigade check) runs after each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../platform/db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer } from '../../test-support/identity-factories.js';
import {
  countersOf,
  createCodes,
  createPromotion,
  expectLedgerSound,
  manyCustomers,
  redemptionsOf,
  type SignedInCustomer,
} from '../../test-support/marketing-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import {
  act,
  fulfil,
  payAtSandbox,
  placeOnline,
  readPayment,
  sandboxControl,
  waitForPaymentStatus,
  CARDS,
} from '../../test-support/payments-factories.js';
import { middayZone } from '../../test-support/tenancy-factories.js';
import { waitFor } from '../../test-support/wait.js';

const MINUTE = 60_000;
/** The modules' clock runs with real time, shifted forward by the expiry test only. */
let shift = 0;
let t: TestApp;
beforeAll(async () => {
  // One failed call must not open the breaker (the unpayable test's outage).
  t = await createTestApp(
    { OUTBOUND_RETRIES: '0', OUTBOUND_BREAKER_FAILURES: '10' },
    { sandbox: true, clock: () => new Date(Date.now() + shift) },
  );
  await t.startWorker();
});
afterAll(async () => {
  await t?.close();
});

/**
 * A fresh brand with both kinds of hold: a code promotion (a usage limit and a budget, so its
 * counters move; once per customer) with one single-use code, and an automatic flash sale on
 * lemonade (a unit pool, one per customer a day). The basket gets both.
 */
async function armedShop() {
  const shop = await orderingStore(t, {}, { timezone: middayZone() });
  const place = { organizationId: shop.organization.id, ownerToken: shop.ownerToken };
  const lemonade = shop.ids.items.lemonade!;
  const coupon = await createPromotion(t, place, {
    name: 'Single-use 10%',
    kind: 'code',
    combinable: true,
    usage_limit: 100,
    budget: 100_000,
    per_customer_limit: 1,
    effect: { type: 'order_percentage', percent_bps: 1000 },
  });
  const [code] = await createCodes(t, place, coupon.id, { count: 1 });
  const sale = await createPromotion(t, place, {
    name: 'Lemonade flash sale',
    kind: 'automatic',
    combinable: true,
    priority: 100,
    effect: { type: 'flash_sale', item_id: lemonade, percent_bps: 5000, units_per_day: 25, per_customer_per_day: 1 },
  });
  const body = {
    channel: 'pickup',
    lines: [margheritaLine(shop.ids), { item_id: lemonade, quantity: 1 }],
    coupon_code: code!.code,
  };
  return { shop, coupon, code: code!, sale, body };
}
type Armed = Awaited<ReturnType<typeof armedShop>>;

/** Every counter the two promotions move, summed. */
async function standing(armed: Armed) {
  const coupon = await countersOf(t, armed.coupon.id);
  const sale = await countersOf(t, armed.sale.id);
  const sum = (rows: Array<{ uses: number }>) => rows.reduce((total, row) => total + row.uses, 0);
  return {
    couponUses: coupon.uses,
    couponSpent: coupon.discountSpent,
    codeUses: sum(coupon.codes),
    couponCustomerUses: sum(coupon.customers),
    poolTaken: sale.pools.reduce((total, pool) => total + pool.taken, 0),
    saleCustomerUses: sum(sale.customers),
  };
}

const NOTHING_HELD = {
  couponUses: 0,
  couponSpent: 0,
  codeUses: 0,
  couponCustomerUses: 0,
  poolTaken: 0,
  saleCustomerUses: 0,
};

async function ledgerOfOrder(armed: Armed, orderId: string) {
  const rows = [...(await redemptionsOf(t, armed.coupon.id)), ...(await redemptionsOf(t, armed.sale.id))];
  return rows.filter((row) => row.order_id === orderId);
}

/** The order holds both redemptions (status held or confirmed), and every counter counts it once. */
async function expectHolding(armed: Armed, orderId: string, status: 'held' | 'confirmed') {
  const rows = await ledgerOfOrder(armed, orderId);
  expect(rows.map((row) => row.status)).toEqual([status, status]);
  const couponAmount = rows.find((row) => row.code_id === armed.code.id)!.amount;
  expect(await standing(armed)).toEqual({
    couponUses: 1,
    couponSpent: couponAmount,
    codeUses: 1,
    couponCustomerUses: 1,
    poolTaken: 1,
    saleCustomerUses: 1,
  });
}

async function expectReleased(armed: Armed, orderId: string, reason: string) {
  const rows = await ledgerOfOrder(armed, orderId);
  expect(rows).toHaveLength(2);
  for (const row of rows) expect(row).toMatchObject({ status: 'released', release_reason: reason });
  expect(await standing(armed)).toEqual(NOTHING_HELD);
}

/** Released: the same single-use code (and the customer's daily flash-sale unit) can be used again. */
async function expectUsableAgain(armed: Armed, buyer: SignedInCustomer) {
  const again = await placeOrder(t, buyer.token, armed.shop.store.id, armed.body);
  expect(again.statusCode, again.body).toBe(201);
  const ids = again.json<{ discounts: Array<{ promotion_id: string }> }>().discounts.map((d) => d.promotion_id);
  expect(ids.sort()).toEqual([armed.coupon.id, armed.sale.id].sort());
}

async function placeCash(armed: Armed, buyer: SignedInCustomer) {
  const res = await placeOrder(t, buyer.token, armed.shop.store.id, armed.body);
  expect(res.statusCode, res.body).toBe(201);
  const order = res.json<{ id: string; discounts: unknown[] }>();
  expect(order.discounts).toHaveLength(2);
  return order;
}

const transition = (token: string, orderId: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/transitions`, headers: bearer(token), payload });

describe('released once by each path that ends an order unpaid', () => {
  it('when the customer cancels, then the redemptions are released once (a second cancel is refused and moves nothing), and the single-use code works again', async () => {
    const armed = await armedShop();
    const [buyer] = await manyCustomers(t, 1);
    const order = await placeCash(armed, buyer!);
    await expectHolding(armed, order.id, 'held');

    expect((await transition(buyer!.token, order.id, { action: 'cancel' })).statusCode).toBe(200);
    await expectReleased(armed, order.id, 'cancelled');
    const twice = await transition(buyer!.token, order.id, { action: 'cancel' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('INVALID_ORDER_TRANSITION');
    // Released again from inside, as a redelivered compensation would: nothing left to give back.
    await inTransaction(t.db.database.db, (trx) => t.modules.marketing.port.release(trx, order.id, 'again'));
    await expectReleased(armed, order.id, 'cancelled');
    await expectLedgerSound(t);

    await expectUsableAgain(armed, buyer!);
    await expectLedgerSound(t);
  });

  it('when the store cancels an accepted order, or rejects a new one, then each order’s redemptions are released once', async () => {
    const armed = await armedShop();
    const [first, second] = await manyCustomers(t, 2);
    const accepted = await placeCash(armed, first!);
    await act(t, armed.shop.ownerToken, accepted.id, 'accept');
    await act(t, armed.shop.ownerToken, accepted.id, 'start_preparing');
    await act(t, armed.shop.ownerToken, accepted.id, 'cancel', { reason: 'oven broke' });
    await expectReleased(armed, accepted.id, 'cancelled');

    const rejected = await placeCash(armed, second!);
    await expectHolding(armed, rejected.id, 'held');
    await act(t, armed.shop.ownerToken, rejected.id, 'reject', { reason: 'too busy' });
    await expectReleased(armed, rejected.id, 'rejected');
    expect((await transition(armed.shop.ownerToken, rejected.id, { action: 'reject', reason: 'x' })).statusCode).toBe(
      409,
    );
    await expectReleased(armed, rejected.id, 'rejected');
    await expectLedgerSound(t);
  });

  it('when the payment cannot be opened after the order committed, then the cancelled order’s redemptions are released and the retry holds them again', async () => {
    const armed = await armedShop();
    const [buyer] = await manyCustomers(t, 1);
    const key = crypto.randomUUID();
    const body = { ...armed.body, payment: { method: 'online' } };
    await sandboxControl(t, { outage: true });
    const refused = await placeOrder(t, buyer!.token, armed.shop.store.id, body, key);
    await sandboxControl(t, { outage: false });
    expect(refused.statusCode, refused.body).toBe(503);
    const ledger = await redemptionsOf(t, armed.coupon.id);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ status: 'released', release_reason: 'cancelled' });
    expect(await standing(armed)).toEqual(NOTHING_HELD);

    const retried = await placeOrder(t, buyer!.token, armed.shop.store.id, body, key);
    expect(retried.statusCode, retried.body).toBe(201);
    await expectHolding(armed, retried.json().id, 'held');
    await waitFor(
      'the unpayable order’s payment to be voided',
      async () => (await t.modules.payments.api.checkInvariants({ graceSeconds: 0 })).ok,
    );
    await expectLedgerSound(t);
  });

  it('when an online order is declined and then left unpaid until it expires, then its redemptions are released once and the code works again', async () => {
    const armed = await armedShop();
    const [buyer] = await manyCustomers(t, 1);
    const order = await placeOnline(t, buyer!.token, armed.shop, armed.body);
    await expectHolding(armed, order.id, 'held');
    await payAtSandbox(t, order.payment, CARDS.declined);
    await waitFor(
      'the decline to be recorded',
      async () => (await readPayment(t, buyer!.token, order.payment.id)).last_failure_code !== null,
    );
    // A declined payment is not the end of the order: the customer may try another card.
    await expectHolding(armed, order.id, 'held');

    shift += 16 * MINUTE; // past the default 15 minutes to pay
    try {
      expect(await t.modules.ordering.api.expireUnpaidOrders()).toBeGreaterThanOrEqual(1);
      await expectReleased(armed, order.id, 'expired');
      // The job again (its next run): nothing more to expire, nothing released twice.
      await t.modules.ordering.api.expireUnpaidOrders();
      await expectReleased(armed, order.id, 'expired');
      await expectLedgerSound(t);
      await expectUsableAgain(armed, buyer!);
    } finally {
      shift = 0;
    }
  });
});

describe('confirmed when paid or fulfilled; released by a whole refund only', () => {
  it('when a cash order is fulfilled, then its redemptions are confirmed and stay counted', async () => {
    const armed = await armedShop();
    const [buyer] = await manyCustomers(t, 1);
    const order = await placeCash(armed, buyer!);
    await fulfil(t, armed.shop.ownerToken, order.id);
    await expectHolding(armed, order.id, 'confirmed');
    // The single-use code is spent for good.
    const again = await placeOrder(t, buyer!.token, armed.shop.store.id, armed.body);
    expect(again.statusCode).toBe(422);
    expect(again.json().code).toBe('COUPON_LIMIT_REACHED');
    await expectLedgerSound(t);
  });

  it('when a store that captures at acceptance takes the money, then the redemptions are confirmed; cancelling it then releases them once, and its automatic refund releases nothing more', async () => {
    const armed = await armedShop();
    const settings = await t.app.inject({
      method: 'PATCH',
      url: `/v1/stores/${armed.shop.store.id}/payment-settings`,
      headers: bearer(armed.shop.ownerToken),
      payload: { capture_on: 'acceptance' },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    const [buyer] = await manyCustomers(t, 1);
    const order = await placeOnline(t, buyer!.token, armed.shop, armed.body);
    await payAtSandbox(t, order.payment);
    await waitForPaymentStatus(t, buyer!.token, order.payment.id, 'authorized');
    await expectHolding(armed, order.id, 'held');
    await act(t, armed.shop.ownerToken, order.id, 'accept');
    await waitForPaymentStatus(t, buyer!.token, order.payment.id, 'captured');
    await waitFor('the redemptions to be confirmed', async () =>
      (await ledgerOfOrder(armed, order.id)).every((row) => row.status === 'confirmed'),
    );
    await expectHolding(armed, order.id, 'confirmed');

    await act(t, armed.shop.ownerToken, order.id, 'cancel', { reason: 'ran out of dough' });
    await expectReleased(armed, order.id, 'cancelled');
    await waitFor(
      'the automatic refund to be recorded on the order',
      async () =>
        (await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: bearer(buyer!.token) })).json()
          .payment.status === 'refunded',
    );
    await expectReleased(armed, order.id, 'cancelled');
    await expectLedgerSound(t);
  });

  it('when a fulfilled, captured order is refunded in part, then its redemptions stay confirmed; refunded the rest, then they are released once (a redelivered refund moves nothing)', async () => {
    const armed = await armedShop();
    const [buyer] = await manyCustomers(t, 1);
    const order = await placeOnline(t, buyer!.token, armed.shop, armed.body);
    await payAtSandbox(t, order.payment);
    await waitForPaymentStatus(t, buyer!.token, order.payment.id, 'authorized');
    await fulfil(t, armed.shop.ownerToken, order.id);
    await waitForPaymentStatus(t, buyer!.token, order.payment.id, 'captured');
    await expectHolding(armed, order.id, 'confirmed');

    const refund = async (amount: number, key: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/payments/${order.payment.id}/refunds`,
        headers: { ...bearer(armed.shop.ownerToken), 'idempotency-key': key },
        payload: { amount: { amount, currency: 'EUR' }, reason: 'cold' },
      });
      expect(res.statusCode, res.body).toBe(202);
      await waitFor(`the refund of ${amount} to succeed`, async () => {
        const list = (
          await t.app.inject({
            method: 'GET',
            url: `/v1/payments/${order.payment.id}/refunds`,
            headers: bearer(armed.shop.ownerToken),
          })
        ).json<{ data: Array<{ id: string; status: string }> }>();
        return list.data.find((r) => r.id === res.json().id)?.status === 'succeeded';
      });
    };
    await refund(100, `part-${order.id}`);
    await expectHolding(armed, order.id, 'confirmed');
    await refund(order.total - 100, `rest-${order.id}`);
    await waitFor(
      'the whole refund to be recorded on the order',
      async () =>
        (await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: bearer(buyer!.token) })).json()
          .payment.status === 'refunded',
    );
    await expectReleased(armed, order.id, 'refunded');
    // The provider's "refunded" told again: the order already shows it, nothing is released twice.
    await inTransaction(t.db.database.db, (trx) => t.modules.ordering.api.recordPaymentIn(trx, order.id, 'refunded'));
    await expectReleased(armed, order.id, 'refunded');
    await expectLedgerSound(t);
    await expectUsableAgain(armed, buyer!);
  });
});
