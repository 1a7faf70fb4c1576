import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer } from '../../test-support/identity-factories.js';
import { closeLiveClients, openStream } from '../../test-support/live-clients.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import {
  DEMO_DELIVERY,
  DEMO_DELIVERY_STRINGS,
  placeDeliveryOrder,
} from '../../test-support/personal-data-factories.js';
import { listenForTests, type Listening } from '../../test-support/server.js';
import { waitFor } from '../../test-support/wait.js';

let t: TestApp;
let shop: Awaited<ReturnType<typeof orderingStore>>;
let listening: Listening;

beforeAll(async () => {
  t = await createTestApp();
  shop = await orderingStore(t);
  listening = await listenForTests(t.app);
});
afterAll(async () => {
  closeLiveClients();
  await listening?.close();
  await t?.close();
});

/** Every text column of the order's row, as PostgreSQL stores it. */
const storedRow = async (orderId: string) =>
  (await t.db.database.pool.query<{ text: string }>('SELECT o::text AS text FROM orders o WHERE id = $1', [orderId]))
    .rows[0]!.text;

describe("orders' delivery details at rest", () => {
  it('when a delivery order is placed, then the row holds none of the address, contact or instructions, and the customer, the staff and the kitchen feed see them all', async () => {
    const buyer = await customer(t);
    const kitchen = await openStream(`${listening.url}/v1/stores/${shop.store.id}/orders/stream`, shop.ownerToken);
    const placed = await placeDeliveryOrder(t, buyer.token, shop.store.id, margheritaLine(shop.ids));
    expect(placed.statusCode, placed.body).toBe(201);
    const order = placed.json<{ id: string; delivery: unknown }>();
    expect(order.delivery).toEqual(DEMO_DELIVERY);

    const stored = await storedRow(order.id);
    for (const plain of DEMO_DELIVERY_STRINGS) expect(stored).not.toContain(plain);
    const { rows } = await t.db.database.pool.query<{ delivery: unknown; sealed: Buffer }>(
      'SELECT delivery, delivery_sealed AS sealed FROM orders WHERE id = $1',
      [order.id],
    );
    expect(rows[0]!.delivery).toBeNull();
    expect(rows[0]!.sealed.length).toBeGreaterThan(40);

    const asCustomer = await t.app.inject({
      method: 'GET',
      url: `/v1/orders/${order.id}`,
      headers: bearer(buyer.token),
    });
    expect(asCustomer.json<{ delivery: unknown }>().delivery).toEqual(DEMO_DELIVERY);
    const list = await t.app.inject({
      method: 'GET',
      url: `/v1/stores/${shop.store.id}/orders`,
      headers: bearer(shop.ownerToken),
    });
    expect(
      list.json<{ data: Array<{ id: string; delivery: unknown }> }>().data.find((o) => o.id === order.id),
    ).toMatchObject({ delivery: DEMO_DELIVERY });
    await waitFor('the order on the kitchen feed', () => kitchen.events.length === 1);
    expect(kitchen.events[0]!.data.order).toMatchObject({ id: order.id, delivery: DEMO_DELIVERY });
  });

  it('when the placement is retried with its Idempotency-Key, then the stored response holds none of the details in the clear and the replay shows them', async () => {
    const buyer = await customer(t);
    const key = `pii-replay-${Date.now()}`;
    const body = { channel: 'delivery', lines: [margheritaLine(shop.ids)], delivery: DEMO_DELIVERY };
    const first = await placeOrder(t, buyer.token, shop.store.id, body, key);
    expect(first.statusCode, first.body).toBe(201);
    const { rows } = await t.db.database.pool.query<{ body: Buffer }>(
      'SELECT response_body AS body FROM idempotency_keys WHERE key = $1',
      [key],
    );
    expect(rows).toHaveLength(1);
    for (const plain of DEMO_DELIVERY_STRINGS) expect(rows[0]!.body.includes(Buffer.from(plain))).toBe(false);
    const replay = await placeOrder(t, buyer.token, shop.store.id, body, key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toBe(first.body);
  });

  it("when the organization's data key is rotated, then old orders still read, new ones take the new version, and the re-encryption pass moves the old ones (and rows from before the sealing) forward", async () => {
    const buyer = await customer(t);
    const before = (await placeDeliveryOrder(t, buyer.token, shop.store.id, margheritaLine(shop.ids))).json<{
      id: string;
    }>();
    // A row as written before migration 0014: plaintext details, nothing sealed.
    const legacy = (await placeDeliveryOrder(t, buyer.token, shop.store.id, margheritaLine(shop.ids))).json<{
      id: string;
    }>();
    await t.db.database.pool.query('UPDATE orders SET delivery = $1, delivery_sealed = NULL WHERE id = $2', [
      JSON.stringify(DEMO_DELIVERY),
      legacy.id,
    ]);
    const versionOf = async (orderId: string) =>
      (
        await t.db.database.pool.query<{ version: number | null }>(
          'SELECT get_byte(delivery_sealed, 4) AS version FROM orders WHERE id = $1',
          [orderId],
        )
      ).rows[0]!.version;
    expect(await versionOf(before.id)).toBe(1);

    const { createPersonalDataVault, personalDataKeysFrom } = await import('../../platform/crypto/personal-data.js');
    const operator = createPersonalDataVault(
      personalDataKeysFrom({ ...t.config.personalData, dataDir: t.config.dataDir }),
    );
    expect(await operator.rotateDataKey(t.db.database.db, shop.organization.id)).toBe(2);

    const read = async (orderId: string) =>
      (await t.app.inject({ method: 'GET', url: `/v1/orders/${orderId}`, headers: bearer(buyer.token) })).json<{
        delivery: unknown;
      }>().delivery;
    expect(await read(before.id)).toEqual(DEMO_DELIVERY);
    expect(await read(legacy.id)).toEqual(DEMO_DELIVERY);

    const rewritten = await t.modules.ordering.api.resealDeliveries();
    expect(rewritten).toBeGreaterThanOrEqual(2);
    expect(await versionOf(before.id)).toBe(2);
    expect(await versionOf(legacy.id)).toBe(2);
    for (const plain of DEMO_DELIVERY_STRINGS) expect(await storedRow(legacy.id)).not.toContain(plain);
    expect(await read(before.id)).toEqual(DEMO_DELIVERY);
    expect(await read(legacy.id)).toEqual(DEMO_DELIVERY);
    expect(await t.modules.ordering.api.resealDeliveries()).toBe(0);
    const after = (await placeDeliveryOrder(t, buyer.token, shop.store.id, margheritaLine(shop.ids))).json<{
      id: string;
    }>();
    expect(await versionOf(after.id)).toBe(2);
    expect(await read(after.id)).toEqual(DEMO_DELIVERY);
  });
});
