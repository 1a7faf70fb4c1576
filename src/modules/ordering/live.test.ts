import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { closeLiveClients, graphqlSocket, openStream, problemOf, summary } from '../../test-support/live-clients.js';
import { customer, staffOf } from '../../test-support/identity-factories.js';
import { moveTestOrder, startFeedNode, writeTestOrder, type FeedNode } from '../../test-support/live-factories.js';
import { createStore, organizationWithStore, type TestOrganization } from '../../test-support/tenancy-factories.js';
import { waitFor } from '../../test-support/wait.js';

// --- setup --------------------------------------------------------------------------------------

let t: TestApp;
let org: TestOrganization;
let storeId: string;
const nodes: FeedNode[] = [];
const redisClients: Redis[] = [];

async function node(options: Parameters<typeof startFeedNode>[1] = {}) {
  const started = await startFeedNode(t, options);
  nodes.push(started);
  return started;
}

beforeAll(async () => {
  t = await createTestApp();
  const created = await organizationWithStore(t);
  org = created.organization;
  storeId = created.store.id;
});
afterEach(async () => {
  closeLiveClients();
  await Promise.all(nodes.splice(0).map((started) => started.close()));
  for (const client of redisClients.splice(0)) client.disconnect();
});
afterAll(async () => {
  await t.close();
});

const writeOrderOn = (on: FeedNode, customerId: string | null = null, store = storeId) =>
  writeTestOrder(t.db.database.db, on.feed.announce, { organizationId: org.id, storeId: store, customerId });
const moveOrderOn = (on: FeedNode | null, orderId: string, to: Parameters<typeof moveTestOrder>[3]) =>
  moveTestOrder(t.db.database.db, on ? on.feed.announce : null, orderId, to);

// --- the kitchen feed ---------------------------------------------------------------------------

describe('GET /v1/stores/{storeId}/orders/stream (kitchen feed)', () => {
  it('when orders are placed and moved, then the feed streams them live from the moment it connects, with the order as it is now', async () => {
    const a = await node();
    const before = await writeOrderOn(a);

    const feed = await openStream(`${a.url}/v1/stores/${storeId}/orders/stream`, org.owner.token);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(feed.headers.get('cache-control')).toBe('no-store');
    expect(feed.headers.get('x-accel-buffering')).toBe('no');

    const order = await writeOrderOn(a);
    await waitFor('the placement', () => feed.events.length === 1);
    await moveOrderOn(a, order.id, 'accepted');
    await waitFor('the acceptance', () => feed.events.length === 2);

    expect(feed.retry).toBe(2000);
    expect(summary(feed)).toEqual([
      `${order.number} order.placed placed`,
      `${order.number} order.status_changed accepted`,
    ]);
    expect(feed.events.map((event) => event.data.order.id)).not.toContain(before.id);
    const [placed, accepted] = feed.events;
    expect(placed!.data).toMatchObject({
      type: 'placed',
      from_status: null,
      status: 'placed',
      actor: 'customer',
      reason: null,
    });
    expect(accepted!.data).toMatchObject({
      type: 'status_changed',
      from_status: 'placed',
      status: 'accepted',
      actor: 'staff',
    });
    // Sent after the acceptance committed: the order as it is now.
    expect(accepted!.data.order.status).toBe('accepted');
    expect(accepted!.data.at).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    // Ids are opaque cursors, not the internal sequence numbers.
    for (const event of feed.events) expect(event.id).toMatch(/^[A-Za-z0-9_-]{8,}$/);
  });

  it('when a tablet connects while the store’s feed is busy (other tablets, constant wake-ups), then it still starts from now', async () => {
    // Polls every few milliseconds: wake-ups land while the new stream is being set up.
    const a = await node({ pollMs: 2 });
    const first = await openStream(`${a.url}/v1/stores/${storeId}/orders/stream`, org.owner.token);
    await writeOrderOn(a);
    await waitFor('the first tablet’s event', () => first.events.length === 1);
    for (let tablet = 0; tablet < 5; tablet++) {
      const late = await openStream(`${a.url}/v1/stores/${storeId}/orders/stream`, org.owner.token);
      const order = await writeOrderOn(a);
      await waitFor('the new order', () => late.events.length >= 1);
      expect(late.events.map((event) => event.data.order.id)).toEqual([order.id]);
      late.close();
    }
  });

  it('when a tablet reconnects with Last-Event-ID, then it first receives exactly the events it missed, in order and once, then live ones', async () => {
    // Two rows per read: catching up takes several reads.
    const a = await node({ batchSize: 2 });
    const first = await openStream(`${a.url}/v1/stores/${storeId}/orders/stream`, org.owner.token);
    const one = await writeOrderOn(a);
    const two = await writeOrderOn(a);
    await waitFor('two placements', () => first.events.length === 2);
    const lastSeen = first.events[1]!.id!;
    first.close();

    // Missed while offline.
    const three = await writeOrderOn(a);
    await moveOrderOn(a, one.id, 'accepted');
    await moveOrderOn(a, three.id, 'accepted');

    const again = await openStream(`${a.url}/v1/stores/${storeId}/orders/stream`, org.owner.token, {
      'last-event-id': lastSeen,
    });
    await waitFor('the missed events', () => again.events.length === 3);
    await moveOrderOn(a, two.id, 'rejected');
    await waitFor('the live event', () => again.events.length === 4);

    expect(summary(again)).toEqual([
      `${three.number} order.placed placed`,
      `${one.number} order.status_changed accepted`,
      `${three.number} order.status_changed accepted`,
      `${two.number} order.status_changed rejected`,
    ]);
    expect(new Set(again.events.map((event) => event.id)).size).toBe(4);

    // ?last_event_id= for clients that cannot set headers: the same replay.
    const byQuery = await openStream(
      `${a.url}/v1/stores/${storeId}/orders/stream?last_event_id=${encodeURIComponent(lastSeen)}`,
      org.owner.token,
    );
    await waitFor('the replay by query', () => byQuery.events.length === 4);
    expect(summary(byQuery)).toEqual(summary(again));

    // The header wins over the query: EventSource reconnects send the newest id as the header.
    const both = await openStream(
      `${a.url}/v1/stores/${storeId}/orders/stream?last_event_id=${encodeURIComponent(lastSeen)}`,
      org.owner.token,
      {
        'last-event-id': again.events[2]!.id!,
      },
    );
    await waitFor('the replay after the header’s id', () => both.events.length === 1);
    expect(summary(both)).toEqual([`${two.number} order.status_changed rejected`]);
  });

  it('when Last-Event-ID is malformed, then the answer is a 400 problem and no stream', async () => {
    const a = await node();
    const url = `${a.url}/v1/stores/${storeId}/orders/stream`;
    for (const bad of [
      'not-a-cursor',
      Buffer.from(JSON.stringify({ seq: '-1' })).toString('base64url'),
      Buffer.from('{"seq":5}').toString('base64url'),
    ]) {
      const header = await problemOf(url, org.owner.token, { 'last-event-id': bad });
      expect(header.status).toBe(400);
      expect(header.contentType).toMatch(/^application\/problem\+json/);
      expect(header.body.code).toBe('INVALID_LAST_EVENT_ID');
      expect(header.body.errors?.[0]?.path).toBe('/headers/last-event-id');
    }
    const query = await problemOf(`${url}?last_event_id=nope`, org.owner.token);
    expect(query.status).toBe(400);
    expect(query.body.errors?.[0]?.path).toBe('/querystring/last_event_id');
  });

  it('when the caller is a colleague from another store, then 403; from another organization, 404; without a token, 401', async () => {
    const a = await node();
    const otherStore = await createStore(t, { organizationId: org.id });
    const colleague = await staffOf(t, { organizationId: org.id, storeId: otherStore.id, role: 'staff' });
    const outsider = await organizationWithStore(t);
    const url = `${a.url}/v1/stores/${storeId}/orders/stream`;

    expect((await problemOf(url, colleague.token)).status).toBe(403);
    expect((await problemOf(url, outsider.organization.owner.token)).status).toBe(404);
    expect((await problemOf(url, null)).status).toBe(401);
    expect(
      (await problemOf(`${a.url}/v1/stores/${otherStore.id}/orders/stream`, outsider.organization.owner.token)).status,
    ).toBe(404);

    // The store's own staff may watch it.
    const own = await staffOf(t, { organizationId: org.id, storeId, role: 'staff' });
    const feed = await openStream(url, own.token);
    expect(feed.status).toBe(200);
  });

  it('when an announce is lost, then the backstop poll still delivers the change', async () => {
    const a = await node({ pollMs: 100 });
    const feed = await openStream(`${a.url}/v1/stores/${storeId}/orders/stream`, org.owner.token);
    const order = await writeTestOrder(t.db.database.db, async () => undefined, {
      organizationId: org.id,
      storeId,
      customerId: null,
    });
    await waitFor('the placement, by polling', () => feed.events.length === 1);
    expect(feed.events[0]!.data.order.id).toBe(order.id);
  });

  it('when the stream is quiet, then heartbeats keep it alive; when the server shuts down, then open streams end and close does not hang', async () => {
    const a = await node({ heartbeatMs: 50 });
    const feed = await openStream(`${a.url}/v1/stores/${storeId}/orders/stream`, org.owner.token);
    await waitFor('a heartbeat', () => feed.comments.includes('heartbeat'));

    nodes.splice(nodes.indexOf(a), 1);
    await a.close();
    await waitFor('the stream to end', () => feed.ended);
  });
});

// --- one order's stream --------------------------------------------------------------------------

describe('GET /v1/orders/{orderId}/events (order stream)', () => {
  it('when the customer follows their order, then they get its history, each change live, and the stream ends after its final status', async () => {
    const a = await node();
    const buyer = await customer(t);
    const order = await writeOrderOn(a, buyer.user.id);
    const other = await writeOrderOn(a, buyer.user.id);

    const stream = await openStream(`${a.url}/v1/orders/${order.id}/events`, buyer.token);
    expect(stream.status).toBe(200);
    await waitFor('the history', () => stream.events.length === 1);
    for (const status of ['accepted', 'preparing', 'ready'] as const) await moveOrderOn(a, order.id, status);
    await moveOrderOn(a, other.id, 'accepted'); // another order of the store: not in this stream
    await moveOrderOn(a, order.id, 'picked_up');

    await waitFor('the stream to end after picked_up', () => stream.ended);
    expect(stream.events.map((event) => `${event.event} ${event.data.status}`)).toEqual([
      'order.placed placed',
      'order.status_changed accepted',
      'order.status_changed preparing',
      'order.status_changed ready',
      'order.status_changed picked_up',
    ]);

    // Reconnecting after the end: nothing was missed, so it ends at once.
    const after = await openStream(`${a.url}/v1/orders/${order.id}/events`, buyer.token, {
      'last-event-id': stream.events[4]!.id!,
    });
    await waitFor('the resumed stream to end', () => after.ended);
    expect(after.events).toEqual([]);

    // Resuming from the middle: what came after, then the end.
    const middle = await openStream(`${a.url}/v1/orders/${order.id}/events`, buyer.token, {
      'last-event-id': stream.events[2]!.id!,
    });
    await waitFor('the rest', () => middle.ended);
    expect(middle.events.map((event) => event.data.status)).toEqual(['ready', 'picked_up']);
  });

  it('when someone else asks, then 404: the customer of another order and staff of another organization; the store’s staff may follow it', async () => {
    const a = await node();
    const buyer = await customer(t);
    const stranger = await customer(t);
    const order = await writeOrderOn(a, buyer.user.id);
    const outsider = await organizationWithStore(t);
    const url = `${a.url}/v1/orders/${order.id}/events`;

    expect((await problemOf(url, stranger.token)).status).toBe(404);
    expect((await problemOf(url, outsider.organization.owner.token)).status).toBe(404);
    expect((await problemOf(`${a.url}/v1/orders/${randomUuid()}/events`, buyer.token)).status).toBe(404);
    expect((await problemOf(url, null)).status).toBe(401);

    const staff = await staffOf(t, { organizationId: org.id, storeId, role: 'courier' });
    const stream = await openStream(url, staff.token);
    expect(stream.status).toBe(200);
    await waitFor('the history', () => stream.events.length === 1);
  });
});

// --- across nodes --------------------------------------------------------------------------------

describe('across api nodes', () => {
  async function expectCrossNode(a: FeedNode, b: FeedNode) {
    const buyer = await customer(t);
    const feed = await openStream(`${b.url}/v1/stores/${storeId}/orders/stream`, org.owner.token);
    const order = await writeOrderOn(a, buyer.user.id);
    await waitFor('the placement on node B', () => feed.events.length === 1);
    const tracking = await openStream(`${b.url}/v1/orders/${order.id}/events`, buyer.token);
    await waitFor('the history on node B', () => tracking.events.length === 1);
    await moveOrderOn(a, order.id, 'rejected');
    await waitFor('the rejection on node B', () => feed.events.length === 2 && tracking.ended);
    expect(summary(feed)).toEqual([
      `${order.number} order.placed placed`,
      `${order.number} order.status_changed rejected`,
    ]);
    expect(tracking.events.map((event) => event.data.status)).toEqual(['placed', 'rejected']);
  }

  it('when node A announces a change (PostgreSQL LISTEN/NOTIFY), then streams on node B deliver it', async () => {
    // A long poll, so only the announcement can deliver within the wait.
    await expectCrossNode(await node({ pollMs: 600_000 }), await node({ pollMs: 600_000 }));
  });

  it.runIf(process.env.REDIS_URL)(
    'when node A announces a change (Redis pub/sub), then streams on node B deliver it',
    async () => {
      const prefix = `brigade-test:${randomBytes(4).toString('hex')}:`;
      const [redisA, redisB] = [new Redis(process.env.REDIS_URL!), new Redis(process.env.REDIS_URL!)];
      redisClients.push(redisA, redisB);
      await expectCrossNode(
        await node({ redis: redisA, redisPrefix: prefix, pollMs: 600_000 }),
        await node({ redis: redisB, redisPrefix: prefix, pollMs: 600_000 }),
      );
    },
  );
});

// --- GraphQL subscription ---------------------------------------------------------------------------

describe('GraphQL subscription orderStatus', () => {
  it('when the customer subscribes on node B and the order moves on node A, then they get its history, each change, and completion after the final status', async () => {
    const a = await node({ pollMs: 600_000 });
    const b = await node({ pollMs: 600_000 });
    const buyer = await customer(t);
    const order = await writeOrderOn(a, buyer.user.id);

    const client = await graphqlSocket(b.url, { authorization: `Bearer ${buyer.token}` });
    expect(client.messages[0]!.type).toBe('connection_ack');
    client.subscribe('1', order.id);
    await waitFor('the history', () => client.of('1').length === 1);
    await moveOrderOn(a, order.id, 'accepted');
    await waitFor('the acceptance', () => client.of('1').length === 2);
    await moveOrderOn(a, order.id, 'cancelled');
    await waitFor('the cancellation and completion', () =>
      client.of('1').some((message) => message.type === 'complete'),
    );

    const data = client.statuses('1');
    expect(data.map((event) => [event.fromStatus, event.status])).toEqual([
      [null, 'placed'],
      ['placed', 'accepted'],
      ['accepted', 'cancelled'],
    ]);
    expect(data[0]).toMatchObject({ orderId: order.id, number: order.number });
    expect(data[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    expect(client.of('1').at(-1)!.type).toBe('complete');
  });

  it('when the caller is not signed in, not the order’s customer or sends a bad token, then the subscription fails; a malformed authorization is refused at connection', async () => {
    const a = await node();
    const buyer = await customer(t);
    const stranger = await customer(t);
    const order = await writeOrderOn(a, buyer.user.id);

    const anonymous = await graphqlSocket(a.url, undefined);
    anonymous.subscribe('1', order.id);
    await waitFor('an error', () => anonymous.of('1').length > 0);
    expect(anonymous.of('1')[0]).toMatchObject({
      type: 'error',
      payload: [{ extensions: { code: 'UNAUTHENTICATED' } }],
    });

    const other = await graphqlSocket(a.url, { authorization: `Bearer ${stranger.token}` });
    other.subscribe('1', order.id);
    await waitFor('an error', () => other.of('1').length > 0);
    expect(other.of('1')[0]).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'NOT_FOUND' } }] });

    const forged = await graphqlSocket(a.url, { authorization: 'Bearer not-a-token' });
    forged.subscribe('1', order.id);
    await waitFor('an error', () => forged.of('1').length > 0);
    expect(forged.of('1')[0]).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'INVALID_TOKEN' } }] });

    const malformed = await graphqlSocket(a.url, { authorization: 'Token abc' });
    expect(malformed.messages[0]!.type).toBe('connection_error');
    await waitFor('the socket to close', () => malformed.state.closed);
  });

  it('when the server shuts down with a subscription open, then the subscription completes and close does not hang', async () => {
    const a = await node();
    const buyer = await customer(t);
    const order = await writeOrderOn(a, buyer.user.id);
    const client = await graphqlSocket(a.url, { authorization: `Bearer ${buyer.token}` });
    client.subscribe('1', order.id);
    await waitFor('the history', () => client.of('1').length === 1);

    nodes.splice(nodes.indexOf(a), 1);
    await a.close();
    await waitFor('the socket to close', () => client.state.closed);
  });
});

// --- OpenAPI ---------------------------------------------------------------------------------------

describe('OpenAPI', () => {
  it('when the document is read, then both streams are declared as text/event-stream with their problems', async () => {
    const a = await node();
    const doc = (await (await fetch(`${a.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { operationId: string; responses: Record<string, { content?: Record<string, unknown> }> }>
      >;
    };
    const kitchen = doc.paths['/v1/stores/{storeId}/orders/stream']!.get!;
    const order = doc.paths['/v1/orders/{orderId}/events']!.get!;
    expect(kitchen.operationId).toBe('streamStoreOrders');
    expect(order.operationId).toBe('streamOrderEvents');
    for (const operation of [kitchen, order]) {
      expect(Object.keys(operation.responses['200']!.content!)).toEqual(['text/event-stream']);
      expect(operation.responses).toHaveProperty('400');
      expect(operation.responses).toHaveProperty('404');
    }
    expect(kitchen.responses).toHaveProperty('403');
  });
});

function randomUuid() {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
