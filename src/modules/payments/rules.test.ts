// The rules around payments: who may see and refund them, what a refund may ask for, tips after
// the fact on dine-in, store payment settings, and the admin invariant endpoint.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer, signIn, staffOf } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore } from '../../test-support/ordering-factories.js';
import {
  act,
  capturedOnline,
  payAtSandbox,
  placeOnline,
  readPayment,
  sandboxIntent,
  waitForPaymentStatus,
} from '../../test-support/payments-factories.js';
import { organizationWithStore } from '../../test-support/tenancy-factories.js';
import { waitFor } from '../../test-support/wait.js';

let t: TestApp;
let shop: Awaited<ReturnType<typeof orderingStore>>;

beforeAll(async () => {
  t = await createTestApp({}, { sandbox: true });
  await t.startWorker();
  shop = await orderingStore(t);
});
afterAll(async () => {
  await t?.close();
});

const refund = (token: string, paymentId: string, payload: Record<string, unknown>, key: string = randomUUID()) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/payments/${paymentId}/refunds`,
    headers: { ...bearer(token), 'idempotency-key': key },
    payload,
  });

const capturedOrder = () => capturedOnline(t, shop, { lines: [margheritaLine(shop.ids, 2)] });

describe('seeing payments', () => {
  it('when someone else asks for a payment, then 404; the customer sees how to pay while it waits, the store’s staff never see it', async () => {
    const buyer = await customer(t);
    const stranger = await customer(t);
    const outsider = await organizationWithStore(t);
    const staff = await staffOf(t, { organizationId: shop.organization.id, storeId: shop.store.id, role: 'staff' });
    const order = await placeOnline(t, buyer.token, shop);

    const mine = await readPayment(t, buyer.token, order.payment.id);
    expect(mine).toMatchObject({
      status: 'requires_payment',
      provider: 'sandbox',
      checkout: { client_secret: order.payment.clientSecret },
    });
    expect(
      (
        await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}/payment`, headers: bearer(buyer.token) })
      ).json().id,
    ).toBe(order.payment.id);
    const theirs = await readPayment(t, staff.token, order.payment.id);
    expect(theirs.status).toBe('requires_payment');
    expect((theirs as unknown as { checkout: unknown }).checkout).toBeNull();
    for (const token of [stranger.token, outsider.organization.owner.token]) {
      expect(
        (await t.app.inject({ method: 'GET', url: `/v1/payments/${order.payment.id}`, headers: bearer(token) }))
          .statusCode,
      ).toBe(404);
    }
    expect((await t.app.inject({ method: 'GET', url: `/v1/payments/${order.payment.id}` })).statusCode).toBe(401);
  });
});

describe('refund requests', () => {
  it('when a refund is asked for wrongly, then it is refused with a clear code and nothing is reserved', async () => {
    const { buyer, order } = await capturedOrder();
    const staff = await staffOf(t, { organizationId: shop.organization.id, storeId: shop.store.id, role: 'staff' });
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      [shop.ownerToken, { reason: 'nothing named' }, 400, 'VALIDATION_FAILED'],
      [
        shop.ownerToken,
        { amount: { amount: 100, currency: 'EUR' }, lines: [{ line_no: 0, quantity: 1 }], reason: 'both' },
        400,
        'VALIDATION_FAILED',
      ],
      [
        shop.ownerToken,
        { amount: { amount: 100, currency: 'USD' }, reason: 'wrong currency' },
        422,
        'CURRENCY_MISMATCH',
      ],
      [
        shop.ownerToken,
        { amount: { amount: order.total + 1, currency: 'EUR' }, reason: 'too much' },
        422,
        'REFUND_EXCEEDS_CAPTURE',
      ],
      [
        shop.ownerToken,
        { lines: [{ line_no: 0, quantity: 3 }], reason: 'more than ordered' },
        422,
        'REFUND_EXCEEDS_LINE',
      ],
      [shop.ownerToken, { lines: [{ line_no: 7, quantity: 1 }], reason: 'no such line' }, 400, 'VALIDATION_FAILED'],
      [
        shop.ownerToken,
        { amount: { amount: 100, currency: 'EUR' }, reason: 'x', extra: true },
        400,
        'VALIDATION_FAILED',
      ],
      [staff.token, { amount: { amount: 100, currency: 'EUR' }, reason: 'not a manager' }, 403, 'FORBIDDEN'],
      [buyer.token, { amount: { amount: 100, currency: 'EUR' }, reason: 'the customer' }, 403, 'FORBIDDEN'],
    ];
    for (const [token, payload, status, code] of cases) {
      const res = await refund(token, order.payment.id, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.json().code).toBe(code);
    }
    expect(
      (
        await refund(
          shop.ownerToken,
          order.payment.id,
          { amount: { amount: 100, currency: 'EUR' }, reason: 'no key' },
          '',
        )
      ).statusCode,
    ).toBe(400);
    expect((await readPayment(t, shop.ownerToken, order.payment.id)).amount_refunded.amount).toBe(0);
  });

  it('when the payment was not captured yet, then 409 PAYMENT_NOT_CAPTURED; a retry with the same key replays the first answer', async () => {
    const buyer = await customer(t);
    const order = await placeOnline(t, buyer.token, shop);
    const early = await refund(shop.ownerToken, order.payment.id, {
      amount: { amount: 100, currency: 'EUR' },
      reason: 'early',
    });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('PAYMENT_NOT_CAPTURED');

    const { order: done } = await capturedOrder();
    const first = await refund(
      shop.ownerToken,
      done.payment.id,
      { amount: { amount: 150, currency: 'EUR' }, reason: 'once' },
      `once-${done.id}`,
    );
    const again = await refund(
      shop.ownerToken,
      done.payment.id,
      { amount: { amount: 150, currency: 'EUR' }, reason: 'once' },
      `once-${done.id}`,
    );
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect((await readPayment(t, shop.ownerToken, done.payment.id)).amount_refunded.amount).toBe(150);
  });
});

describe('tips after the fact', () => {
  it('when a dine-in table adds a tip to its authorized order, then the authorization is raised and the capture takes the new total', async () => {
    const buyer = await customer(t);
    const order = await placeOnline(t, buyer.token, shop, { channel: 'dine_in', table_token: shop.table.qr_token });
    await payAtSandbox(t, order.payment);
    await waitForPaymentStatus(t, buyer.token, order.payment.id, 'authorized');

    const tipped = await t.app.inject({
      method: 'POST',
      url: `/v1/orders/${order.id}/tip`,
      headers: bearer(buyer.token),
      payload: { tip: { amount: 300, currency: 'EUR' } },
    });
    expect(tipped.statusCode, tipped.body).toBe(200);
    expect(tipped.json().totals).toMatchObject({ tip: { amount: 300 }, total: { amount: order.total + 300 } });
    expect(await sandboxIntent(t, order.payment.intentId)).toMatchObject({ status: 'authorized' });
    expect(await readPayment(t, buyer.token, order.payment.id)).toMatchObject({
      amount: { amount: order.total + 300 },
      amount_authorized: { amount: order.total + 300 },
    });

    for (const action of ['accept', 'start_preparing', 'mark_ready', 'complete'])
      await act(t, shop.ownerToken, order.id, action);
    const captured = await waitForPaymentStatus(t, buyer.token, order.payment.id, 'captured');
    expect(captured.amount_captured.amount).toBe(order.total + 300);
    expect((await sandboxIntent(t, order.payment.intentId)).amount_captured).toBe(order.total + 300);
    await waitFor('invariants', async () => (await t.modules.payments.api.checkInvariants({ graceSeconds: 0 })).ok);

    const late = await t.app.inject({
      method: 'POST',
      url: `/v1/orders/${order.id}/tip`,
      headers: bearer(buyer.token),
      payload: { tip: { amount: 500, currency: 'EUR' } },
    });
    expect(late.statusCode).toBe(409);
    expect(['TIP_NOT_APPLICABLE', 'PAYMENT_ALREADY_CAPTURED']).toContain(late.json().code);
  });

  it('when a tip is added where it does not belong, then it is refused: a pickup order, an unpaid online order, a stranger', async () => {
    const buyer = await customer(t);
    const stranger = await customer(t);
    const pickup = await placeOnline(t, buyer.token, shop);
    const tip = (token: string, orderId: string) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/orders/${orderId}/tip`,
        headers: bearer(token),
        payload: { tip: { amount: 100, currency: 'EUR' } },
      });
    expect((await tip(buyer.token, pickup.id)).json().code).toBe('TIP_NOT_APPLICABLE');
    const unpaid = await placeOnline(t, buyer.token, shop, { channel: 'dine_in', table_token: shop.table.qr_token });
    expect((await tip(buyer.token, unpaid.id)).json().code).toBe('PAYMENT_NOT_AUTHORIZED');
    expect((await tip(stranger.token, unpaid.id)).statusCode).toBe(404);
  });
});

describe('store payment settings', () => {
  it('when a manager changes the provider, then new online orders follow it; cash only refuses online payment; staff may read but not change', async () => {
    const own = await orderingStore(t);
    const staff = await staffOf(t, { organizationId: own.organization.id, storeId: own.store.id, role: 'staff' });
    const url = `/v1/stores/${own.store.id}/payment-settings`;
    const read = await t.app.inject({ method: 'GET', url, headers: bearer(staff.token) });
    expect(read.json()).toEqual({ store_id: own.store.id, provider: 'sandbox', capture_on: 'completion', version: 0 });
    expect(
      (await t.app.inject({ method: 'PATCH', url, headers: bearer(staff.token), payload: { provider: null } }))
        .statusCode,
    ).toBe(403);

    const cashOnly = await t.app.inject({
      method: 'PATCH',
      url,
      headers: { ...bearer(own.ownerToken), 'if-match': read.headers.etag as string },
      payload: { provider: null },
    });
    expect(cashOnly.statusCode, cashOnly.body).toBe(200);
    expect(cashOnly.json()).toMatchObject({ provider: null, version: 1 });
    const stale = await t.app.inject({
      method: 'PATCH',
      url,
      headers: { ...bearer(own.ownerToken), 'if-match': read.headers.etag as string },
      payload: { capture_on: 'acceptance' },
    });
    expect(stale.statusCode).toBe(412);
    expect(
      (
        await t.app.inject({ method: 'PATCH', url, headers: bearer(own.ownerToken), payload: { provider: 'stripe' } })
      ).json().code,
    ).toBe('PROVIDER_NOT_CONFIGURED');

    const buyer = await customer(t);
    const key = randomUUID();
    const online = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${own.store.id}/orders`,
      headers: { ...bearer(buyer.token), 'idempotency-key': key },
      payload: { channel: 'pickup', lines: [margheritaLine(own.ids)], payment: { method: 'online' } },
    });
    expect(online.statusCode).toBe(422);
    expect(online.json().code).toBe('ONLINE_PAYMENT_UNAVAILABLE');
    expect((await t.db.database.pool.query('SELECT 1 FROM orders WHERE idempotency_key = $1', [key])).rowCount).toBe(0);
  });
});

describe('the invariant endpoint', () => {
  it('when a platform admin asks, then the report comes back; anyone else gets 403', async () => {
    const admin = await staffOf(t, { organizationId: shop.organization.id, role: 'owner' });
    await t.db.database.pool.query('UPDATE users SET is_platform_admin = true WHERE id = $1', [admin.user.id]);
    const adminToken = await signIn(t, admin.user);
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/invariants?grace_seconds=300',
      headers: bearer(adminToken),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, violations: [] });
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/admin/invariants', headers: bearer(shop.ownerToken) })).statusCode,
    ).toBe(403);
  });

  it('when money and an order disagree, then the checker names the violation', async () => {
    const { order } = await capturedOrder();
    // A second capture row appears, as a double capture would leave it.
    await t.db.database.pool.query(
      "INSERT INTO payment_operations (id, payment_id, kind, amount, step_key, occurred_at) VALUES ($1, $2, 'capture', 1, 'capture:again', now())",
      [randomUUID(), order.payment.id],
    );
    const report = await t.modules.payments.api.checkInvariants({ graceSeconds: 0 });
    expect(report.ok).toBe(false);
    expect(report.violations.map((violation) => violation.check)).toContain('completed_order_captured_once');
    await t.db.database.pool.query("DELETE FROM payment_operations WHERE step_key = 'capture:again'");
  });
});
