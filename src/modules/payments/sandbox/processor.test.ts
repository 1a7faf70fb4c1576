import { createHash } from 'node:crypto';
// The sandbox processor's API over real HTTP on a real database: test cards, the intent state
// machine, idempotency (also under concurrency), refunds, outage and restarts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/harness.js';
import { waitFor } from '../../../test-support/wait.js';
import type { IntentJson, RefundJson } from './present.js';
import {
  authorizedIntent,
  call,
  confirm,
  createIntent,
  newKey,
  startSandbox,
  startWebhookReceiver,
  waitForStatus,
  type RunningSandbox,
  type WebhookReceiver,
} from '../../../test-support/sandbox-factories.js';

let db: TestDatabase;
let receiver: WebhookReceiver;
let sandbox: RunningSandbox;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startWebhookReceiver();
  sandbox = await startSandbox(db.database.db, receiver.url);
  base = sandbox.url;
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
  await db.drop();
});

const webhookTypes = async (intentId: string, count: number) =>
  waitFor(`${count} webhook(s) for ${intentId}`, () => {
    const types = receiver.forIntent(intentId).map((webhook) => webhook.event.type);
    return types.length >= count ? types : undefined;
  });

describe('sandbox intents', () => {
  it('when an intent is created, then it waits for payment and carries its client secret and checkout page', async () => {
    const intent = await createIntent(base, 1250, { description: 'Order A-001', metadata: { order_id: 'o-1' } });
    expect(intent).toMatchObject({
      object: 'intent',
      status: 'requires_payment',
      amount: 1250,
      currency: 'EUR',
      amount_authorized: 0,
      amount_captured: 0,
      amount_refunded: 0,
      last_failure_code: null,
      description: 'Order A-001',
      metadata: { order_id: 'o-1' },
      capture_count: 0,
      checkout_url: `http://sandbox.test/sandbox/checkout/${intent.id}`,
    });
    expect(intent.id).toMatch(/^si_[0-9a-f]+$/);
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_`));
    expect(new Date(intent.created_at).toISOString()).toBe(intent.created_at);
    expect((await call(base, 'GET', `/sandbox/v1/intents/${intent.id}`)).body).toEqual(intent);
  });

  it('when the API key is missing or wrong, then the processor answers 401 unauthorized', async () => {
    for (const auth of [null, 'sk_wrong']) {
      const answer = await call(base, 'POST', '/sandbox/v1/intents', {
        body: { amount: 100, currency: 'EUR', reference: 'p' },
        key: newKey(),
        auth,
      });
      expect(answer).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    }
  });

  it('when the Idempotency-Key is missing, then 400 idempotency_key_required; when the body is invalid, then 422 invalid_request', async () => {
    expect(
      await call(base, 'POST', '/sandbox/v1/intents', { body: { amount: 100, currency: 'EUR', reference: 'p' } }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'idempotency_key_required' } },
    });
    for (const body of [
      { amount: 100, currency: 'eur', reference: 'p' },
      { amount: 0, currency: 'EUR', reference: 'p' },
      { amount: 100, currency: 'EUR', reference: 'p', extra: 1 },
    ]) {
      expect(await call(base, 'POST', '/sandbox/v1/intents', { body, key: newKey() })).toMatchObject({
        status: 422,
        body: { error: { code: 'invalid_request' } },
      });
    }
  });

  it('when an intent does not exist, then 404 not_found in the processor’s own error shape', async () => {
    expect(await call(base, 'GET', '/sandbox/v1/intents/si_missing')).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
    expect(await call(base, 'GET', '/sandbox/v1/nothing-here')).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
  });
});

describe('sandbox test cards', () => {
  it('when the success card is confirmed, then the intent is processing at once, authorized after the delay, and intent.authorized is sent', async () => {
    const intent = await createIntent(base, 900);
    const started = Date.now();
    const confirmed = await confirm(base, intent, '4242 4242 4242 4242');
    expect(confirmed).toMatchObject({ status: 200, body: { status: 'processing', amount_authorized: 0 } });
    const authorized = await waitForStatus(base, intent.id, 'authorized');
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(authorized).toMatchObject({ amount_authorized: 900, last_failure_code: null });
    expect(await webhookTypes(intent.id, 1)).toEqual(['intent.authorized']);
    expect(receiver.forIntent(intent.id)[0]!.event.data.intent).toMatchObject({
      status: 'authorized',
      amount_authorized: 900,
    });
  });

  it.each([
    ['4000000000000002', 'card_declined'],
    ['4000000000009995', 'insufficient_funds'],
  ])(
    'when the card %s is confirmed, then the intent goes back to requires_payment with %s and intent.payment_failed is sent; another card may then pay',
    async (card, code) => {
      const intent = await createIntent(base);
      expect((await confirm(base, intent, card)).body.status).toBe('processing');
      const failed = await waitFor('the decline', async () => {
        const answer = await call(base, 'GET', `/sandbox/v1/intents/${intent.id}`);
        return answer.body.last_failure_code !== null ? answer.body : undefined;
      });
      expect(failed).toMatchObject({ status: 'requires_payment', last_failure_code: code, amount_authorized: 0 });
      expect(await webhookTypes(intent.id, 1)).toEqual(['intent.payment_failed']);
      expect(receiver.forIntent(intent.id)[0]!.event.data.intent.last_failure_code).toBe(code);

      expect((await confirm(base, intent, '4242424242424242')).body).toMatchObject({
        status: 'processing',
        last_failure_code: null,
      });
      await waitForStatus(base, intent.id, 'authorized');
      expect(await webhookTypes(intent.id, 2)).toEqual(['intent.payment_failed', 'intent.authorized']);
    },
  );

  it('when the slow card is confirmed, then it is authorized only after the slow-card delay', async () => {
    const intent = await createIntent(base);
    const started = Date.now();
    expect((await confirm(base, intent, '4000000000000077')).body.status).toBe('processing');
    await waitForStatus(base, intent.id, 'authorized');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(await webhookTypes(intent.id, 1)).toEqual(['intent.authorized']);
  });

  it('when the intermittent card is confirmed, then the first attempt fails with 500 processing_error changing nothing, and the second goes through', async () => {
    const intent = await createIntent(base);
    expect(await confirm(base, intent, '4000000000000119')).toMatchObject({
      status: 500,
      body: { error: { code: 'processing_error' } },
    });
    expect((await call(base, 'GET', `/sandbox/v1/intents/${intent.id}`)).body.status).toBe('requires_payment');
    expect(await confirm(base, intent, '4000000000000119')).toMatchObject({
      status: 200,
      body: { status: 'processing' },
    });
    await waitForStatus(base, intent.id, 'authorized');
    expect(await webhookTypes(intent.id, 1)).toEqual(['intent.authorized']);
  });

  it('when an unknown card, a wrong client secret or a second confirmation is sent, then 422 invalid_card, 401 and 409 invalid_state', async () => {
    const intent = await createIntent(base);
    expect(await confirm(base, intent, '1234123412341234')).toMatchObject({
      status: 422,
      body: { error: { code: 'invalid_card' } },
    });
    expect(await confirm(base, intent, '4242424242424242', `${intent.id}_secret_wrong`)).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized' } },
    });
    expect((await call(base, 'GET', `/sandbox/v1/intents/${intent.id}`)).body.status).toBe('requires_payment');
    expect((await confirm(base, intent, '4242424242424242')).status).toBe(200);
    expect(await confirm(base, intent, '4242424242424242')).toMatchObject({
      status: 409,
      body: { error: { code: 'invalid_state' } },
    });
  });

  it('when the checkout page is opened, then it is a small HTML form posting to confirm, reading the client secret from the fragment (never sent to the server)', async () => {
    const intent = await createIntent(base);
    const response = await fetch(`${base}/sandbox/checkout/${intent.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain(`/sandbox/v1/intents/${intent.id}/confirm`);
    expect(html).toContain('location.hash');
    expect(html).not.toContain(intent.client_secret);
    expect(html).toContain('<form');
    // Its policy allows exactly its own inline script (by hash), nothing from other origins, no framing.
    const policy = response.headers.get('content-security-policy') ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(policy).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
  });
});

describe('sandbox capture, void and increment', () => {
  it('when an authorized intent is captured in part, then it is captured with that amount and intent.captured is sent; more than authorized is 422 amount_too_large', async () => {
    const intent = await authorizedIntent(base, 1000);
    expect(
      await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { body: { amount: 1001 }, key: newKey() }),
    ).toMatchObject({
      status: 422,
      body: { error: { code: 'amount_too_large' } },
    });
    const captured = await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, {
      body: { amount: 800 },
      key: newKey(),
    });
    expect(captured).toMatchObject({
      status: 200,
      body: { status: 'captured', amount_captured: 800, amount_authorized: 1000, capture_count: 1 },
    });
    expect(await webhookTypes(intent.id, 2)).toEqual(['intent.authorized', 'intent.captured']);
    expect(await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { key: newKey() })).toMatchObject({
      status: 409,
      body: { error: { code: 'invalid_state' } },
    });
  });

  it('when a capture is sent before the authorization landed, then 409 invalid_state, and the same key succeeds once it has', async () => {
    const intent = await createIntent(base, 500);
    const key = newKey('early');
    expect(await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { key })).toMatchObject({
      status: 409,
      body: { error: { code: 'invalid_state' } },
    });
    await confirm(base, intent, '4242424242424242');
    await waitForStatus(base, intent.id, 'authorized');
    expect(await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { key })).toMatchObject({
      status: 200,
      body: { status: 'captured', amount_captured: 500 },
    });
  });

  it('when a capture is repeated with its key, then the stored answer is replayed and nothing is captured twice; another body with the key is 400 idempotency_key_reused', async () => {
    const intent = await authorizedIntent(base, 1000);
    const key = newKey('capture');
    const first = await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { body: { amount: 600 }, key });
    const again = await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { body: { amount: 600 }, key });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(
      await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { body: { amount: 700 }, key }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'idempotency_key_reused' } },
    });
    expect((await call(base, 'GET', `/sandbox/v1/intents/${intent.id}`)).body).toMatchObject({
      capture_count: 1,
      amount_captured: 600,
    });
  });

  it('when 20 captures with one key arrive at once, then exactly one capture happens and all 20 get its answer', async () => {
    const intent = await authorizedIntent(base, 1000);
    const key = newKey('burst');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(base, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { body: {}, key }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    for (const answer of answers) expect(answer.body).toEqual(answers[0]!.body);
    expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect((await call(base, 'GET', `/sandbox/v1/intents/${intent.id}`)).body).toMatchObject({
      status: 'captured',
      capture_count: 1,
    });
    const events = await db.database.pool.query(
      'SELECT count(*)::int AS n FROM sandbox_events WHERE intent_id = $1 AND type = $2',
      [intent.id, 'intent.captured'],
    );
    expect(events.rows[0].n).toBe(1);
  });

  it('when 10 captures with different keys arrive at once, then one captures and the others get 409 invalid_state', async () => {
    const intent = await authorizedIntent(base, 1000);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call(base, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { key: newKey('race') }),
      ),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(9);
    expect((await call(base, 'GET', `/sandbox/v1/intents/${intent.id}`)).body.capture_count).toBe(1);
  });

  it('when an intent is voided, then it is voided and intent.voided is sent; voiding again answers it as is; a captured intent cannot be voided', async () => {
    const intent = await authorizedIntent(base);
    const voided = await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/void`, { key: newKey() });
    expect(voided).toMatchObject({ status: 200, body: { status: 'voided' } });
    expect(await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/void`, { key: newKey() })).toMatchObject({
      status: 200,
      body: { status: 'voided' },
    });
    expect(await webhookTypes(intent.id, 2)).toEqual(['intent.authorized', 'intent.voided']);

    const captured = await authorizedIntent(base);
    await call(base, 'POST', `/sandbox/v1/intents/${captured.id}/capture`, { key: newKey() });
    expect(await call(base, 'POST', `/sandbox/v1/intents/${captured.id}/void`, { key: newKey() })).toMatchObject({
      status: 409,
      body: { error: { code: 'invalid_state' } },
    });
  });

  it('when an intent is voided while processing, then the pending authorization is never decided', async () => {
    const intent = await createIntent(base);
    await confirm(base, intent, '4000000000000077');
    expect(await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/void`, { key: newKey() })).toMatchObject({
      status: 200,
      body: { status: 'voided' },
    });
    // A slow card confirmed after the void is decided after the voided one would have been.
    const later = await createIntent(base);
    await confirm(base, later, '4000000000000077');
    await waitForStatus(base, later.id, 'authorized');
    expect((await call(base, 'GET', `/sandbox/v1/intents/${intent.id}`)).body).toMatchObject({
      status: 'voided',
      amount_authorized: 0,
    });
    expect(await webhookTypes(intent.id, 1)).toEqual(['intent.voided']);
  });

  it('when the authorization is incremented, then amount and authorized amount become the new total, which may be captured; a lower total is refused', async () => {
    const intent = await authorizedIntent(base, 1000);
    const raised = await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/increment_authorization`, {
      body: { amount: 1150 },
      key: newKey(),
    });
    expect(raised).toMatchObject({
      status: 200,
      body: { status: 'authorized', amount: 1150, amount_authorized: 1150 },
    });
    expect(
      await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/increment_authorization`, {
        body: { amount: 1150 },
        key: newKey(),
      }),
    ).toMatchObject({
      status: 422,
      body: { error: { code: 'invalid_request' } },
    });
    expect(await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { key: newKey() })).toMatchObject({
      status: 200,
      body: { amount_captured: 1150 },
    });
    expect(
      await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/increment_authorization`, {
        body: { amount: 1300 },
        key: newKey(),
      }),
    ).toMatchObject({ status: 409 });
  });
});

describe('sandbox refunds', () => {
  const refund = (intent: IntentJson, amount: number, key = newKey('refund'), reference = `ref-${key}`) =>
    call<RefundJson>(base, 'POST', `/sandbox/v1/intents/${intent.id}/refunds`, {
      body: { amount, reason: 'requested_by_customer', reference },
      key,
    });

  async function capturedIntent(amount: number): Promise<IntentJson> {
    const intent = await authorizedIntent(base, amount);
    return (await call(base, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { key: newKey() })).body;
  }

  it('when a captured intent is refunded in parts, then each refund succeeds, is listed and sends refund.succeeded; past the captured amount is 422 amount_too_large', async () => {
    const intent = await capturedIntent(1000);
    const first = await refund(intent, 400, newKey(), 'r-1');
    expect(first).toMatchObject({
      status: 200,
      body: {
        object: 'refund',
        intent: intent.id,
        amount: 400,
        status: 'succeeded',
        reason: 'requested_by_customer',
        reference: 'r-1',
      },
    });
    expect(first.body.id).toMatch(/^sr_/);
    await refund(intent, 600, newKey(), 'r-2');
    expect(await refund(intent, 1)).toMatchObject({ status: 422, body: { error: { code: 'amount_too_large' } } });
    expect((await call(base, 'GET', `/sandbox/v1/intents/${intent.id}`)).body.amount_refunded).toBe(1000);
    const list = await call<{ data: RefundJson[] }>(base, 'GET', `/sandbox/v1/intents/${intent.id}/refunds`);
    expect(list.body.data.map((item) => [item.reference, item.amount])).toEqual([
      ['r-1', 400],
      ['r-2', 600],
    ]);
    expect(await webhookTypes(intent.id, 4)).toEqual([
      'intent.authorized',
      'intent.captured',
      'refund.succeeded',
      'refund.succeeded',
    ]);
    const webhook = receiver.forIntent(intent.id)[2]!.event;
    expect(webhook.data).toMatchObject({
      refund: { id: first.body.id, amount: 400 },
      intent: { id: intent.id, amount_refunded: 400 },
    });
  });

  it('when an intent that is not captured is refunded, then 409 invalid_state', async () => {
    const intent = await authorizedIntent(base);
    expect(await refund(intent, 100)).toMatchObject({ status: 409, body: { error: { code: 'invalid_state' } } });
  });

  it('when a refund is repeated with its key, then one refund exists and the answer is replayed', async () => {
    const intent = await capturedIntent(1000);
    const key = newKey('refund-once');
    const answers = await Promise.all(Array.from({ length: 5 }, () => refund(intent, 300, key, 'r-once')));
    for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: answers[0]!.body });
    const list = await call<{ data: RefundJson[] }>(base, 'GET', `/sandbox/v1/intents/${intent.id}/refunds`);
    expect(list.body.data).toHaveLength(1);
    expect((await call(base, 'GET', `/sandbox/v1/intents/${intent.id}`)).body.amount_refunded).toBe(300);
  });

  it('when 10 refunds of 300 race on a capture of 1000, then exactly 3 succeed and the refunded total never exceeds the capture', async () => {
    const intent = await capturedIntent(1000);
    const answers = await Promise.all(Array.from({ length: 10 }, () => refund(intent, 300)));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(3);
    expect(answers.filter((answer) => answer.status === 422)).toHaveLength(7);
    expect((await call(base, 'GET', `/sandbox/v1/intents/${intent.id}`)).body.amount_refunded).toBe(900);
  });
});

describe('sandbox control and restarts', () => {
  it('when an outage is switched on, then every API call (confirm included) answers 500 outage and changes nothing, until it is switched off', async () => {
    const own = await startSandbox(db.database.db, receiver.url);
    try {
      const intent = await createIntent(own.url);
      expect(await call(own.url, 'POST', '/sandbox/control', { body: { outage: true } })).toMatchObject({
        status: 200,
        body: { outage: true, webhook_mode: 'normal' },
      });
      expect(await call(own.url, 'GET', `/sandbox/v1/intents/${intent.id}`)).toMatchObject({
        status: 500,
        body: { error: { code: 'outage' } },
      });
      expect(await confirm(own.url, intent, '4242424242424242')).toMatchObject({
        status: 500,
        body: { error: { code: 'outage' } },
      });
      expect(
        await call(own.url, 'POST', '/sandbox/v1/intents', {
          body: { amount: 1, currency: 'EUR', reference: 'x' },
          key: newKey(),
        }),
      ).toMatchObject({ status: 500 });
      await call(own.url, 'POST', '/sandbox/control', { body: { outage: false } });
      expect((await call(own.url, 'GET', `/sandbox/v1/intents/${intent.id}`)).body.status).toBe('requires_payment');
    } finally {
      await own.close();
    }
  });

  it('when the control call lacks the API key, then 401', async () => {
    expect(await call(base, 'POST', '/sandbox/control', { body: { outage: true }, auth: null })).toMatchObject({
      status: 401,
    });
  });

  it('when the processor stops between authorization and capture and another starts on the same database, then the pending decision is made and the capture key still replays', async () => {
    const first = await startSandbox(db.database.db, receiver.url, { authorizationDelayMs: 300 });
    const intent = await createIntent(first.url);
    await confirm(first.url, intent, '4242424242424242');
    await first.close();
    expect(
      (await db.database.pool.query('SELECT status FROM sandbox_intents WHERE id = $1', [intent.id])).rows[0].status,
    ).toBe('processing');

    const second = await startSandbox(db.database.db, receiver.url, { authorizationDelayMs: 300 });
    try {
      await waitForStatus(second.url, intent.id, 'authorized');
      const key = newKey('crash');
      const captured = await call(second.url, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { key });
      await second.close();
      const third = await startSandbox(db.database.db, receiver.url);
      try {
        const replayed = await call(third.url, 'POST', `/sandbox/v1/intents/${intent.id}/capture`, { key });
        expect(replayed.body).toEqual(captured.body);
        expect(replayed.headers.get('idempotent-replayed')).toBe('true');
        expect((await call(third.url, 'GET', `/sandbox/v1/intents/${intent.id}`)).body.capture_count).toBe(1);
      } finally {
        await third.close();
      }
    } finally {
      await second.close();
    }
  });
});
