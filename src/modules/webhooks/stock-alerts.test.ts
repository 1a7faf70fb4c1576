// The public `stock.low` webhook: an order taking an item across its low-stock mark reaches a
// partner subscribed to it, with the catalogue's shape (no order, no internal names), and is not
// held behind the order's own messages (it is about the item, so no per-order FIFO key).
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import { startReceiver, type Receiver } from '../../test-support/webhook-receiver.js';
import { waitFor } from '../../test-support/wait.js';
import { EVENT_TYPES } from './catalogue.js';
import { webhookTables } from './tables.js';

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  t = await createTestApp({ WEBHOOKS_ALLOWED_NETWORKS: '127.0.0.0/8' });
  receiver = await startReceiver();
  await t.startWorker();
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

describe('stock.low', () => {
  it('when an order takes an item across its mark, then a subscribed partner gets stock.low in the catalogue’s shape', async () => {
    const shop = await orderingStore(t);
    const item = shop.ids.items.margherita!;
    const endpoint = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${shop.organization.id}/webhook-endpoints`,
      headers: bearer(shop.ownerToken),
      payload: { url: receiver.url, event_types: ['stock.low'], ordered: true },
    });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    const stock = await t.app.inject({
      method: 'PUT',
      url: `/v1/stores/${shop.store.id}/stock/${item}`,
      headers: bearer(shop.ownerToken),
      payload: { quantity: 5, low_stock_at: 3 },
    });
    expect(stock.statusCode, stock.body).toBe(200);
    const placed = await placeOrder(t, shop.ownerToken, shop.store.id, {
      channel: 'pickup',
      lines: [margheritaLine(shop.ids, 2)],
    });
    expect(placed.statusCode, placed.body).toBe(201);

    const delivered = await waitFor('stock.low at the receiver', () =>
      receiver.received.find((r) => r.body.includes(item) && r.body.includes('"stock.low"')),
    );
    const body = JSON.parse(delivered.body) as { type: string; data: Record<string, unknown> };
    expect(body.data).toEqual({
      organization_id: shop.organization.id,
      store_id: shop.store.id,
      item_id: item,
      quantity: 3,
      low_stock_at: 3,
    });
    const schema = EVENT_TYPES.find((entry) => entry.type === 'stock.low')!.schema;
    expect(Compile(schema).Check(body.data)).toBe(true);
    expect(delivered.body).not.toContain('inventory.');

    const message = await webhookTables(t.db.database.db)
      .selectFrom('webhook_messages')
      .select(['ordering_key', 'event_type'])
      .where('id', '=', delivered.headers['webhook-id']!.replace(/^msg_/, ''))
      .executeTakeFirstOrThrow();
    expect(message).toEqual({ ordering_key: null, event_type: 'stock.low' });
  });
});
