// The review list cached on two api nodes (two buildApp instances on one database, each with its
// own fan-out): a review posted on node A shows on node B's cached list as soon as B hears A's
// announcement, not when B's page ages out.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { createLiveFanout, type LiveFanout } from '../../platform/live/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import { fulfil } from '../../test-support/payments-factories.js';

let t: TestApp;
let fanoutB: LiveFanout;
let nodeB: Awaited<ReturnType<typeof buildApp>>;
beforeAll(async () => {
  t = await createTestApp();
  const logger = pino({ level: 'silent' });
  fanoutB = createLiveFanout({ pool: t.db.database.pool, redis: null, logger, connectionName: 'brigade-live-node-b' });
  nodeB = await buildApp({ config: t.config, database: t.db.database, logger, tokens: t.tokens, live: fanoutB });
});
afterAll(async () => {
  await nodeB?.app.close();
  await fanoutB?.close();
  await t?.close();
});

async function pickedUpOrder(shop: Awaited<ReturnType<typeof orderingStore>>, token: string) {
  const placed = await placeOrder(t, token, shop.store.id, { channel: 'pickup', lines: [margheritaLine(shop.ids)] });
  expect(placed.statusCode, placed.body).toBe(201);
  const orderId = placed.json<{ id: string }>().id;
  await fulfil(t, shop.ownerToken, orderId);
  return orderId;
}

describe('review lists across api nodes', () => {
  it('when a review is posted on node A, then node B’s cached list shows it once B heard the announcement', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const orderId = await pickedUpOrder(shop, guest.token);
    const listOnB = async () =>
      (await nodeB.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/reviews` })).json<{
        data: unknown[];
        rating_summary: { count: number };
      }>();
    expect((await listOnB()).rating_summary.count).toBe(0); // now cached on B

    // The test listens on B's fan-out too: B's own listener is called for the same message.
    let heard!: () => void;
    const announced = new Promise<void>((resolve) => (heard = resolve));
    const unsubscribe = fanoutB.subscribe('reviews.lists', () => heard());
    await unsubscribe.ready; // the topic's one listen: B's module listens from here on too
    const posted = await t.app.inject({
      method: 'POST',
      url: `/v1/orders/${orderId}/review`,
      headers: bearer(guest.token),
      payload: { rating: 5, comment: 'Crisp and hot' },
    });
    expect(posted.statusCode, posted.body).toBe(201);
    await announced;
    unsubscribe();
    // Read within the page's fresh second: without the announcement B would answer the cached page.
    const after = await listOnB();
    expect(after.rating_summary.count).toBe(1);
    expect(after.data).toHaveLength(1);
  });
});
