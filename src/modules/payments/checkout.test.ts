// The checkout saga end to end on the real app with the sandbox processor and a worker (pg-boss
// jobs, outbox relay): pay, authorize by webhook or confirm call, capture at completion, refund,
// decline, cancel before and after paying, cash. The invariant checker runs after each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore } from '../../test-support/ordering-factories.js';
import {
  act,
  CARDS,
  expectInvariantsHold,
  fulfil,
  payAtSandbox,
  placeOnline,
  readPayment,
  sandboxIntent,
  waitForPaymentStatus,
} from '../../test-support/payments-factories.js';
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

const orderOf = async (token: string, orderId: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/orders/${orderId}`, headers: bearer(token) })).json();

describe('paying online with the sandbox', () => {
  it('when the customer pays with a good card, then the webhook authorizes it, the order waits for the store, completion captures it once, and a refunded line comes back', async () => {
    const buyer = await customer(t);
    const order = await placeOnline(t, buyer.token, shop);
    expect(await orderOf(buyer.token, order.id)).toMatchObject({
      status: 'placed',
      payment: { method: 'online', status: 'awaiting' },
    });

    expect((await payAtSandbox(t, order.payment)).status).toBe(200);
    const authorized = await waitForPaymentStatus(t, buyer.token, order.payment.id, 'authorized');
    expect(authorized.amount_authorized.amount).toBe(order.total);
    expect(await orderOf(buyer.token, order.id)).toMatchObject({
      status: 'placed',
      payment: { status: 'authorized' },
      expires_at: null,
    });

    await fulfil(t, shop.ownerToken, order.id);
    const captured = await waitForPaymentStatus(t, buyer.token, order.payment.id, 'captured');
    expect(captured.amount_captured.amount).toBe(order.total);
    expect(await sandboxIntent(t, order.payment.intentId)).toMatchObject({
      status: 'captured',
      capture_count: 1,
      amount_captured: order.total,
    });
    await waitFor(
      'the order to show it paid',
      async () => (await orderOf(buyer.token, order.id)).payment.status === 'paid',
    );

    const refund = await t.app.inject({
      method: 'POST',
      url: `/v1/payments/${order.payment.id}/refunds`,
      headers: { ...bearer(shop.ownerToken), 'idempotency-key': `refund-${order.id}` },
      payload: { lines: [{ line_no: 0, quantity: 1 }], reason: 'cold pizza' },
    });
    expect(refund.statusCode, refund.body).toBe(202);
    expect(refund.json()).toMatchObject({ status: 'pending', amount: { amount: order.total }, reason: 'cold pizza' });
    await waitFor('the refund to succeed', async () => {
      const list = (
        await t.app.inject({
          method: 'GET',
          url: `/v1/payments/${order.payment.id}/refunds`,
          headers: bearer(shop.ownerToken),
        })
      ).json();
      return list.data[0]?.status === 'succeeded';
    });
    expect((await sandboxIntent(t, order.payment.intentId)).amount_refunded).toBe(order.total);
    await waitFor(
      'the order to show it refunded',
      async () => (await orderOf(buyer.token, order.id)).payment.status === 'refunded',
    );
    await expectInvariantsHold(t);
  });

  it('when the process died after a refund committed and before its answer was stored, then the retry with the same key gets that refund, not a second one', async () => {
    const buyer = await customer(t);
    const order = await placeOnline(t, buyer.token, shop);
    await payAtSandbox(t, order.payment);
    await waitForPaymentStatus(t, buyer.token, order.payment.id, 'authorized');
    await fulfil(t, shop.ownerToken, order.id);
    await waitForPaymentStatus(t, buyer.token, order.payment.id, 'captured');

    const key = `refund-${order.id}`;
    const refund = () =>
      t.app.inject({
        method: 'POST',
        url: `/v1/payments/${order.payment.id}/refunds`,
        headers: { ...bearer(shop.ownerToken), 'idempotency-key': key },
        payload: { amount: { amount: 100, currency: 'EUR' }, reason: 'late' },
      });
    const first = await refund();
    expect(first.statusCode, first.body).toBe(202);
    // What a process that died between the commit and storing its answer leaves: a claim, past
    // the claim timeout, with no response — and the recovery point its transaction committed.
    await t.db.database.pool.query(
      `UPDATE idempotency_keys SET completed_at = NULL, response_status = NULL, response_headers = NULL,
         response_body = NULL, claimed_at = now() - interval '1 hour' WHERE key = $1`,
      [key],
    );
    const retried = await refund();
    expect(retried.statusCode, retried.body).toBe(202);
    expect(retried.json().id).toBe(first.json().id);
    const { rows } = await t.db.database.pool.query('SELECT id FROM payment_refunds WHERE payment_id = $1', [
      order.payment.id,
    ]);
    expect(rows).toEqual([{ id: first.json().id }]);
  });

  it('when the customer confirms before the webhook arrives, then the confirm call records the authorization and the late webhook changes nothing', async () => {
    const buyer = await customer(t);
    const order = await placeOnline(t, buyer.token, shop);
    await payAtSandbox(t, order.payment);
    const confirmed = await waitFor('the confirm call to see it authorized', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/payments/${order.payment.id}/confirmation`,
        headers: bearer(buyer.token),
      });
      expect(res.statusCode, res.body).toBe(200);
      const payment = res.json<{ status: string; checkout: unknown }>();
      return payment.status === 'authorized' ? payment : undefined;
    });
    expect(confirmed.checkout).toBeNull();
    const history = async () =>
      (await orderOf(buyer.token, order.id)).history.filter(
        (entry: { type: string }) => entry.type === 'payment_changed',
      );
    expect(await history()).toHaveLength(1);
    // The webhook for the same authorization lands too (or already did): still one record.
    await waitFor(
      'the webhook to be processed',
      async () =>
        (
          await t.db.database.pool.query('SELECT 1 FROM payment_webhook_events WHERE payment_id = $1', [
            order.payment.id,
          ])
        ).rowCount! > 0,
    );
    expect(await history()).toHaveLength(1);
    expect(
      (
        await t.db.database.pool.query(
          "SELECT count(*)::int AS n FROM payment_operations WHERE payment_id = $1 AND kind = 'authorization'",
          [order.payment.id],
        )
      ).rows[0].n,
    ).toBe(1);
  });

  it('when the card is declined, then the payment waits again with the decline code, and another card can still pay it', async () => {
    const buyer = await customer(t);
    const order = await placeOnline(t, buyer.token, shop);
    await payAtSandbox(t, order.payment, CARDS.declined);
    const declined = await waitFor('the decline', async () => {
      const payment = await readPayment(t, buyer.token, order.payment.id);
      return payment.last_failure_code === 'card_declined' && payment.status === 'requires_payment'
        ? payment
        : undefined;
    });
    expect(declined.amount_authorized.amount).toBe(0);
    await payAtSandbox(t, order.payment, CARDS.ok);
    await waitForPaymentStatus(t, buyer.token, order.payment.id, 'authorized');
  });

  it('when the store rejects an authorized order, then the authorization is voided at the processor and the order holds nothing', async () => {
    const buyer = await customer(t);
    const order = await placeOnline(t, buyer.token, shop);
    await payAtSandbox(t, order.payment);
    await waitForPaymentStatus(t, buyer.token, order.payment.id, 'authorized');
    await act(t, shop.ownerToken, order.id, 'reject', { reason: 'oven broken' });
    await waitForPaymentStatus(t, buyer.token, order.payment.id, 'voided');
    expect((await sandboxIntent(t, order.payment.intentId)).status).toBe('voided');
    await waitFor(
      'the order to show it voided',
      async () => (await orderOf(buyer.token, order.id)).payment.status === 'voided',
    );
    await expectInvariantsHold(t);
  });

  it('when the store captures at acceptance and then cancels, then the capture is refunded in full', async () => {
    const own = await orderingStore(t);
    const settings = await t.app.inject({
      method: 'PATCH',
      url: `/v1/stores/${own.store.id}/payment-settings`,
      headers: bearer(own.ownerToken),
      payload: { capture_on: 'acceptance' },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    const buyer = await customer(t);
    const order = await placeOnline(t, buyer.token, own);
    await payAtSandbox(t, order.payment);
    await waitForPaymentStatus(t, buyer.token, order.payment.id, 'authorized');
    await act(t, own.ownerToken, order.id, 'accept');
    await waitForPaymentStatus(t, buyer.token, order.payment.id, 'captured');
    await act(t, own.ownerToken, order.id, 'start_preparing');
    await act(t, own.ownerToken, order.id, 'cancel', { reason: 'ran out of dough' });
    await waitFor(
      'the automatic refund',
      async () =>
        (await readPayment(t, buyer.token, order.payment.id)).amount_refunded.amount === order.total &&
        (await sandboxIntent(t, order.payment.intentId)).amount_refunded === order.total,
    );
    await waitFor(
      'the refund to be confirmed',
      async () => (await t.modules.payments.api.checkInvariants({ graceSeconds: 0 })).ok,
    );
  });

  it('when a cash order is completed, then its payment is captured at the counter; a cancelled cash order is voided', async () => {
    const buyer = await customer(t);
    const place = async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/stores/${shop.store.id}/orders`,
        headers: { ...bearer(buyer.token), 'idempotency-key': crypto.randomUUID() },
        payload: { channel: 'pickup', lines: [margheritaLine(shop.ids)] },
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().payment).toEqual({ method: 'cash', status: 'not_required' });
      return res.json();
    };
    const paid = await place();
    const cancelled = await place();
    await fulfil(t, shop.ownerToken, paid.id);
    await act(t, buyer.token, cancelled.id, 'cancel');
    const paymentOf = async (orderId: string) =>
      (
        await t.app.inject({ method: 'GET', url: `/v1/orders/${orderId}/payment`, headers: bearer(shop.ownerToken) })
      ).json();
    await waitFor('the cash capture', async () => (await paymentOf(paid.id)).status === 'captured');
    expect((await paymentOf(paid.id)).amount_captured.amount).toBe(paid.totals.total.amount);
    await waitFor('the cash void', async () => (await paymentOf(cancelled.id)).status === 'voided');
    await expectInvariantsHold(t);
  });
});
