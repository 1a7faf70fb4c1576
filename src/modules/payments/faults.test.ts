// Fault scenarios of the checkout saga, on the real app with the sandbox processor and a worker:
// webhooks sent twice and out of order, concurrent partial refunds, an order cancelled (or
// expired) while its authorization is in flight, forged and stale webhooks, a lost webhook found
// by reconciliation. The invariant checker runs after each. (The worker killed mid-saga is
// test/payment-crash.test.ts; the provider down for a minute is outage.test.ts.)
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore } from '../../test-support/ordering-factories.js';
import { captureLogs } from '../../test-support/server.js';
import {
  act,
  capturedOnline,
  CARDS,
  expectInvariantsHold,
  fulfil,
  payAtSandbox,
  placeOnline,
  readPayment,
  sandboxControl,
  sandboxIntent,
  waitForPaymentStatus,
} from '../../test-support/payments-factories.js';
import { waitFor } from '../../test-support/wait.js';
import { webhookHeaders } from './sandbox/signature.js';

let t: TestApp;
let shop: Awaited<ReturnType<typeof orderingStore>>;
const logs = captureLogs('info');
// Moved forward by the expiry and reconciliation tests; the processor keeps real time.
let offsetMs = 0;

beforeAll(async () => {
  t = await createTestApp(
    { PAYMENTS_RECONCILE_AFTER_SECONDS: '60' },
    { sandbox: true, logger: logs.logger, clock: () => new Date(Date.now() + offsetMs) },
  );
  await t.startWorker();
  shop = await orderingStore(t);
});
afterAll(async () => {
  await t?.close();
});

const sql = async <T>(text: string, values: unknown[] = []) =>
  (await t.db.database.pool.query(text, values)).rows as T[];
const operations = (paymentId: string, kind: string) =>
  sql<{ n: number }>('SELECT count(*)::int AS n FROM payment_operations WHERE payment_id = $1 AND kind = $2', [
    paymentId,
    kind,
  ]).then((rows) => rows[0]!.n);
const orderOf = async (token: string, orderId: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/orders/${orderId}`, headers: bearer(token) })).json();

/** A webhook as the sandbox sends it, signed now (or at `at`) with the sandbox's secret. */
function sandboxWebhook(body: Record<string, unknown>, at = new Date()) {
  const raw = JSON.stringify(body);
  const id = String(body.id);
  return {
    raw,
    headers: {
      'content-type': 'application/json',
      ...webhookHeaders(t.config.payments.sandbox.webhookSecret!, id, at, raw),
    },
  };
}
const postWebhook = (
  webhook: { raw: string; headers: Record<string, string> },
  path = '/v1/payments/webhooks/sandbox',
) => t.app.inject({ method: 'POST', url: path, headers: webhook.headers, payload: webhook.raw });

describe('webhooks sent twice and out of order', () => {
  it('when the processor delivers every webhook twice in shuffled order, then each authorization, capture and refund is recorded once', async () => {
    await sandboxControl(t, { webhook_mode: 'duplicate_shuffled' });
    try {
      const buyer = await customer(t);
      const orders = await Promise.all([1, 2, 3, 4].map(() => placeOnline(t, buyer.token, shop)));
      await Promise.all(orders.map((order) => payAtSandbox(t, order.payment)));
      for (const order of orders) await waitForPaymentStatus(t, buyer.token, order.payment.id, 'authorized');
      for (const order of orders) await fulfil(t, shop.ownerToken, order.id);
      for (const order of orders) await waitForPaymentStatus(t, buyer.token, order.payment.id, 'captured');
      for (const order of orders) {
        const res = await t.app.inject({
          method: 'POST',
          url: `/v1/payments/${order.payment.id}/refunds`,
          headers: { ...bearer(shop.ownerToken), 'idempotency-key': randomUUID() },
          payload: { amount: { amount: 100, currency: 'EUR' }, reason: 'late' },
        });
        expect(res.statusCode, res.body).toBe(202);
      }
      await waitFor(
        'every refund confirmed',
        async () =>
          (
            await sql<{ n: number }>(
              "SELECT count(*)::int AS n FROM payment_refunds WHERE status = 'succeeded' AND payment_id = ANY($1)",
              [orders.map((order) => order.payment.id)],
            )
          )[0]!.n === orders.length,
      );
      // Every event was delivered twice (and Brigade said so for the second copy).
      await waitFor(
        'the duplicates',
        () =>
          logs.lines().filter((line) => line.msg === 'payment webhook already processed').length >= orders.length * 3,
      );

      for (const order of orders) {
        expect(await operations(order.payment.id, 'authorization')).toBe(1);
        expect(await operations(order.payment.id, 'capture')).toBe(1);
        expect(await operations(order.payment.id, 'refund')).toBe(1);
        expect((await sandboxIntent(t, order.payment.intentId)).capture_count).toBe(1);
        const history = (await orderOf(buyer.token, order.id)).history.filter(
          (entry: { type: string }) => entry.type === 'payment_changed',
        );
        expect(history.map((entry: { reason: string }) => entry.reason)).toEqual([
          'payment_authorized',
          'payment_paid',
        ]);
      }
      await expectInvariantsHold(t);
    } finally {
      await sandboxControl(t, { webhook_mode: 'normal' });
    }
  });

  it('when an old "authorized" event arrives after the capture, then it is acknowledged and changes nothing', async () => {
    const buyer = await customer(t);
    const order = await placeOnline(t, buyer.token, shop);
    await payAtSandbox(t, order.payment);
    await waitForPaymentStatus(t, buyer.token, order.payment.id, 'authorized');
    const authorizedIntent = await sandboxIntent(t, order.payment.intentId);
    await fulfil(t, shop.ownerToken, order.id);
    await waitForPaymentStatus(t, buyer.token, order.payment.id, 'captured');

    const late = await postWebhook(
      sandboxWebhook({
        id: `se_late_${randomUUID()}`,
        type: 'intent.authorized',
        created_at: new Date(Date.now() - 60_000).toISOString(),
        data: { intent: authorizedIntent },
      }),
    );
    expect(late.statusCode, late.body).toBe(200);
    expect(late.json()).toEqual({ received: true, duplicate: false });
    expect(await readPayment(t, buyer.token, order.payment.id)).toMatchObject({
      status: 'captured',
      amount_captured: { amount: order.total },
    });
    expect(await operations(order.payment.id, 'authorization')).toBe(1);
    await expectInvariantsHold(t);
  });
});

describe('forged and stale webhooks', () => {
  it('when a webhook is tampered with, signed with another secret, too old or for an unknown provider, then it is refused and nothing changes', async () => {
    const buyer = await customer(t);
    const order = await placeOnline(t, buyer.token, shop);
    const intent = await sandboxIntent(t, order.payment.intentId);
    const body = {
      id: `se_forged_${randomUUID()}`,
      type: 'intent.authorized',
      created_at: new Date().toISOString(),
      data: { intent: { ...intent, status: 'authorized', amount_authorized: order.total } },
    };

    const good = sandboxWebhook(body);
    const tampered = { ...good, raw: good.raw.replace('"authorized"', '"captured"') };
    const stale = sandboxWebhook(body, new Date(Date.now() - 6 * 60_000));
    const otherSecret = {
      raw: good.raw,
      headers: {
        'content-type': 'application/json',
        ...webhookHeaders('not-the-secret', body.id, new Date(), good.raw),
      },
    };
    for (const bad of [tampered, stale, otherSecret]) {
      const res = await postWebhook(bad);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().code).toBe('WEBHOOK_SIGNATURE_INVALID');
    }
    const unsigned = await t.app.inject({
      method: 'POST',
      url: '/v1/payments/webhooks/sandbox',
      headers: { 'content-type': 'application/json' },
      payload: good.raw,
    });
    expect(unsigned.statusCode).toBe(400);
    expect((await postWebhook(good, '/v1/payments/webhooks/paypal')).statusCode).toBe(404);
    expect(await readPayment(t, buyer.token, order.payment.id)).toMatchObject({ status: 'requires_payment' });
    expect(await sql('SELECT 1 FROM payment_webhook_events WHERE event_id = $1', [body.id])).toEqual([]);

    // The genuine one is applied once; its redelivery is acknowledged as a duplicate.
    expect((await postWebhook(good)).json()).toEqual({ received: true, duplicate: false });
    expect((await postWebhook(good)).json()).toEqual({ received: true, duplicate: true });
    expect((await readPayment(t, buyer.token, order.payment.id)).status).toBe('authorized');
  });
});

describe('refunds under concurrency', () => {
  it('when twelve partial refunds race for one capture, then together they never exceed it, and the processor agrees', async () => {
    const { order } = await capturedOnline(t, shop);

    const share = Math.floor(order.total / 5) + 1; // five of these do not fit; four do
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.app.inject({
          method: 'POST',
          url: `/v1/payments/${order.payment.id}/refunds`,
          headers: { ...bearer(shop.ownerToken), 'idempotency-key': randomUUID() },
          payload: { amount: { amount: share, currency: 'EUR' }, reason: 'race' },
        }),
      ),
    );
    const accepted = answers.filter((res) => res.statusCode === 202);
    const refused = answers.filter((res) => res.statusCode === 422);
    expect(accepted).toHaveLength(4);
    expect(refused).toHaveLength(8);
    for (const res of refused) expect(res.json().code).toBe('REFUND_EXCEEDS_CAPTURE');

    await waitFor(
      'the four refunds at the processor',
      async () => (await sandboxIntent(t, order.payment.intentId)).amount_refunded === share * 4,
    );
    await waitFor(
      'the four refunds confirmed',
      async () =>
        (
          await sql<{ n: number }>(
            "SELECT count(*)::int AS n FROM payment_refunds WHERE payment_id = $1 AND status = 'succeeded'",
            [order.payment.id],
          )
        )[0]!.n === 4,
    );
    const payment = await readPayment(t, shop.ownerToken, order.payment.id);
    expect(payment.amount_refunded.amount).toBe(share * 4);
    expect(payment.amount_refunded.amount).toBeLessThanOrEqual(payment.amount_captured.amount);
    await expectInvariantsHold(t);
  });

  it('when line refunds race for the same line, then no more units are refunded than the line had, and a whole line comes back to the cent', async () => {
    const { order } = await capturedOnline(t, shop, { lines: [margheritaLine(shop.ids, 3)] });

    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.app.inject({
          method: 'POST',
          url: `/v1/payments/${order.payment.id}/refunds`,
          headers: { ...bearer(shop.ownerToken), 'idempotency-key': randomUUID() },
          payload: { lines: [{ line_no: 0, quantity: 1 }], reason: 'one burnt' },
        }),
      ),
    );
    expect(answers.filter((res) => res.statusCode === 202)).toHaveLength(3);
    for (const res of answers.filter((res) => res.statusCode !== 202))
      expect(res.json().code).toBe('REFUND_EXCEEDS_LINE');
    const total = answers
      .filter((res) => res.statusCode === 202)
      .reduce((sum, res) => sum + res.json().amount.amount, 0);
    expect(total).toBe(order.total);
    await waitFor(
      'the refunds at the processor',
      async () => (await sandboxIntent(t, order.payment.intentId)).amount_refunded === order.total,
    );
  });
});

describe('an order that ends while its authorization is in flight', () => {
  async function trackedStock(quantity: number) {
    const res = await t.app.inject({
      method: 'PUT',
      url: `/v1/stores/${shop.store.id}/stock/${shop.ids.items.margherita}`,
      headers: bearer(shop.ownerToken),
      payload: { quantity },
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  const stockLeft = async () =>
    (
      await sql<{ quantity: number }>('SELECT quantity FROM stock_levels WHERE store_id = $1 AND item_id = $2', [
        shop.store.id,
        shop.ids.items.margherita,
      ])
    )[0]?.quantity;

  it('when the customer cancels while the processor is still deciding, then stock and slot come back at once and the late authorization ends voided', async () => {
    await trackedStock(10);
    try {
      const buyer = await customer(t);
      const order = await placeOnline(t, buyer.token, shop);
      expect(await stockLeft()).toBe(9);
      await payAtSandbox(t, order.payment, CARDS.slow);
      await act(t, buyer.token, order.id, 'cancel');
      expect(await stockLeft()).toBe(10);

      // The processor authorizes after its delay; Brigade gives the money straight back.
      await waitFor(
        'the late authorization to be voided',
        async () => (await sandboxIntent(t, order.payment.intentId)).status === 'voided',
        20_000,
      );
      const payment = await waitForPaymentStatus(t, buyer.token, order.payment.id, 'voided');
      expect(payment.amount_captured.amount).toBe(0);
      expect(await orderOf(buyer.token, order.id)).toMatchObject({
        status: 'cancelled',
        payment: { status: 'voided' },
      });
      await expectInvariantsHold(t);
    } finally {
      await trackedStock(1000);
    }
  });

  it('when an unpaid order expires while its authorization is in flight, then it ends expired and voided, holding nothing', async () => {
    const buyer = await customer(t);
    const order = await placeOnline(t, buyer.token, shop);
    await payAtSandbox(t, order.payment, CARDS.slow);
    offsetMs += 16 * 60_000;
    expect(await t.modules.ordering.api.expireUnpaidOrders()).toBeGreaterThanOrEqual(1);
    expect((await orderOf(buyer.token, order.id)).status).toBe('expired');
    await waitFor(
      'the late authorization to be voided',
      async () => (await sandboxIntent(t, order.payment.intentId)).status === 'voided',
      20_000,
    );
    await waitForPaymentStatus(t, buyer.token, order.payment.id, 'voided');
    await expectInvariantsHold(t);
  });
});

describe('reconciliation', () => {
  it('when the authorization webhook never arrives, then reconciliation finds the payment authorized at the processor and records it', async () => {
    const buyer = await customer(t);
    const order = await placeOnline(t, buyer.token, shop);
    // The processor's webhooks go nowhere from now on.
    t.sandbox!.setWebhookUrl('http://127.0.0.1:9/unreachable');
    try {
      await payAtSandbox(t, order.payment);
      await waitFor(
        'the processor to authorize',
        async () => (await sandboxIntent(t, order.payment.intentId)).status === 'authorized',
      );
      expect((await readPayment(t, buyer.token, order.payment.id)).status).toBe('requires_payment');

      // Not yet old enough to be looked at; a minute later it is.
      const early = await t.modules.payments.api.reconcile();
      expect(early.discrepancies.authorization_unrecorded ?? 0).toBe(0);
      offsetMs += 61_000;
      const report = await t.modules.payments.api.reconcile();
      expect(report.discrepancies.authorization_unrecorded).toBeGreaterThanOrEqual(1);
      expect(await readPayment(t, buyer.token, order.payment.id)).toMatchObject({
        status: 'authorized',
        amount_authorized: { amount: order.total },
      });
      expect((await orderOf(buyer.token, order.id)).payment.status).toBe('authorized');
    } finally {
      t.sandbox!.setWebhookUrl(t.config.payments.sandbox.webhookUrl);
    }
  });
});
