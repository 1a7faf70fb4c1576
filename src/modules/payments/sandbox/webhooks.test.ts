// The processor's webhook outbox, delivered to a real local HTTP server: Standard Webhooks
// headers, retries with backoff, dead-lettering, the duplicate-and-shuffle mode, and two
// processors on one database never sending the same attempt. Each test gets its own database:
// every processor on a database delivers that database's outbox.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/harness.js';
import { waitFor } from '../../../test-support/wait.js';
import {
  call,
  confirm,
  createIntent,
  newKey,
  SECRET_KEY,
  startSandbox,
  startWebhookReceiver,
  WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../../../test-support/sandbox-factories.js';
import { verifyWebhookSignature } from './signature.js';
import { MAX_ATTEMPTS, retryDelayMs } from './webhook-sender.js';

let db: TestDatabase;
let receiver: WebhookReceiver;
const cleanups: Array<() => Promise<void>> = [];

beforeEach(async () => {
  db = await createTestDatabase();
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
  await receiver.close();
  await db.drop();
});

async function sandboxWith(overrides: Parameters<typeof startSandbox>[2] = {}) {
  const running = await startSandbox(db.database.db, receiver.url, overrides);
  cleanups.push(() => running.close());
  return running;
}

const deliveries = async () =>
  (
    await db.database.pool.query<{ event_id: string; state: string; attempts: number }>(
      'SELECT event_id, state, attempts FROM sandbox_deliveries ORDER BY id',
    )
  ).rows;

describe('sandbox webhook delivery', () => {
  it('when an event is delivered, then it is a signed Standard Webhooks message that verifies against the raw body', async () => {
    const { url } = await sandboxWith();
    const intent = await createIntent(url);
    await confirm(url, intent, '4242424242424242');
    const [webhook] = await waitFor('the webhook', () =>
      receiver.received.length > 0 ? receiver.received : undefined,
    );
    expect(webhook!.headers['content-type']).toBe('application/json');
    expect(webhook!.headers['webhook-id']).toBe(webhook!.event.id);
    expect(webhook!.event).toMatchObject({
      type: 'intent.authorized',
      data: { intent: { id: intent.id, status: 'authorized' } },
    });
    expect(webhook!.event.id).toMatch(/^se_/);
    const timestamp = Number(webhook!.headers['webhook-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(30);
    expect(webhook!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, webhook!.raw, webhook!.headers, new Date())).toEqual({
      id: webhook!.event.id,
      timestamp,
    });
    await waitFor('the delivery to be recorded', async () => (await deliveries())[0]?.state === 'delivered');
  });

  it('when the receiver answers 500 and then 200, then the event is retried after the backoff and delivered once accepted', async () => {
    receiver.respond = (_webhook, nth) => (nth === 0 ? 500 : 200);
    const { url } = await sandboxWith();
    const intent = await createIntent(url);
    await call(url, 'POST', `/sandbox/v1/intents/${intent.id}/void`, { key: newKey() });
    await waitFor('the retry', () => (receiver.received.length >= 2 ? true : undefined), 10_000);
    const [first, second] = receiver.received;
    expect([first!.status, second!.status]).toEqual([500, 200]);
    expect(second!.event.id).toBe(first!.event.id);
    expect(second!.raw.equals(first!.raw)).toBe(true);
    // Re-signed for the retry: the signature covers the new attempt's timestamp.
    expect(verifyWebhookSignature(WEBHOOK_SECRET, second!.raw, second!.headers, new Date())).toMatchObject({
      id: first!.event.id,
    });
    await waitFor('the delivery to be recorded', async () => {
      const [row] = await deliveries();
      return row?.state === 'delivered' ? row : undefined;
    }).then((row) => expect(row.attempts).toBe(2));
  });

  it('when the receiver keeps failing, then attempts back off exponentially and the delivery is dead after the last one', async () => {
    expect([1, 2, 3, 4, 7, 8, 12].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
    receiver.respond = () => 503;
    // The processor's clock is moved past each backoff, so twelve attempts take no real minutes.
    let offsetMs = 0;
    const { url } = await sandboxWith({ clock: () => new Date(Date.now() + offsetMs) });
    const intent = await createIntent(url);
    await call(url, 'POST', `/sandbox/v1/intents/${intent.id}/void`, { key: newKey() });
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await waitFor(`attempt ${attempt} sent`, () => receiver.received.length === attempt);
      // Recorded once the claim's lease is replaced by the backoff (at most 60 s ahead), or dead.
      await waitFor(`attempt ${attempt} recorded`, async () => {
        const { rows } = await db.database.pool.query<{ state: string; attempts: number; next_attempt_at: Date }>(
          'SELECT state, attempts, next_attempt_at FROM sandbox_deliveries',
        );
        const row = rows[0]!;
        return (
          row.attempts === attempt &&
          (row.state === 'dead' || row.next_attempt_at.getTime() <= Date.now() + offsetMs + 60_000)
        );
      });
      offsetMs += 61_000;
    }
    await waitFor('the delivery to be dead', async () => (await deliveries())[0]?.state === 'dead');
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);
  });

  it('when the mode is duplicate_shuffled, then every event of a batch is delivered twice and the batch in reverse order', async () => {
    const sandbox = await sandboxWith();
    // Loops stopped: the events pile up and go out as one batch when they start again.
    await sandbox.processor.stop();
    const intents = [await createIntent(sandbox.url), await createIntent(sandbox.url), await createIntent(sandbox.url)];
    for (const intent of intents)
      await call(sandbox.url, 'POST', `/sandbox/v1/intents/${intent.id}/void`, { key: newKey() });
    expect(
      await call(sandbox.url, 'POST', '/sandbox/control', { body: { webhook_mode: 'duplicate_shuffled' } }),
    ).toMatchObject({ body: { webhook_mode: 'duplicate_shuffled' } });
    sandbox.processor.start();
    await waitFor('six deliveries', () => (receiver.received.length >= 6 ? true : undefined));
    const order = receiver.received.map((webhook) => webhook.event.data.intent.id);
    const ids = intents.map((intent) => intent.id);
    expect(order).toEqual([ids[2], ids[1], ids[0], ids[2], ids[1], ids[0]]);
    const eventIds = receiver.received.map((webhook) => webhook.event.id);
    expect(new Set(eventIds).size).toBe(3);
    await waitFor('all recorded as delivered', async () =>
      (await deliveries()).every((row) => row.state === 'delivered' && row.attempts === 1),
    );
  });

  it('when two processors share the database, then each event is sent once: claims skip rows another holds', async () => {
    const first = await sandboxWith();
    await sandboxWith();
    const intents = await Promise.all(Array.from({ length: 12 }, () => createIntent(first.url)));
    await Promise.all(
      intents.map((intent) => call(first.url, 'POST', `/sandbox/v1/intents/${intent.id}/void`, { key: newKey() })),
    );
    await waitFor('every delivery recorded', async () => {
      const rows = await deliveries();
      return rows.length === 12 && rows.every((row) => row.state === 'delivered') ? rows : undefined;
    }).then((rows) => expect(rows.every((row) => row.attempts === 1)).toBe(true));
    expect(receiver.received).toHaveLength(12);
    expect(new Set(receiver.received.map((webhook) => webhook.event.id)).size).toBe(12);
  });

  it('when a webhook is read with another secret, then it does not verify', async () => {
    const { url } = await sandboxWith();
    const intent = await createIntent(url);
    await call(url, 'POST', `/sandbox/v1/intents/${intent.id}/void`, { key: newKey() });
    const [webhook] = await waitFor('the webhook', () =>
      receiver.received.length > 0 ? receiver.received : undefined,
    );
    expect(() => verifyWebhookSignature(SECRET_KEY, webhook!.raw, webhook!.headers, new Date())).toThrow(/signature/);
  });
});
