// Test helpers for payments (with orderingStore's shop), all through real HTTP: placing an online order on the app, paying it
// at the sandbox processor as a customer's browser would (the intent id is the client secret's
// prefix, as with Stripe), moving the order along as the store, steering the processor.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from './harness.js';
import { bearer, customer } from './identity-factories.js';
import { margheritaLine, orderingStore } from './ordering-factories.js';
import { waitFor } from './wait.js';

export const CARDS = {
  ok: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  slow: '4000000000000077',
  flaky: '4000000000000119',
} as const;

export interface PlacedOnline {
  id: string;
  number: string;
  total: number;
  payment: { id: string; clientSecret: string; intentId: string };
}

export interface PaymentView {
  id: string;
  status: string;
  amount: { amount: number };
  amount_authorized: { amount: number };
  amount_captured: { amount: number };
  amount_refunded: { amount: number };
  last_failure_code: string | null;
}

export async function placeOnline(
  t: TestApp,
  token: string,
  shop: Awaited<ReturnType<typeof orderingStore>>,
  body: Record<string, unknown> = {},
): Promise<PlacedOnline> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/stores/${shop.store.id}/orders`,
    headers: { ...bearer(token), 'idempotency-key': randomUUID() },
    payload: { channel: 'pickup', lines: [margheritaLine(shop.ids)], payment: { method: 'online' }, ...body },
  });
  expect(res.statusCode, res.body).toBe(201);
  const order = res.json();
  const checkout = order.payment.checkout as { payment_id: string; client_secret: string };
  return {
    id: order.id,
    number: order.number,
    total: order.totals.total.amount,
    payment: {
      id: checkout.payment_id,
      clientSecret: checkout.client_secret,
      intentId: checkout.client_secret.split('_secret_')[0]!,
    },
  };
}

/** The customer pays at the sandbox: what the checkout page posts. */
export async function payAtSandbox(t: TestApp, payment: PlacedOnline['payment'], card: string = CARDS.ok) {
  return fetch(`${t.url}/sandbox/v1/intents/${payment.intentId}/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_secret: payment.clientSecret, card_number: card }),
  });
}

export async function readPayment(t: TestApp, token: string, paymentId: string): Promise<PaymentView> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/payments/${paymentId}`, headers: bearer(token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export async function waitForPaymentStatus(
  t: TestApp,
  token: string,
  paymentId: string,
  status: string,
  timeoutMs = 20_000,
): Promise<PaymentView> {
  return waitFor(
    `payment ${paymentId} to be ${status}`,
    async () => {
      const payment = await readPayment(t, token, paymentId);
      return payment.status === status ? payment : undefined;
    },
    timeoutMs,
    50,
  );
}

export async function act(
  t: TestApp,
  token: string,
  orderId: string,
  action: string,
  body: Record<string, unknown> = {},
) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/orders/${orderId}/transitions`,
    headers: bearer(token),
    payload: { action, ...body },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** accept → start_preparing → mark_ready → hand_over (a pickup order). */
export async function fulfil(t: TestApp, token: string, orderId: string) {
  for (const action of ['accept', 'start_preparing', 'mark_ready', 'hand_over']) await act(t, token, orderId, action);
}

/** A new customer's online pickup order, paid with a good card, handed over by the store and captured. */
export async function capturedOnline(
  t: TestApp,
  shop: Awaited<ReturnType<typeof orderingStore>>,
  body: Record<string, unknown> = {},
) {
  const buyer = await customer(t);
  const order = await placeOnline(t, buyer.token, shop, body);
  await payAtSandbox(t, order.payment);
  await waitForPaymentStatus(t, buyer.token, order.payment.id, 'authorized');
  await fulfil(t, shop.ownerToken, order.id);
  await waitForPaymentStatus(t, buyer.token, order.payment.id, 'captured');
  return { buyer, order };
}

export async function sandboxControl(
  t: TestApp,
  settings: { outage?: boolean; webhook_mode?: 'normal' | 'duplicate_shuffled' },
) {
  const res = await fetch(`${t.url}/sandbox/control`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.config.payments.sandbox.secretKey}` },
    body: JSON.stringify(settings),
  });
  expect(res.status).toBe(200);
}

/** The processor's own view of an intent (its capture count is what "exactly one capture" is measured by). */
export async function sandboxIntent(
  t: TestApp,
  intentId: string,
): Promise<{ status: string; capture_count: number; amount_captured: number; amount_refunded: number }> {
  const res = await fetch(`${t.url}/sandbox/v1/intents/${intentId}`, {
    headers: { authorization: `Bearer ${t.config.payments.sandbox.secretKey}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    status: string;
    capture_count: number;
    amount_captured: number;
    amount_refunded: number;
  };
}

export async function expectInvariantsHold(t: TestApp) {
  const report = await t.modules.payments.api.checkInvariants({ graceSeconds: 0 });
  expect(report.violations).toEqual([]);
  expect(report.ok).toBe(true);
}
