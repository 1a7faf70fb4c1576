// The sandbox adapter against the real sandbox processor over HTTP: the PaymentProvider
// contract, refusals as ProviderRejectedError, an outage opening the circuit, and webhook
// verification on the raw bytes the processor really sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOutbound,
  DependencyUnavailableError,
  type OutboundOptions,
} from '../../../platform/resilience/outbound.js';
import { createTestDatabase, type TestDatabase } from '../../../test-support/harness.js';
import { waitFor } from '../../../test-support/wait.js';
import {
  ProviderRejectedError,
  WebhookVerificationError,
  type PaymentProvider,
  type ProviderIntent,
} from '../provider.js';
import { signWebhook, webhookHeaders } from '../sandbox/signature.js';
import {
  call,
  confirm,
  SECRET_KEY,
  startSandbox,
  startWebhookReceiver,
  WEBHOOK_SECRET,
  type RunningSandbox,
  type WebhookReceiver,
} from '../../../test-support/sandbox-factories.js';
import type { IntentJson } from '../sandbox/present.js';
import { createSandboxProvider } from './sandbox.js';

let db: TestDatabase;
let receiver: WebhookReceiver;
let sandbox: RunningSandbox;
let provider: PaymentProvider;
let ids = 0;

const outboundOptions = (overrides: Partial<OutboundOptions> = {}): OutboundOptions => ({
  timeoutMs: 2000,
  retries: 1,
  breakerConsecutiveFailures: 3,
  breakerHalfOpenAfterMs: 200,
  bulkheadLimit: 20,
  bulkheadQueue: 50,
  ...overrides,
});

const providerFor = (url: string, overrides: Partial<OutboundOptions> = {}) =>
  createSandboxProvider({
    url,
    secretKey: SECRET_KEY,
    webhookSecret: WEBHOOK_SECRET,
    outbound: createOutbound(outboundOptions(overrides)),
  });

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startWebhookReceiver();
  sandbox = await startSandbox(db.database.db, receiver.url);
  provider = providerFor(sandbox.url);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
  await db.drop();
});

async function newIntent(amount = 1000, target = provider): Promise<ProviderIntent> {
  const n = ids++;
  return target.createIntent(
    { paymentId: `pay-${n}`, orderId: `ord-${n}`, amount, currency: 'EUR', description: `Order A-${n}` },
    `payment:pay-${n}:create`,
  );
}

/** The customer pays with the success card (straight to the processor, as a browser would). */
async function pay(intent: ProviderIntent, card = '4242424242424242'): Promise<ProviderIntent> {
  await confirm(sandbox.url, { id: intent.ref, client_secret: intent.clientSecret } as IntentJson, card);
  return waitFor('the authorization', async () => {
    const current = await provider.fetchIntent(intent.ref);
    return current.status === 'authorized' ? current : undefined;
  });
}

describe('sandbox provider', () => {
  it('when an intent is created, then it maps to a ProviderIntent, and the same key returns the same intent', async () => {
    const input = {
      paymentId: 'pay-create',
      orderId: 'ord-create',
      amount: 1250,
      currency: 'EUR',
      description: 'Order A-001',
    };
    const intent = await provider.createIntent(input, 'payment:pay-create:create');
    expect(intent).toEqual({
      ref: expect.stringMatching(/^si_/),
      status: 'requires_payment',
      amount: 1250,
      currency: 'EUR',
      amountAuthorized: 0,
      amountCaptured: 0,
      amountRefunded: 0,
      clientSecret: expect.stringMatching(/_secret_/),
      checkoutUrl: `http://sandbox.test/sandbox/checkout/${intent.ref}`,
      lastFailureCode: null,
    });
    expect(await provider.createIntent(input, 'payment:pay-create:create')).toEqual(intent);
    const raw = await call(sandbox.url, 'GET', `/sandbox/v1/intents/${intent.ref}`);
    expect(raw.body).toMatchObject({
      reference: 'pay-create',
      description: 'Order A-001',
      metadata: { payment_id: 'pay-create', order_id: 'ord-create' },
    });
  });

  it('when an intent is paid, raised, captured and refunded, then each step answers the new state and refunds carry Brigade’s refund id', async () => {
    const intent = await pay(await newIntent(1000));
    expect(intent).toMatchObject({ status: 'authorized', amountAuthorized: 1000 });
    expect(await provider.incrementAuthorization(intent.ref, 1200, 'tip-1')).toMatchObject({
      status: 'authorized',
      amount: 1200,
      amountAuthorized: 1200,
    });
    expect(await provider.capture(intent.ref, 1100, 'capture-1')).toMatchObject({
      status: 'captured',
      amountCaptured: 1100,
    });
    // A retried capture (same key) answers the same capture, it does not fail or capture again.
    expect(await provider.capture(intent.ref, 1100, 'capture-1')).toMatchObject({
      status: 'captured',
      amountCaptured: 1100,
    });
    const refund = await provider.refund(
      intent.ref,
      { refundId: 'refund-a', amount: 300, reason: 'requested_by_customer' },
      'refund-a',
    );
    expect(refund).toEqual({
      ref: expect.stringMatching(/^sr_/),
      refundId: 'refund-a',
      amount: 300,
      status: 'succeeded',
    });
    await provider.refund(intent.ref, { refundId: 'refund-b', amount: 200, reason: 'item_missing' }, 'refund-b');
    expect((await provider.listRefunds(intent.ref)).map((item) => [item.refundId, item.amount])).toEqual([
      ['refund-a', 300],
      ['refund-b', 200],
    ]);
    expect(await provider.fetchIntent(intent.ref)).toMatchObject({ amountCaptured: 1100, amountRefunded: 500 });
  });

  it('when an intent is voided, then it answers voided, and voiding again answers it as is', async () => {
    const intent = await pay(await newIntent());
    expect((await provider.void(intent.ref, 'void-1')).status).toBe('voided');
    expect((await provider.void(intent.ref, 'void-2')).status).toBe('voided');
  });

  it('when the processor refuses (over-capture, over-refund, unknown intent, wrong state), then ProviderRejectedError with its code, and the circuit stays closed', async () => {
    const strict = providerFor(sandbox.url, { breakerConsecutiveFailures: 1 });
    const intent = await pay(await newIntent(500, strict));
    await expect(strict.capture(intent.ref, 501, 'over')).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      code: 'amount_too_large',
    });
    await expect(
      strict.refund(intent.ref, { refundId: 'r', amount: 1, reason: 'x' }, 'early-refund'),
    ).rejects.toMatchObject({ code: 'invalid_state' });
    await strict.capture(intent.ref, 500, 'ok');
    await expect(
      strict.refund(intent.ref, { refundId: 'r', amount: 501, reason: 'x' }, 'too-much'),
    ).rejects.toMatchObject({ code: 'amount_too_large' });
    const missing = await strict.fetchIntent('si_missing').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ProviderRejectedError);
    expect(missing).toMatchObject({ code: 'not_found' });
    expect(strict.available()).toBe(true);
  });

  it('when the processor is in outage, then calls fail with DependencyUnavailableError, and after enough failures available() is false until it recovers', async () => {
    const own = await startSandbox(db.database.db, receiver.url);
    try {
      const fragile = providerFor(own.url, { retries: 0, breakerConsecutiveFailures: 3, breakerHalfOpenAfterMs: 1000 });
      const intent = await newIntent(700, fragile);
      await call(own.url, 'POST', '/sandbox/control', { body: { outage: true } });
      for (let i = 0; i < 3; i++) {
        await expect(fragile.fetchIntent(intent.ref)).rejects.toMatchObject({ code: 'DEPENDENCY_FAILED' });
      }
      expect(fragile.available()).toBe(false);
      const refused = await fragile.capture(intent.ref, 700, 'during-outage').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DependencyUnavailableError);
      expect(refused).toMatchObject({ code: 'CIRCUIT_OPEN' });

      await call(own.url, 'POST', '/sandbox/control', { body: { outage: false } });
      // After the half-open pause one trial call goes through and closes the circuit.
      await waitFor('the circuit to close', async () => {
        const answer = await fragile.fetchIntent(intent.ref).catch(() => null);
        return answer !== null && fragile.available();
      });
    } finally {
      await own.close();
    }
  });
});

describe('sandbox provider webhooks', () => {
  const NOW = () => new Date();

  async function webhookFor(intentRef: string, type: string) {
    return waitFor(`${type} for ${intentRef}`, () =>
      receiver.forIntent(intentRef).find((webhook) => webhook.event.type === type),
    );
  }

  it('when a genuine intent webhook arrives, then it verifies and translates to an intent event with its id and time', async () => {
    const intent = await pay(await newIntent(900));
    const webhook = await webhookFor(intent.ref, 'intent.authorized');
    const event = provider.verifyWebhook(webhook.raw, webhook.headers, NOW());
    expect(event).toEqual({
      id: webhook.event.id,
      occurredAt: new Date(webhook.event.created_at),
      kind: 'intent',
      intent: { ...intent, status: 'authorized', amountAuthorized: 900 },
    });
  });

  it('when a declined payment’s webhook arrives, then it is an intent event carrying the failure code', async () => {
    const intent = await newIntent();
    await confirm(
      sandbox.url,
      { id: intent.ref, client_secret: intent.clientSecret } as IntentJson,
      '4000000000009995',
    );
    const webhook = await webhookFor(intent.ref, 'intent.payment_failed');
    expect(provider.verifyWebhook(webhook.raw, webhook.headers, NOW())).toMatchObject({
      kind: 'intent',
      intent: { status: 'requires_payment', lastFailureCode: 'insufficient_funds' },
    });
  });

  it('when a refund webhook arrives, then it is a refund event naming its intent and Brigade’s refund id', async () => {
    const intent = await pay(await newIntent(800));
    await provider.capture(intent.ref, 800, `capture-${intent.ref}`);
    const refund = await provider.refund(
      intent.ref,
      { refundId: 'refund-hook', amount: 250, reason: 'late' },
      `refund-${intent.ref}`,
    );
    const webhook = await webhookFor(intent.ref, 'refund.succeeded');
    expect(provider.verifyWebhook(webhook.raw, webhook.headers, NOW())).toEqual({
      id: webhook.event.id,
      occurredAt: new Date(webhook.event.created_at),
      kind: 'refund',
      intentRef: intent.ref,
      refund,
    });
  });

  it('when the body was tampered with, the secret is wrong or the timestamp is over five minutes old, then WebhookVerificationError', async () => {
    const intent = await pay(await newIntent());
    const webhook = await webhookFor(intent.ref, 'intent.authorized');
    const tampered = Buffer.from(webhook.raw.toString('utf8').replace('"authorized"', '"captured"'));
    expect(() => provider.verifyWebhook(tampered, webhook.headers, NOW())).toThrow(WebhookVerificationError);

    const impostor = createSandboxProvider({
      url: sandbox.url,
      secretKey: SECRET_KEY,
      webhookSecret: 'whsec_d3JvbmctdGVzdC1zZWNyZXQ=',
      outbound: createOutbound(outboundOptions()),
    });
    expect(() => impostor.verifyWebhook(webhook.raw, webhook.headers, NOW())).toThrow(WebhookVerificationError);

    const sentAt = Number(webhook.headers['webhook-timestamp']) * 1000;
    expect(() => provider.verifyWebhook(webhook.raw, webhook.headers, new Date(sentAt + 5 * 60_000 + 1000))).toThrow(
      /tolerance/,
    );
    expect(() => provider.verifyWebhook(webhook.raw, {}, NOW())).toThrow(WebhookVerificationError);
  });

  it('when a signed event is of a type Brigade does not handle, then it is ignored; a signed body that is not an event is refused', () => {
    const now = NOW();
    const unknown = JSON.stringify({
      id: 'se_other',
      type: 'payout.paid',
      created_at: now.toISOString(),
      data: { payout: {} },
    });
    expect(
      provider.verifyWebhook(Buffer.from(unknown), webhookHeaders(WEBHOOK_SECRET, 'se_other', now, unknown), now),
    ).toEqual({
      id: 'se_other',
      occurredAt: new Date(now.toISOString()),
      kind: 'ignored',
      providerType: 'payout.paid',
    });
    for (const body of [
      'not json',
      '{"id":"se_x","type":"intent.captured","created_at":"2026-01-01T00:00:00Z","data":{"intent":{"id":1}}}',
    ]) {
      const timestamp = Math.floor(now.getTime() / 1000);
      const headers = {
        'webhook-id': 'se_x',
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(WEBHOOK_SECRET, 'se_x', timestamp, body),
      };
      expect(() => provider.verifyWebhook(Buffer.from(body), headers, now)).toThrow(WebhookVerificationError);
    }
  });
});
