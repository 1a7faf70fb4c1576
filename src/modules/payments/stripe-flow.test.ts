// The Stripe provider end to end THROUGH Brigade, against a local server speaking Stripe's
// documented shapes (this machine cannot reach Stripe): an owner's keys sealed at rest, a store
// switched to Stripe, an online order whose intent is created with manual capture, the customer's
// payment arriving as a signed webhook (once, however often it is delivered, and only for the
// organization whose endpoint it reached), capture on completion, a partial refund, a void on
// cancellation, and a late event that changes nothing. Real HTTP, real PostgreSQL, a real worker.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeStripe, type FakeStripe, type FakeStripeRequest } from '../../test-support/fake-stripe.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer, staffOf } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import {
  act,
  expectInvariantsHold,
  fulfil,
  readPayment,
  waitForPaymentStatus,
  type PaymentView,
} from '../../test-support/payments-factories.js';
import { waitFor } from '../../test-support/wait.js';

// The fake accepts one API key; every organization that calls it uses it. Webhook secrets are per endpoint.
const SECRET_KEY = 'sk_test_51BrigadeFlowSecretKeyabcd';
const WEBHOOK_SECRET = 'whsec_BrigadeFlowSigningSecret1';
const AUTHORIZED = 'payment_intent.amount_capturable_updated';

type Shop = Awaited<ReturnType<typeof orderingStore>>;
type SignedEvent = ReturnType<FakeStripe['signedEvent']>;

let fake: FakeStripe;
let t: TestApp;

beforeAll(async () => {
  fake = await startFakeStripe({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
  t = await createTestApp({ STRIPE_API_URL: fake.url, PAYMENTS_SANDBOX: 'off' });
  await t.startWorker();
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

const credentialsUrl = (organizationId: string) => `/v1/organizations/${organizationId}/payment-providers/stripe`;

async function saveKeys(
  shop: Shop,
  keys: { secret_key: string; webhook_secret: string } = { secret_key: SECRET_KEY, webhook_secret: WEBHOOK_SECRET },
) {
  return t.app.inject({
    method: 'PUT',
    url: credentialsUrl(shop.organization.id),
    headers: bearer(shop.ownerToken),
    payload: keys,
  });
}

async function chooseStripe(shop: Shop, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'PATCH',
    url: `/v1/stores/${shop.store.id}/payment-settings`,
    headers: { ...bearer(shop.ownerToken), ...headers },
    payload: { provider: 'stripe' },
  });
}

/** A store of a new organization whose owner saved Stripe keys and switched the store to Stripe. */
async function stripeStore(keys?: { secret_key: string; webhook_secret: string }): Promise<Shop> {
  const shop = await orderingStore(t);
  const saved = await saveKeys(shop, keys);
  expect(saved.statusCode, saved.body).toBe(200);
  const chosen = await chooseStripe(shop);
  expect(chosen.statusCode, chosen.body).toBe(200);
  return shop;
}

interface StripeOrder {
  id: string;
  total: number;
  currency: string;
  paymentId: string;
  intentId: string;
  /** The order's 201 body. */
  body: {
    payment: {
      method: string;
      status: string;
      checkout: { payment_id: string; provider: string; client_secret: string; checkout_url: string | null };
    };
  };
}

async function placeStripeOrder(token: string, shop: Shop): Promise<StripeOrder> {
  const res = await placeOrder(t, token, shop.store.id, {
    channel: 'pickup',
    lines: [margheritaLine(shop.ids)],
    payment: { method: 'online' },
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json();
  const checkout = body.payment.checkout as StripeOrder['body']['payment']['checkout'];
  return {
    id: body.id,
    total: body.totals.total.amount,
    currency: body.totals.total.currency,
    paymentId: checkout.payment_id,
    intentId: checkout.client_secret.split('_secret_')[0]!,
    body,
  };
}

/** Stripe delivering a webhook to the endpoint Brigade gave the organization (`account` omitted: a bare endpoint URL). */
async function deliver(event: SignedEvent, account: string | undefined) {
  const url =
    account === undefined ? '/v1/payments/webhooks/stripe' : `/v1/payments/webhooks/stripe?account=${account}`;
  return t.app.inject({ method: 'POST', url, headers: event.headers, payload: event.body });
}

const eventId = (event: SignedEvent) => (JSON.parse(event.body) as { id: string }).id;

/** What Brigade asked the fake Stripe, filtered by method and path. */
const calls = (method: string, path: string): FakeStripeRequest[] =>
  fake.requests.filter((request) => request.method === method && request.path === path);

async function paymentRow(paymentId: string) {
  const { rows } = await t.db.database.pool.query<{
    status: string;
    amount_authorized: string;
    amount_captured: string;
    updated_at: Date;
    version: number;
  }>('SELECT status, amount_authorized, amount_captured, updated_at, version FROM payments WHERE id = $1', [paymentId]);
  return rows[0];
}

async function webhookEventRows(id: string) {
  return (
    await t.db.database.pool.query<{ event_id: string; payment_id: string | null }>(
      'SELECT event_id, payment_id FROM payment_webhook_events WHERE provider = $1 AND event_id = $2',
      ['stripe', id],
    )
  ).rows;
}

/** The customer pays at Stripe and Stripe's webhook reaches Brigade: the payment is authorized. */
async function payAndNotify(
  buyerToken: string,
  shop: Shop,
  order: StripeOrder,
): Promise<{ authorizedSnapshot: Record<string, unknown>; payment: PaymentView }> {
  fake.authorize(order.intentId);
  const authorizedSnapshot = fake.snapshot(order.intentId);
  const res = await deliver(fake.signedEvent(AUTHORIZED, authorizedSnapshot), shop.organization.id);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json()).toEqual({ received: true, duplicate: false });
  const payment = await readPayment(t, buyerToken, order.paymentId);
  expect(payment.status).toBe('authorized');
  return { authorizedSnapshot, payment };
}

describe('Stripe credentials of an organization', () => {
  it('when the owner saves Stripe keys, then only a hint and the webhook URL come back, the keys are sealed at rest, never shown again, and can be deleted', async () => {
    const shop = await orderingStore(t);
    const orgId = shop.organization.id;

    const saved = await saveKeys(shop);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toEqual({
      organization_id: orgId,
      provider: 'stripe',
      key_hint: 'sk_test_…abcd',
      webhook_url: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(saved.json().webhook_url.endsWith(`/v1/payments/webhooks/stripe?account=${orgId}`)).toBe(true);
    expect(saved.body).not.toContain(SECRET_KEY);
    expect(saved.body).not.toContain(WEBHOOK_SECRET);

    const read = await t.app.inject({ method: 'GET', url: credentialsUrl(orgId), headers: bearer(shop.ownerToken) });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toMatchObject({
      organization_id: orgId,
      key_hint: 'sk_test_…abcd',
      webhook_url: saved.json().webhook_url,
    });
    expect(read.body).not.toContain(SECRET_KEY);
    expect(read.body).not.toContain(WEBHOOK_SECRET);

    // At rest: neither secret's bytes (nor their hex, as the column prints) are in the row.
    const { rows } = await t.db.database.pool.query<{ sealed_credentials: Buffer; key_hint: string; row_text: string }>(
      'SELECT sealed_credentials, key_hint, a::text AS row_text FROM payment_provider_accounts a WHERE organization_id = $1',
      [orgId],
    );
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.key_hint).toBe('sk_test_…abcd');
    expect(row.sealed_credentials.length).toBeGreaterThan(SECRET_KEY.length);
    for (const secret of [
      SECRET_KEY,
      WEBHOOK_SECRET,
      SECRET_KEY.slice('sk_test_'.length),
      WEBHOOK_SECRET.slice('whsec_'.length),
    ]) {
      expect(row.sealed_credentials.includes(Buffer.from(secret, 'utf8'))).toBe(false);
      expect(row.row_text).not.toContain(secret);
      expect(row.row_text).not.toContain(Buffer.from(secret, 'utf8').toString('hex'));
    }

    const deleted = await t.app.inject({
      method: 'DELETE',
      url: credentialsUrl(orgId),
      headers: bearer(shop.ownerToken),
    });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect(
      (await t.app.inject({ method: 'GET', url: credentialsUrl(orgId), headers: bearer(shop.ownerToken) })).statusCode,
    ).toBe(404);
    expect(
      (await t.db.database.pool.query('SELECT 1 FROM payment_provider_accounts WHERE organization_id = $1', [orgId]))
        .rowCount,
    ).toBe(0);
    expect(
      (await t.app.inject({ method: 'DELETE', url: credentialsUrl(orgId), headers: bearer(shop.ownerToken) }))
        .statusCode,
    ).toBe(404);
    // Without keys the store can no longer choose Stripe.
    expect((await chooseStripe(shop)).json()).toMatchObject({ status: 422, code: 'PROVIDER_NOT_CONFIGURED' });
  });

  it('when a manager or staff member of the organization manages its Stripe keys, then 403; when another organization’s owner does, then 404', async () => {
    const shop = await orderingStore(t);
    const orgId = shop.organization.id;
    expect((await saveKeys(shop)).statusCode).toBe(200);
    const manager = await staffOf(t, { organizationId: orgId, role: 'manager' });
    const staff = await staffOf(t, { organizationId: orgId, storeId: shop.store.id, role: 'staff' });
    const stranger = await orderingStore(t);
    const attempts = (token: string) => [
      t.app.inject({
        method: 'PUT',
        url: credentialsUrl(orgId),
        headers: bearer(token),
        payload: { secret_key: 'sk_test_AttackerKey1234', webhook_secret: 'whsec_AttackerSecret1' },
      }),
      t.app.inject({ method: 'GET', url: credentialsUrl(orgId), headers: bearer(token) }),
      t.app.inject({ method: 'DELETE', url: credentialsUrl(orgId), headers: bearer(token) }),
    ];
    for (const res of await Promise.all([...attempts(manager.token), ...attempts(staff.token)])) {
      expect(res.statusCode, res.body).toBe(403);
      expect(res.body).not.toContain(SECRET_KEY);
    }
    for (const res of await Promise.all(attempts(stranger.ownerToken))) {
      expect(res.statusCode, res.body).toBe(404);
      expect(res.body).not.toContain(SECRET_KEY);
    }
    // Still the owner's keys, untouched.
    const read = await t.app.inject({ method: 'GET', url: credentialsUrl(orgId), headers: bearer(shop.ownerToken) });
    expect(read.json()).toMatchObject({ key_hint: 'sk_test_…abcd' });
  });
});

describe('a store’s payment settings with Stripe', () => {
  it('when the organization has no Stripe keys, then the store cannot choose Stripe, and (the sandbox off) an online order is refused before anything is written; once the keys are saved it can, and a stale If-Match is refused', async () => {
    const shop = await orderingStore(t);
    const refused = await chooseStripe(shop);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'PROVIDER_NOT_CONFIGURED' });

    const buyer = await customer(t);
    const key = randomUUID();
    const requestsBefore = fake.requests.length;
    const order = await placeOrder(
      t,
      buyer.token,
      shop.store.id,
      { channel: 'pickup', lines: [margheritaLine(shop.ids)], payment: { method: 'online' } },
      key,
    );
    expect(order.statusCode, order.body).toBe(422);
    expect(order.json()).toMatchObject({ code: 'ONLINE_PAYMENT_UNAVAILABLE' });
    const count = async (sql: string, params: unknown[]) =>
      (await t.db.database.pool.query<{ n: number }>(sql, params)).rows[0]!.n;
    expect(await count('SELECT count(*)::int AS n FROM orders WHERE idempotency_key = $1', [key])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM orders WHERE store_id = $1', [shop.store.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM payments WHERE store_id = $1', [shop.store.id])).toBe(0);
    expect(fake.requests.length).toBe(requestsBefore);

    expect((await saveKeys(shop)).statusCode).toBe(200);
    const before = await t.app.inject({
      method: 'GET',
      url: `/v1/stores/${shop.store.id}/payment-settings`,
      headers: bearer(shop.ownerToken),
    });
    expect(before.json()).toMatchObject({ provider: null, version: 0 });
    const staleEtag = before.headers.etag as string;
    const chosen = await chooseStripe(shop, { 'if-match': staleEtag });
    expect(chosen.statusCode, chosen.body).toBe(200);
    expect(chosen.json()).toMatchObject({
      store_id: shop.store.id,
      provider: 'stripe',
      capture_on: 'completion',
      version: 1,
    });
    expect(chosen.headers.etag).not.toBe(staleEtag);

    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/v1/stores/${shop.store.id}/payment-settings`,
      headers: { ...bearer(shop.ownerToken), 'if-match': staleEtag },
      payload: { provider: null },
    });
    expect(stale.statusCode, stale.body).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'PRECONDITION_FAILED' });
    const after = await t.app.inject({
      method: 'GET',
      url: `/v1/stores/${shop.store.id}/payment-settings`,
      headers: bearer(shop.ownerToken),
    });
    expect(after.json()).toMatchObject({ provider: 'stripe', version: 1 });
    expect(after.headers.etag).toBe(chosen.headers.etag);

    // Now the same customer can pay online, through Stripe.
    const placed = await placeStripeOrder(buyer.token, shop);
    expect(placed.body.payment.checkout.provider).toBe('stripe');
  });
});

describe('paying with Stripe through Brigade', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await stripeStore();
  });

  it('when a customer pays an online order, then Stripe’s webhook authorizes it once, completion captures it at Stripe once, and a partial refund comes back through Stripe', async () => {
    const buyer = await customer(t);
    const order = await placeStripeOrder(buyer.token, shop);
    expect(order.body.payment).toMatchObject({
      method: 'online',
      status: 'awaiting',
      checkout: { payment_id: order.paymentId, provider: 'stripe', checkout_url: null },
    });
    expect(order.total).toBeGreaterThan(300);

    // The intent Brigade created at Stripe: manual capture, for the order's total, keyed by the payment.
    const intent = fake.snapshot(order.intentId);
    expect(order.body.payment.checkout.client_secret).toBe(intent.client_secret);
    expect(intent).toMatchObject({
      amount: order.total,
      currency: order.currency.toLowerCase(),
      capture_method: 'manual',
      status: 'requires_payment_method',
      metadata: { payment_id: order.paymentId, order_id: order.id },
    });
    const created = calls('POST', '/v1/payment_intents').filter(
      (request) => request.idempotencyKey === `intent:${order.paymentId}`,
    );
    expect(created).toHaveLength(1);
    expect(created[0]!.form).toMatchObject({
      amount: String(order.total),
      capture_method: 'manual',
      metadata: { payment_id: order.paymentId },
    });
    expect((await readPayment(t, buyer.token, order.paymentId)).status).toBe('requires_payment');

    // The customer pays; Stripe tells Brigade, twice (Stripe delivers at least once).
    fake.authorize(order.intentId);
    const event = fake.signedEvent(AUTHORIZED, fake.snapshot(order.intentId));
    expect(event.headers['content-type']).toBe('application/json');
    const first = await deliver(event, shop.organization.id);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ received: true, duplicate: false });
    const again = await deliver(event, shop.organization.id);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual({ received: true, duplicate: true });
    const authorized = await readPayment(t, buyer.token, order.paymentId);
    expect(authorized).toMatchObject({
      status: 'authorized',
      provider: 'stripe',
      amount_authorized: { amount: order.total },
      amount_captured: { amount: 0 },
    });
    const operations = async (kind: string) =>
      (
        await t.db.database.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM payment_operations WHERE payment_id = $1 AND kind = $2',
          [order.paymentId, kind],
        )
      ).rows[0]!.n;
    expect(await operations('authorization')).toBe(1);

    // The store walks the order; completion captures at Stripe, once, with the step's key.
    await fulfil(t, shop.ownerToken, order.id);
    const captured = await waitForPaymentStatus(t, buyer.token, order.paymentId, 'captured');
    expect(captured.amount_captured.amount).toBe(order.total);
    const captures = calls('POST', `/v1/payment_intents/${order.intentId}/capture`);
    expect(captures.length).toBeGreaterThanOrEqual(1);
    expect(new Set(captures.map((request) => request.idempotencyKey))).toEqual(new Set([`capture:${order.paymentId}`]));
    expect(captures[0]!.form).toMatchObject({ amount_to_capture: String(order.total) });
    expect(fake.snapshot(order.intentId)).toMatchObject({
      status: 'succeeded',
      amount_received: order.total,
      amount_capturable: 0,
    });
    expect(await operations('capture')).toBe(1);
    await waitFor(
      'the order to show it paid',
      async () =>
        (await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: bearer(buyer.token) })).json()
          .payment.status === 'paid',
    );

    // A partial refund by amount: 202 pending, then Stripe confirms it.
    const refundKey = randomUUID();
    const refund = await t.app.inject({
      method: 'POST',
      url: `/v1/payments/${order.paymentId}/refunds`,
      headers: { ...bearer(shop.ownerToken), 'idempotency-key': refundKey },
      payload: { amount: { amount: 300, currency: order.currency }, reason: 'cold pizza' },
    });
    expect(refund.statusCode, refund.body).toBe(202);
    const refundId = refund.json().id as string;
    expect(refund.json()).toMatchObject({
      status: 'pending',
      amount: { amount: 300, currency: order.currency },
      reason: 'cold pizza',
      lines: [],
    });
    await waitFor('the refund to succeed', async () => {
      const list = (
        await t.app.inject({
          method: 'GET',
          url: `/v1/payments/${order.paymentId}/refunds`,
          headers: bearer(shop.ownerToken),
        })
      ).json();
      return list.data.find((item: { id: string; status: string }) => item.id === refundId)?.status === 'succeeded';
    });
    const refunds = calls('POST', '/v1/refunds').filter((request) => request.form.payment_intent === order.intentId);
    expect(refunds.length).toBeGreaterThanOrEqual(1);
    expect(new Set(refunds.map((request) => request.idempotencyKey))).toEqual(new Set([`refund:${refundId}`]));
    expect(refunds[0]!.form).toMatchObject({ amount: '300', metadata: { refund_id: refundId, reason: 'cold pizza' } });
    expect(fake.snapshot(String(fake.snapshot(order.intentId).latest_charge))).toMatchObject({
      amount_refunded: 300,
      refunded: false,
    });
    expect(await readPayment(t, shop.ownerToken, order.paymentId)).toMatchObject({
      status: 'captured',
      amount_captured: { amount: order.total },
      amount_refunded: { amount: 300 },
    });
    expect(await operations('refund')).toBe(1);

    // Replaying the refund request with its key gives the same refund, not a second one.
    const replay = await t.app.inject({
      method: 'POST',
      url: `/v1/payments/${order.paymentId}/refunds`,
      headers: { ...bearer(shop.ownerToken), 'idempotency-key': refundKey },
      payload: { amount: { amount: 300, currency: order.currency }, reason: 'cold pizza' },
    });
    expect(replay.statusCode).toBe(202);
    expect(replay.json().id).toBe(refundId);

    const report = await t.modules.payments.api.checkInvariants({ graceSeconds: 0 });
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('when an "authorized" event arrives after the payment was captured, then it is acknowledged and changes nothing', async () => {
    const buyer = await customer(t);
    const order = await placeStripeOrder(buyer.token, shop);
    const { authorizedSnapshot } = await payAndNotify(buyer.token, shop, order);
    await fulfil(t, shop.ownerToken, order.id);
    await waitForPaymentStatus(t, buyer.token, order.paymentId, 'captured');
    const before = await paymentRow(order.paymentId);

    // A new event (its own id) carrying the intent as it was when it was authorized.
    const late = fake.signedEvent(AUTHORIZED, authorizedSnapshot);
    const res = await deliver(late, shop.organization.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ received: true, duplicate: false });

    expect(await paymentRow(order.paymentId)).toEqual(before);
    expect(await readPayment(t, buyer.token, order.paymentId)).toMatchObject({
      status: 'captured',
      amount_captured: { amount: order.total },
    });
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: bearer(buyer.token) })).json()
        .payment.status,
    ).toBe('paid');
    expect(
      calls('POST', `/v1/payment_intents/${order.intentId}/capture`).every(
        (request) => request.idempotencyKey === `capture:${order.paymentId}`,
      ),
    ).toBe(true);
    expect(fake.snapshot(order.intentId)).toMatchObject({ status: 'succeeded', amount_received: order.total });
    await expectInvariantsHold(t);
  });

  it('when the customer cancels an authorized order before preparation, then the worker voids it at Stripe with the step’s key and the order holds nothing', async () => {
    const buyer = await customer(t);
    const order = await placeStripeOrder(buyer.token, shop);
    await payAndNotify(buyer.token, shop, order);
    await act(t, buyer.token, order.id, 'cancel');

    const voided = await waitForPaymentStatus(t, buyer.token, order.paymentId, 'voided');
    expect(voided.amount_captured.amount).toBe(0);
    const cancels = calls('POST', `/v1/payment_intents/${order.intentId}/cancel`);
    expect(cancels.length).toBeGreaterThanOrEqual(1);
    expect(new Set(cancels.map((request) => request.idempotencyKey))).toEqual(new Set([`void:${order.paymentId}`]));
    expect(calls('POST', `/v1/payment_intents/${order.intentId}/capture`)).toHaveLength(0);
    expect(fake.snapshot(order.intentId)).toMatchObject({
      status: 'canceled',
      amount_capturable: 0,
      amount_received: 0,
    });
    await waitFor(
      'the order to show it voided',
      async () =>
        (await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: bearer(buyer.token) })).json()
          .payment.status === 'voided',
    );
    await expectInvariantsHold(t);
  });
});

describe('Stripe webhooks reaching Brigade', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await stripeStore();
  });

  it('when the body was tampered with, signed with another secret or signed too long ago, then 400 WEBHOOK_SIGNATURE_INVALID and nothing changes', async () => {
    const buyer = await customer(t);
    const order = await placeStripeOrder(buyer.token, shop);
    fake.authorize(order.intentId);
    const snapshot = fake.snapshot(order.intentId);
    const before = await paymentRow(order.paymentId);

    const genuine = fake.signedEvent(AUTHORIZED, snapshot);
    const parsed = JSON.parse(genuine.body) as { data: { object: Record<string, unknown> } };
    parsed.data.object.amount_capturable = 1;
    const tampered = { body: JSON.stringify(parsed), headers: genuine.headers };
    const wrongSecret = fake.signedEvent(AUTHORIZED, snapshot, { secret: 'whsec_SomebodyElsesSecret' });
    const old = fake.signedEvent(AUTHORIZED, snapshot, { at: new Date(Date.now() - 10 * 60_000) });
    const unsigned = { body: genuine.body, headers: { 'content-type': 'application/json' } };

    for (const forged of [tampered, wrongSecret, old, unsigned]) {
      const res = await deliver(forged, shop.organization.id);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 400, code: 'WEBHOOK_SIGNATURE_INVALID' });
      expect(await webhookEventRows(eventId(forged))).toEqual([]);
    }
    expect(await paymentRow(order.paymentId)).toEqual(before);
    expect((await readPayment(t, buyer.token, order.paymentId)).status).toBe('requires_payment');

    // The genuine delivery of the same event was not spoiled by the forgeries.
    const res = await deliver(genuine, shop.organization.id);
    expect(res.json()).toEqual({ received: true, duplicate: false });
    expect((await readPayment(t, buyer.token, order.paymentId)).status).toBe('authorized');
  });

  it('when an event for this organization’s payment reaches another organization’s endpoint, then it is not applied there (404 without Stripe keys, 200 and unchanged with them), and its delivery to the right endpoint still is', async () => {
    const buyer = await customer(t);
    const order = await placeStripeOrder(buyer.token, shop);
    fake.authorize(order.intentId);
    const snapshot = fake.snapshot(order.intentId);
    const before = await paymentRow(order.paymentId);

    // An organization without Stripe keys has no Stripe endpoint.
    const keyless = await orderingStore(t);
    const toKeyless = await deliver(fake.signedEvent(AUTHORIZED, snapshot), keyless.organization.id);
    expect(toKeyless.statusCode, toKeyless.body).toBe(404);

    // An organization with keys of its own: the event (signed with its secret, as Stripe would
    // for its endpoint) verifies there, but this organization's payment is not its to touch.
    const otherSecret = 'whsec_OtherOrganizationSecret';
    const other = await stripeStore({ secret_key: SECRET_KEY, webhook_secret: otherSecret });
    const id = `evt_${randomUUID().replace(/-/g, '')}`;
    const toOther = await deliver(
      fake.signedEvent(AUTHORIZED, snapshot, { secret: otherSecret, id }),
      other.organization.id,
    );
    expect(toOther.statusCode, toOther.body).toBe(200);
    expect(toOther.json()).toEqual({ received: true, duplicate: false });
    expect(await paymentRow(order.paymentId)).toEqual(before);
    // Acknowledged without being recorded: the event's id is not used up at the wrong endpoint.
    expect(await webhookEventRows(id)).toEqual([]);
    expect((await readPayment(t, buyer.token, order.paymentId)).status).toBe('requires_payment');
    // This organization's own secret does not verify at the other's endpoint either.
    const crossSigned = await deliver(fake.signedEvent(AUTHORIZED, snapshot), other.organization.id);
    expect(crossSigned.statusCode, crossSigned.body).toBe(400);
    expect(await paymentRow(order.paymentId)).toEqual(before);

    // No account: no endpoint.
    const bare = await deliver(fake.signedEvent(AUTHORIZED, snapshot), undefined);
    expect(bare.statusCode, bare.body).toBe(404);
    expect(await paymentRow(order.paymentId)).toEqual(before);

    // The same event (same id) delivered to this organization's endpoint is applied.
    const right = await deliver(fake.signedEvent(AUTHORIZED, snapshot, { id }), shop.organization.id);
    expect(right.statusCode, right.body).toBe(200);
    expect(right.json()).toEqual({ received: true, duplicate: false });
    expect((await readPayment(t, buyer.token, order.paymentId)).status).toBe('authorized');
    expect(await webhookEventRows(id)).toEqual([{ event_id: id, payment_id: order.paymentId }]);
    expect((await deliver(fake.signedEvent(AUTHORIZED, snapshot, { id }), shop.organization.id)).json()).toEqual({
      received: true,
      duplicate: true,
    });
  });
});
