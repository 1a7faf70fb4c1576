// Delivery of webhooks (issue 17): a real receiver on loopback gets the outbox's events in the
// Standard Webhooks format (verified with the `standardwebhooks` library), on the Svix retry
// schedule driven by a clock the test moves, with per-order FIFO, secret rotation, auto-disable
// and a sender that dies mid-send. The sending loop is drained by the test: no sleeps.
import { Webhook } from 'standardwebhooks';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastAudit } from '../../test-support/audit-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import { startReceiver, type Receiver } from '../../test-support/webhook-receiver.js';
import { waitFor } from '../../test-support/wait.js';
import { leaseDue } from './delivery-repo.js';
import { fanOut } from './messages.js';
import { signedHeaders } from './signing.js';
import { webhookTables } from './tables.js';

let t: TestApp;
let receiver: Receiver;
// Starts at the real time: standardwebhooks checks a timestamp against it (5 minutes' tolerance).
let now = new Date();
const clock = () => now;
const advance = (ms: number) => (now = new Date(now.getTime() + ms));
const SECOND = 1000;
const HOUR = 3_600_000;

beforeAll(async () => {
  t = await createTestApp({}, { clock });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

const drain = () => t.modules.webhooks.sending.drain();
const db = () => t.db.database.db;

async function endpointFor(
  shop: { organization: { id: string }; ownerToken: string },
  body: Record<string, unknown> = {},
): Promise<{ id: string; secret: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/organizations/${shop.organization.id}/webhook-endpoints`,
    headers: bearer(shop.ownerToken),
    payload: { url: receiver.url, event_types: ['order.placed', 'webhook.test'], ...body },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const sendTest = async (shop: { organization: { id: string }; ownerToken: string }, endpointId: string) => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/organizations/${shop.organization.id}/webhook-endpoints/${endpointId}/test`,
    headers: bearer(shop.ownerToken),
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json<{ message_id: string }>().message_id;
};

const messageOf = (id: string) =>
  webhookTables(db()).selectFrom('webhook_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const receivedFor = (messageId: string) =>
  receiver.received.filter((r) => r.headers['webhook-id'] === `msg_${messageId}`);

describe('an order reaching a partner', () => {
  it('when an order is placed, then the receiver gets order.placed once, signed so standardwebhooks verifies it, and a replay carries the same webhook-id', async () => {
    const shop = await orderingStore(t);
    const endpoint = await endpointFor(shop);
    const worker = await t.startWorker();
    const placed = await placeOrder(t, shop.ownerToken, shop.store.id, {
      channel: 'pickup',
      lines: [margheritaLine(shop.ids)],
      payment: { method: 'cash' },
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const orderId = placed.json<{ id: string }>().id;
    const delivered = await waitFor('order.placed at the receiver', () =>
      receiver.received.find((r) => r.body.includes(orderId)),
    );
    await worker.stop();

    const verified = new Webhook(endpoint.secret).verify(delivered.body, delivered.headers) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(verified.type).toBe('order.placed');
    expect(verified.data).toMatchObject({ order_id: orderId, store_id: shop.store.id, channel: 'pickup' });
    expect(delivered.body).not.toContain('ordering.');
    expect(delivered.body).not.toContain('customer_id');
    expect(() =>
      new Webhook(endpoint.secret).verify(delivered.body.replace('pickup', 'delivery'), delivered.headers),
    ).toThrow();
    const stale = signedHeaders(
      [endpoint.secret],
      delivered.headers['webhook-id']!,
      Math.floor(Date.now() / 1000) - 600,
      delivered.body,
    );
    expect(() => new Webhook(endpoint.secret).verify(delivered.body, { ...stale })).toThrow(/timestamp/i);

    const replay = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${shop.organization.id}/webhook-endpoints/${endpoint.id}/replay`,
      headers: bearer(shop.ownerToken),
      payload: { since: new Date(now.getTime() - HOUR).toISOString() },
    });
    expect(replay.statusCode, replay.body).toBe(202);
    await drain();
    const copies = receiver.received.filter((r) => r.body.includes(orderId));
    expect(copies).toHaveLength(2);
    expect(new Set(copies.map((r) => r.headers['webhook-id'])).size).toBe(1);
  });
});

describe('secret rotation', () => {
  it('when the secret is rotated, then for 24 hours both secrets sign (standardwebhooks verifies with either), and after that only the new one', async () => {
    const shop = await orderingStore(t);
    const endpoint = await endpointFor(shop);
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${shop.organization.id}/webhook-endpoints/${endpoint.id}/rotate-secret`,
      headers: bearer(shop.ownerToken),
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const fresh = rotated.json<{ secret: string }>().secret;
    expect(fresh).not.toBe(endpoint.secret);
    const first = await sendTest(shop, endpoint.id);
    await drain();
    const [during] = receivedFor(first);
    expect(during!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [endpoint.secret, fresh])
      expect(new Webhook(secret).verify(during!.body, during!.headers)).toBeTruthy();

    advance(24 * HOUR + SECOND);
    const second = await sendTest(shop, endpoint.id);
    await drain();
    const [after] = receivedFor(second);
    const { 'webhook-signature': expected } = signedHeaders(
      [fresh],
      after!.headers['webhook-id']!,
      Number(after!.headers['webhook-timestamp']),
      after!.body,
    );
    expect(after!.headers['webhook-signature']).toBe(expected);
  });
});

describe('per-order FIFO', () => {
  it('when an ordered endpoint’s first message about an order fails, then the later one about that order waits, while another order’s goes', async () => {
    const shop = await orderingStore(t);
    await endpointFor(shop, { ordered: true, event_types: ['order.placed', 'order.accepted'] });
    const [orderA, orderB] = [uuidv7(), uuidv7()];
    const event = (type: string, orderId: string) => ({ type, data: { order_id: orderId }, orderId });
    const fan = (type: string, orderId: string) =>
      db()
        .transaction()
        .execute((trx) =>
          fanOut(trx, {
            organizationId: shop.organization.id,
            eventId: uuidv7(),
            at: now,
            now,
            event: event(type, orderId),
          }),
        );
    receiver.answer(500);
    await fan('order.placed', orderA);
    expect(await drain()).toBe(1);
    receiver.answer(200);
    await fan('order.accepted', orderA);
    await fan('order.placed', orderB);
    expect(await drain()).toBe(1);
    expect(receiver.received.at(-1)!.body).toContain(orderB);

    advance(6 * SECOND);
    expect(await drain()).toBe(2);
    const forA = receiver.received.filter((r) => r.body.includes(orderA)).map((r) => JSON.parse(r.body).type);
    expect(forA).toEqual(['order.placed', 'order.placed', 'order.accepted']);
  });
});

describe('a sender that dies mid-send', () => {
  it('when a sender leased a message and never recorded it, then once the lease ends another sends it with the same webhook-id', async () => {
    const shop = await orderingStore(t);
    const endpoint = await endpointFor(shop);
    const messageId = await sendTest(shop, endpoint.id);
    const taken = await leaseDue(db(), 100, now);
    expect(taken.map((m) => m.id)).toContain(messageId);
    expect(await drain()).toBe(0);
    advance(61 * SECOND);
    expect(await drain()).toBe(1);
    expect(receivedFor(messageId)).toHaveLength(1);
    expect((await messageOf(messageId)).state).toBe('delivered');
  });
});

describe('the retry schedule', () => {
  it('when the receiver keeps failing, then it is tried at once and after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (each with at most 10% jitter), then the message fails', async () => {
    const shop = await orderingStore(t);
    const endpoint = await endpointFor(shop);
    receiver.answer(503);
    const messageId = await sendTest(shop, endpoint.id);
    const delays = [5 * SECOND, 5 * 60 * SECOND, 30 * 60 * SECOND, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];
    await drain();
    for (const delay of delays) {
      const before = now.getTime();
      const message = await messageOf(messageId);
      expect(message.state).toBe('pending');
      const wait = message.next_attempt_at.getTime() - before;
      expect(wait).toBeGreaterThanOrEqual(delay);
      expect(wait).toBeLessThanOrEqual(delay * 1.1 + 1);
      advance(wait - 1);
      expect(await drain()).toBe(0);
      advance(1);
      expect(await drain()).toBe(1);
    }
    receiver.answer(200);
    const message = await messageOf(messageId);
    expect(message).toMatchObject({ state: 'failed', attempts: 8 });
    expect(receivedFor(messageId)).toHaveLength(8);
    const attempts = await webhookTables(db())
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('message_id', '=', messageId)
      .execute();
    expect(attempts.map((a) => a.status_code)).toEqual(Array(8).fill(503));
    expect(attempts[0]!.response_excerpt).toBe('failing with 503');
  });

  it('when a receiver asks Retry-After: 3600, then the next attempt waits the hour rather than 5 s', async () => {
    const shop = await orderingStore(t);
    const endpoint = await endpointFor(shop);
    receiver.answer(429, { 'retry-after': '3600' });
    const messageId = await sendTest(shop, endpoint.id);
    await drain();
    receiver.answer(200);
    const message = await messageOf(messageId);
    expect(message.next_attempt_at.getTime() - now.getTime()).toBe(HOUR);
  });
});

describe('an endpoint that keeps failing', () => {
  it('when every attempt has failed for 5 days, then the endpoint is disabled, audited, and sends nothing until enabled again', async () => {
    const shop = await orderingStore(t);
    const endpoint = await endpointFor(shop);
    receiver.answer(500);
    await sendTest(shop, endpoint.id);
    await drain();
    advance(5 * 24 * HOUR + SECOND);
    const later = await sendTest(shop, endpoint.id);
    await drain();
    const row = await webhookTables(db())
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', endpoint.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'disabled', disabled_reason: 'failing' });
    const audit = await lastAudit(
      t,
      { token: shop.ownerToken },
      shop.organization.id,
      'webhooks.endpoint.disabled',
      endpoint.id,
    );
    expect(audit.changes.after).toMatchObject({ state: 'disabled', disabled_reason: 'failing' });
    const told = await t.app.inject({
      method: 'GET',
      url: '/sandbox/v1/messages',
      query: { to: shop.organization.owner.user.email },
    });
    expect(told.json<{ data: Array<{ template: string }> }>().data.map((m) => m.template)).toContain(
      'webhooks.endpoint_disabled',
    );
    receiver.answer(200);
    await sendTest(shop, endpoint.id);
    expect(await drain()).toBe(0);

    const enabled = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${shop.organization.id}/webhook-endpoints/${endpoint.id}/enable`,
      headers: bearer(shop.ownerToken),
    });
    expect(enabled.statusCode, enabled.body).toBe(200);
    advance(HOUR);
    expect(await drain()).toBeGreaterThanOrEqual(2);
    expect((await messageOf(later)).state).toBe('delivered');
  });

  it('when five attempts in a row fail, then the endpoint’s breaker opens: its other due messages wait without a connection, and one trial goes after the pause', async () => {
    const shop = await orderingStore(t);
    const endpoint = await endpointFor(shop);
    receiver.answer(500);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await sendTest(shop, endpoint.id));
    const connectionsBefore = receiver.received.length;
    await drain();
    const attempted = async () =>
      (
        await webhookTables(db())
          .selectFrom('webhook_attempts')
          .select('message_id')
          .where('endpoint_id', '=', endpoint.id)
          .execute()
      ).length;
    // The batch runs its lanes at once: all eight may be on their way before the fifth failure lands.
    const first = await attempted();
    expect(first).toBeGreaterThanOrEqual(5);
    // Past the schedule's 5 s and the breaker's 10 s pause every message is due, but only one trial goes.
    advance(11 * SECOND);
    await drain();
    const second = await attempted();
    expect(second - first).toBe(1);
    expect(receiver.received.length - connectionsBefore).toBe(second);

    receiver.answer(200);
    const delivered = async () =>
      (
        await webhookTables(db()).selectFrom('webhook_messages').select('state').where('id', 'in', ids).execute()
      ).filter((row) => row.state === 'delivered').length;
    // Each failed twice or more: the schedule brings them back within 5 minutes.
    for (let round = 0; round < 5 && (await delivered()) < ids.length; round++) {
      advance(6 * 60 * SECOND);
      await drain();
    }
    expect(await delivered()).toBe(ids.length);
  });

  it('when the receiver answers 410 Gone, then the endpoint is disabled at once', async () => {
    const shop = await orderingStore(t);
    const endpoint = await endpointFor(shop);
    receiver.answer(410);
    await sendTest(shop, endpoint.id);
    await drain();
    receiver.answer(200);
    const row = await webhookTables(db())
      .selectFrom('webhook_endpoints')
      .select(['state', 'disabled_reason'])
      .where('id', '=', endpoint.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'disabled', disabled_reason: 'gone' });
  });
});
