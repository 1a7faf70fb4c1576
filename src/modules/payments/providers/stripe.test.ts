import { randomUUID } from 'node:crypto';
import { CircuitState } from 'cockatiel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutbound, DependencyUnavailableError, type Outbound } from '../../../platform/resilience/outbound.js';
import { startFakeStripe, type FakeStripe } from '../../../test-support/fake-stripe.js';
import { testConfig } from '../../../test-support/harness.js';
import { waitFor } from '../../../test-support/wait.js';
import { ProviderRejectedError, WebhookVerificationError, type PaymentProvider } from '../provider.js';
import { createStripeProvider } from './stripe.js';

const secretKey = 'sk_test_brigade';
const webhookSecret = 'whsec_brigade';
const BREAKER_FAILURES = 3;

let fake: FakeStripe;
let outbound: Outbound;
let stripe: PaymentProvider;

beforeEach(async () => {
  fake = await startFakeStripe({ secretKey, webhookSecret });
  outbound = createOutbound({
    ...testConfig().outbound,
    retries: 0,
    breakerConsecutiveFailures: BREAKER_FAILURES,
    breakerHalfOpenAfterMs: 200,
  });
  stripe = createStripeProvider({ secretKey, webhookSecret, apiUrl: fake.url, outbound });
});
afterEach(async () => {
  await fake.close();
});

/** Keys shaped like the caller's: one per Brigade step, derived from Brigade ids. */
function newPayment(amount = 2500) {
  const paymentId = randomUUID();
  const key = (step: string) => `${paymentId}:${step}`;
  const create = () =>
    stripe.createIntent(
      { paymentId, orderId: `order-${paymentId}`, amount, currency: 'EUR', description: 'Order A-001' },
      key('create'),
    );
  return { paymentId, key, create };
}

async function rejection(promise: Promise<unknown>): Promise<ProviderRejectedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderRejectedError);
  return error as ProviderRejectedError;
}

async function outage(promise: Promise<unknown>): Promise<DependencyUnavailableError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DependencyUnavailableError);
  return error as DependencyUnavailableError;
}

describe('Stripe provider, money lifecycle', () => {
  it('when an intent is authorized, partly captured and refunded twice, then Stripe and Brigade agree on every amount', async () => {
    const payment = newPayment(2500);
    const created = await payment.create();
    expect(created).toMatchObject({
      status: 'requires_payment',
      amount: 2500,
      currency: 'eur',
      amountAuthorized: 0,
      checkoutUrl: null,
      lastFailureCode: null,
    });
    expect(created.ref).toMatch(/^pi_/);
    expect(created.clientSecret).toMatch(new RegExp(`^${created.ref}_secret_`));
    expect(fake.requests[0]?.form).toMatchObject({
      amount: '2500',
      currency: 'eur',
      capture_method: 'manual',
      description: 'Order A-001',
      metadata: { payment_id: payment.paymentId, order_id: `order-${payment.paymentId}` },
      payment_method_options: { card: { request_incremental_authorization: 'if_available' } },
    });

    fake.authorize(created.ref);
    expect(await stripe.fetchIntent(created.ref)).toMatchObject({
      status: 'authorized',
      amountAuthorized: 2500,
      amountCaptured: 0,
    });

    const captured = await stripe.capture(created.ref, 2000, payment.key('capture'));
    expect(captured).toMatchObject({
      status: 'captured',
      amountAuthorized: 2000,
      amountCaptured: 2000,
      amountRefunded: 0,
    });

    const first = await stripe.refund(
      created.ref,
      { refundId: 'refund-1', amount: 500, reason: 'cold fries' },
      payment.key('refund-1'),
    );
    const second = await stripe.refund(
      created.ref,
      { refundId: 'refund-2', amount: 300, reason: 'duplicate' },
      payment.key('refund-2'),
    );
    expect(first).toMatchObject({ refundId: 'refund-1', amount: 500, status: 'succeeded' });
    expect(first.ref).toMatch(/^re_/);
    expect(second).toMatchObject({ refundId: 'refund-2', amount: 300, status: 'succeeded' });
    const refundForms = fake.requests.filter((r) => r.path === '/v1/refunds' && r.method === 'POST').map((r) => r.form);
    expect(refundForms).toEqual([
      {
        payment_intent: created.ref,
        amount: '500',
        reason: 'requested_by_customer',
        metadata: { refund_id: 'refund-1', reason: 'cold fries' },
      },
      {
        payment_intent: created.ref,
        amount: '300',
        reason: 'duplicate',
        metadata: { refund_id: 'refund-2', reason: 'duplicate' },
      },
    ]);

    const listed = await stripe.listRefunds(created.ref);
    expect(listed.map((r) => r.refundId).sort()).toEqual(['refund-1', 'refund-2']);
    expect(await stripe.fetchIntent(created.ref)).toMatchObject({
      status: 'captured',
      amountCaptured: 2000,
      amountRefunded: 800,
    });

    const tooMuch = await rejection(
      stripe.refund(created.ref, { refundId: 'refund-3', amount: 1201, reason: 'x' }, payment.key('refund-3')),
    );
    expect(tooMuch.code).toBe('amount_too_large');
  });

  it('when every mutating call is made, then each reached Stripe with exactly the idempotency key it was given', async () => {
    const payment = newPayment();
    const { ref } = await payment.create();
    fake.authorize(ref);
    await stripe.incrementAuthorization(ref, 3000, payment.key('tip'));
    await stripe.capture(ref, 3000, payment.key('capture'));
    await stripe.refund(ref, { refundId: 'r1', amount: 100, reason: 'late' }, payment.key('refund-r1'));
    const other = newPayment();
    const { ref: otherRef } = await other.create();
    await stripe.void(otherRef, other.key('void'));

    const mutations = fake.requests.filter((r) => r.method === 'POST').map((r) => [r.path, r.idempotencyKey]);
    expect(mutations).toEqual([
      ['/v1/payment_intents', payment.key('create')],
      [`/v1/payment_intents/${ref}/increment_authorization`, payment.key('tip')],
      [`/v1/payment_intents/${ref}/capture`, payment.key('capture')],
      ['/v1/refunds', payment.key('refund-r1')],
      ['/v1/payment_intents', other.key('create')],
      [`/v1/payment_intents/${otherRef}/cancel`, other.key('void')],
    ]);
  });

  it('when a create or a capture is repeated with the same key, then the same intent comes back and nothing is done twice', async () => {
    const payment = newPayment(2500);
    const { ref } = await payment.create();
    expect((await payment.create()).ref).toBe(ref);
    fake.authorize(ref);
    const first = await stripe.capture(ref, 1000, payment.key('capture'));
    const again = await stripe.capture(ref, 1000, payment.key('capture'));
    expect(again).toEqual(first);
    expect(fake.snapshot(ref)).toMatchObject({ status: 'succeeded', amount_received: 1000 });

    const reused = await rejection(stripe.capture(ref, 2000, payment.key('capture')));
    expect(reused.code).toBe('idempotency_error');
    expect(fake.snapshot(ref)).toMatchObject({ amount_received: 1000 });
  });

  it('when an intent is voided, then it is voided, and voiding it again with a new key answers it as is', async () => {
    const payment = newPayment();
    const { ref } = await payment.create();
    fake.authorize(ref);
    expect(await stripe.void(ref, payment.key('void'))).toMatchObject({
      status: 'voided',
      amountAuthorized: 0,
      amountCaptured: 0,
    });
    expect(await stripe.void(ref, payment.key('void-again'))).toMatchObject({ ref, status: 'voided' });

    const captured = newPayment();
    const { ref: capturedRef } = await captured.create();
    fake.authorize(capturedRef);
    await stripe.capture(capturedRef, 2500, captured.key('capture'));
    const refused = await rejection(stripe.void(capturedRef, captured.key('void')));
    expect(refused.code).toBe('payment_intent_unexpected_state');
  });

  it('when a tip raises the authorization, then the larger amount is held and can be captured', async () => {
    const payment = newPayment(2500);
    const { ref } = await payment.create();
    fake.authorize(ref);
    expect(await stripe.incrementAuthorization(ref, 2900, payment.key('tip'))).toMatchObject({
      status: 'authorized',
      amount: 2900,
      amountAuthorized: 2900,
    });
    expect(await stripe.capture(ref, 2900, payment.key('capture'))).toMatchObject({
      status: 'captured',
      amountCaptured: 2900,
    });
  });
});

describe('Stripe provider, refusals and outages', () => {
  it('when the card is declined, then the intent shows the decline and a refused step rejects with the decline code without tripping the breaker', async () => {
    const declined = newPayment();
    const { ref } = await declined.create();
    fake.authorize(ref, 'decline');
    expect(await stripe.fetchIntent(ref)).toMatchObject({
      status: 'requires_payment',
      lastFailureCode: 'insufficient_funds',
    });
    expect((await rejection(stripe.capture(ref, 2500, declined.key('capture')))).code).toBe(
      'payment_intent_unexpected_state',
    );

    const tipped = newPayment();
    const { ref: tippedRef } = await tipped.create();
    fake.authorize(tippedRef);
    fake.declineIncrements(tippedRef, 'insufficient_funds');
    for (let attempt = 0; attempt < BREAKER_FAILURES + 1; attempt += 1) {
      const refused = await rejection(stripe.incrementAuthorization(tippedRef, 4000, tipped.key(`tip-${attempt}`)));
      expect(refused.code).toBe('insufficient_funds');
    }
    expect(outbound.state('payments:stripe')).toBe(CircuitState.Closed);
    expect(stripe.available()).toBe(true);
    expect(await stripe.fetchIntent(tippedRef)).toMatchObject({ status: 'authorized', amountAuthorized: 2500 });
  });

  it('when the secret key is wrong, then calls are refused as authentication_failed', async () => {
    const wrongKey = createStripeProvider({ secretKey: 'sk_test_wrong', webhookSecret, apiUrl: fake.url, outbound });
    expect((await rejection(wrongKey.fetchIntent('pi_unknown'))).code).toBe('authentication_failed');
  });

  it('when Stripe answers 500 repeatedly, then calls fail as unavailable, the circuit opens and fails fast, and it recovers after the half-open pause', async () => {
    const payment = newPayment();
    const { ref } = await payment.create();
    fake.failNext(BREAKER_FAILURES);
    const before = fake.requests.length;
    for (let attempt = 0; attempt < BREAKER_FAILURES; attempt += 1) {
      expect((await outage(stripe.fetchIntent(ref))).code).toBe('DEPENDENCY_FAILED');
    }
    expect(fake.requests.length - before).toBe(BREAKER_FAILURES); // no hidden retries in the SDK
    expect(stripe.available()).toBe(false);

    const reached = fake.requests.length;
    expect((await outage(stripe.capture(ref, 100, payment.key('capture')))).code).toBe('CIRCUIT_OPEN');
    expect(stripe.available()).toBe(false);
    expect(fake.requests.length).toBe(reached);

    // Once the pause is over available() says "try": the next call is the trial that closes it.
    await waitFor('the half-open pause to pass', () => stripe.available(), 5_000);
    expect(outbound.state('payments:stripe')).toBe(CircuitState.Open);
    expect(await stripe.fetchIntent(ref)).toMatchObject({ ref, status: 'requires_payment' });
    expect(outbound.state('payments:stripe')).toBe(CircuitState.Closed);
  });

  it('when Stripe rate-limits, then the call fails as unavailable rather than refused', async () => {
    const payment = newPayment();
    const { ref } = await payment.create();
    fake.failNext(1, 429);
    expect((await outage(stripe.fetchIntent(ref))).code).toBe('DEPENDENCY_FAILED');
  });
});

describe('Stripe provider, webhooks', () => {
  const verify = (event: { body: string; headers: Record<string, string> }, now = new Date(), provider = stripe) =>
    provider.verifyWebhook(Buffer.from(event.body), event.headers, now);

  it('when a signed intent event arrives, then it is verified and translated', async () => {
    const payment = newPayment(1800);
    const { ref } = await payment.create();
    fake.authorize(ref);
    const event = fake.signedEvent('payment_intent.amount_capturable_updated', fake.snapshot(ref));
    const translated = verify(event);
    expect(translated).toMatchObject({
      kind: 'intent',
      id: JSON.parse(event.body).id,
      intent: { ref, status: 'authorized', amountAuthorized: 1800 },
    });
    expect(Math.abs(translated.occurredAt.getTime() - Date.now())).toBeLessThan(5_000);
  });

  it('when a signed refund event arrives, then it carries the intent and Brigade’s refund id', async () => {
    const payment = newPayment();
    const { ref } = await payment.create();
    fake.authorize(ref);
    await stripe.capture(ref, 2500, payment.key('capture'));
    const refund = await stripe.refund(
      ref,
      { refundId: 'refund-9', amount: 700, reason: 'wrong order' },
      payment.key('refund'),
    );
    expect(verify(fake.signedEvent('refund.updated', fake.snapshot(refund.ref)))).toMatchObject({
      kind: 'refund',
      intentRef: ref,
      refund: { ref: refund.ref, refundId: 'refund-9', amount: 700, status: 'succeeded' },
    });
  });

  it('when an event Brigade does not use arrives, then it is verified and ignored', () => {
    expect(verify(fake.signedEvent('customer.created', { id: 'cus_1', object: 'customer' }))).toMatchObject({
      kind: 'ignored',
      providerType: 'customer.created',
    });
  });

  it('when the body is tampered with, the secret is wrong, the header is missing or the timestamp is outside 300 s of now, then verification fails', () => {
    const object = { id: 'pi_1', object: 'payment_intent' };
    const event = fake.signedEvent('payment_intent.succeeded', object);
    expect(() => verify({ ...event, body: event.body.replace('pi_1', 'pi_2') })).toThrow(WebhookVerificationError);
    expect(() => verify(fake.signedEvent('payment_intent.succeeded', object, { secret: 'whsec_other' }))).toThrow(
      WebhookVerificationError,
    );
    expect(() => verify({ body: event.body, headers: {} })).toThrow(WebhookVerificationError);

    const signedAt = new Date('2026-11-21T12:00:00Z');
    const old = fake.signedEvent('payment_intent.succeeded', object, { at: signedAt });
    expect(() => verify(old, new Date(signedAt.getTime() + 299_000))).not.toThrow();
    expect(() => verify(old, new Date(signedAt.getTime() + 301_000))).toThrow(WebhookVerificationError);
    expect(() => verify(old, new Date(signedAt.getTime() - 301_000))).toThrow(WebhookVerificationError);
  });
});
