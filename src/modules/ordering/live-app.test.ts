// Live tracking through the whole app, as deployed: two api nodes (two buildApp instances on one
// database, each with its own fan-out), orders placed and moved over HTTP on one node, and the
// kitchen feed, the order stream and the GraphQL subscription open on the other. The backstop
// poll is set far beyond every wait here, so only the modules' announcements can deliver.
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { createLiveFanout, type LiveFanout } from '../../platform/live/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer } from '../../test-support/identity-factories.js';
import { closeLiveClients, graphqlSocket, openStream, summary } from '../../test-support/live-clients.js';
import { margheritaLine, orderingStore } from '../../test-support/ordering-factories.js';
import { listenForTests, type Listening } from '../../test-support/server.js';
import { waitFor } from '../../test-support/wait.js';

let t: TestApp;
let fanoutB: LiveFanout;
let nodeA: Listening;
let nodeB: Listening;
let shop: Awaited<ReturnType<typeof orderingStore>>;

beforeAll(async () => {
  t = await createTestApp({ LIVE_POLL_INTERVAL_MS: '3600000' });
  const logger = pino({ level: 'silent' });
  fanoutB = createLiveFanout({ pool: t.db.database.pool, redis: null, logger, connectionName: 'brigade-live-node-b' });
  const second = await buildApp({ config: t.config, database: t.db.database, logger, tokens: t.tokens, live: fanoutB });
  nodeA = await listenForTests(t.app);
  nodeB = await listenForTests(second.app);
  shop = await orderingStore(t);
});
afterEach(() => closeLiveClients());
afterAll(async () => {
  await nodeB?.close();
  await fanoutB?.close();
  await nodeA?.close();
  await t?.close();
});

async function placeOnA(token: string, key: string) {
  const res = await fetch(`${nodeA.url}/v1/stores/${shop.store.id}/orders`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ channel: 'pickup', lines: [margheritaLine(shop.ids)] }),
  });
  expect(res.status).toBe(201);
  return { order: (await res.json()) as { id: string; number: string }, etag: res.headers.get('etag')! };
}

async function actOnA(token: string, orderId: string, action: string, headers: Record<string, string> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/orders/${orderId}/transitions`,
    headers: { ...bearer(token), ...headers },
    payload: { action },
  });
  expect(res.statusCode, res.body).toBe(200);
}

describe('live tracking across api nodes, through the app', () => {
  it('when a customer orders on node A and the kitchen moves it there, then node B’s kitchen feed, order stream and subscription follow it to picked up', async () => {
    const buyer = await customer(t);
    const kitchen = await openStream(`${nodeB.url}/v1/stores/${shop.store.id}/orders/stream`, shop.ownerToken);
    expect(kitchen.status).toBe(200);

    const { order, etag } = await placeOnA(buyer.token, 'live-app-1');
    await waitFor('the new order on the kitchen feed', () => kitchen.events.length === 1);
    expect(summary(kitchen)).toEqual([`${order.number} order.placed placed`]);

    const tracking = await openStream(`${nodeB.url}/v1/orders/${order.id}/events`, buyer.token);
    const subscription = await graphqlSocket(nodeB.url, { authorization: `Bearer ${buyer.token}` });
    subscription.subscribe('1', order.id);
    await waitFor('the history on both', () => tracking.events.length === 1 && subscription.statuses('1').length === 1);

    await actOnA(shop.ownerToken, order.id, 'accept', { 'if-match': etag });
    for (const action of ['start_preparing', 'mark_ready', 'hand_over'])
      await actOnA(shop.ownerToken, order.id, action);

    await waitFor('the stream to end after picked_up', () => tracking.ended);
    await waitFor('the subscription to complete', () =>
      subscription.of('1').some((message) => message.type === 'complete'),
    );
    await waitFor('every change on the kitchen feed', () => kitchen.events.length === 5);
    const path = ['placed', 'accepted', 'preparing', 'ready', 'picked_up'];
    expect(kitchen.events.map((event) => event.data.status)).toEqual(path);
    expect(tracking.events.map((event) => event.data.status)).toEqual(path);
    expect(subscription.statuses('1').map((event) => event.status)).toEqual(path);
    expect(kitchen.events[1]!.data).toMatchObject({ actor: 'staff', from_status: 'placed' });
  });

  it('when the customer cancels on node A, then node B’s kitchen feed shows the cancellation with the customer as actor', async () => {
    const buyer = await customer(t);
    const kitchen = await openStream(`${nodeB.url}/v1/stores/${shop.store.id}/orders/stream`, shop.ownerToken);
    const { order } = await placeOnA(buyer.token, 'live-app-2');
    await actOnA(buyer.token, order.id, 'cancel');
    await waitFor('placement and cancellation', () => kitchen.events.length === 2);
    expect(summary(kitchen)).toEqual([
      `${order.number} order.placed placed`,
      `${order.number} order.status_changed cancelled`,
    ]);
    expect(kitchen.events[1]!.data.actor).toBe('customer');
  });
});
