// Staff hear about new orders no kitchen display shows, and about low stock: real app and worker
// (relay and the sending loop) and a real SMTP server. A cash order mails the store's staff and
// managers (not another store's, not the owners while the store has staff); an open kitchen feed
// silences it; an online order is told once its payment is authorized, not when placed; an order
// that takes an item across its low-stock mark mails the managers, or the owners when the store
// has none, in their language, once however often the event is delivered.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../platform/db/index.js';
import type { CloudEvent } from '../../platform/events/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, staffOf } from '../../test-support/identity-factories.js';
import { createStore } from '../../test-support/tenancy-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import { payAtSandbox, placeOnline } from '../../test-support/payments-factories.js';
import { waitFor } from '../../test-support/wait.js';
import { startSmtpServer } from './test-servers.js';

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestApp({ SMTP_URL: smtp.url }, { sandbox: true });
  await t.startWorker();
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

type Shop = Awaited<ReturnType<typeof orderingStore>>;
const db = () => t.db.database.db;

/** The store's crew: a manager and a cook of the store, and a cook of another store of the brand. */
async function crew(shop: Shop) {
  const organizationId = shop.organization.id;
  const elsewhere = await createStore(t, { organizationId, name: 'Elsewhere' });
  return {
    manager: await staffOf(t, { organizationId, storeId: shop.store.id, role: 'manager' }),
    cook: await staffOf(t, { organizationId, storeId: shop.store.id, role: 'staff' }),
    otherCook: await staffOf(t, { organizationId, storeId: elsewhere.id, role: 'staff' }),
  };
}

/** The outbox event of this type about this aggregate, once the staff subscriber has processed it. */
async function handled(type: string, aggregateId: string) {
  return waitFor(`${type} to reach the staff notices`, async () => {
    const { rows } = await sql<{ id: string; data: Record<string, unknown> }>`
      SELECT o.id, o.data FROM outbox o
      JOIN processed_events p ON p.event_id = o.id AND p.subscriber = 'notifications.tell-staff'
      WHERE o.type = ${type} AND o.aggregate_id = ${aggregateId}
    `.execute(db());
    return rows[0];
  });
}

const subjects = (email: string) => smtp.to(email).map((mail) => mail.subject);
/** The subjects a person got once the expected one arrived (the SMTP server reads after the send resolved). */
const mailed = (email: string, subject: string) =>
  waitFor(`"${subject}" to reach ${email}`, () => subjects(email).some((s) => s.includes(subject)) && subjects(email));

async function placeCash(shop: Shop, quantity = 1) {
  const placed = await placeOrder(t, shop.ownerToken, shop.store.id, {
    channel: 'pickup',
    lines: [margheritaLine(shop.ids, quantity)],
  });
  expect(placed.statusCode, placed.body).toBe(201);
  return placed.json<{ id: string; number: string }>();
}

describe('new orders', () => {
  it('when a cash order arrives and no kitchen display is open, then the store’s staff and manager are mailed, no one else', async () => {
    const shop = await orderingStore(t, {}, { name: 'Nonna Pia' });
    const people = await crew(shop);
    const order = await placeCash(shop);
    await handled('ordering.order.placed', order.id);
    await t.modules.notifications.api.deliverDue();

    const expected = `New order ${order.number} at Nonna Pia`;
    expect(await mailed(people.manager.user.email, expected)).toEqual([expected]);
    expect(await mailed(people.cook.user.email, expected)).toEqual([expected]);
    const [mail] = smtp.to(people.cook.user.email);
    expect(mail!.text).toContain('a new pickup order');
    expect(mail!.text).toMatch(/1 × Margherita/);
    expect(mail!.text).toContain(`Hello ${people.cook.user.name}`);
    expect(subjects(people.otherCook.user.email)).toEqual([]);
    expect(subjects(shop.organization.owner.user.email)).toEqual([]);
  });

  it('when a kitchen display follows the store, then a new order mails no one', async () => {
    const shop = await orderingStore(t);
    const people = await crew(shop);
    // A fresh presence row is what an open feed keeps (presence.test.ts opens real ones).
    await sql`INSERT INTO kitchen_feed_presence (id, store_id, seen_at)
      VALUES (gen_random_uuid(), ${shop.store.id}, now())`.execute(db());
    const order = await placeCash(shop);
    await handled('ordering.order.placed', order.id);
    await t.modules.notifications.api.deliverDue();
    expect(subjects(people.manager.user.email)).toEqual([]);
    expect(subjects(people.cook.user.email)).toEqual([]);
  });

  it('when an online order is placed, then staff hear of it only once its payment is authorized', async () => {
    const shop = await orderingStore(t);
    const people = await crew(shop);
    const order = await placeOnline(t, shop.ownerToken, shop);
    await handled('ordering.order.placed', order.id);
    await t.modules.notifications.api.deliverDue();
    expect(subjects(people.cook.user.email)).toEqual([]);

    const paid = await payAtSandbox(t, order.payment);
    expect(paid.status).toBe(200);
    await handled('ordering.order.payment_authorized', order.id);
    await t.modules.notifications.api.deliverDue();
    expect(await mailed(people.cook.user.email, `New order ${order.number}`)).toHaveLength(1);
  });
});

describe('low stock', () => {
  async function markedStock(shop: Shop, quantity: number, lowStockAt: number) {
    const res = await t.app.inject({
      method: 'PUT',
      url: `/v1/stores/${shop.store.id}/stock/${shop.ids.items.margherita}`,
      headers: bearer(shop.ownerToken),
      payload: { quantity, low_stock_at: lowStockAt },
    });
    expect(res.statusCode, res.body).toBe(200);
  }

  it('when an order takes an item across its mark, then the managers are mailed once, in their language, however often the event arrives', async () => {
    const shop = await orderingStore(t, {}, { name: 'Nonna Pia' });
    const people = await crew(shop);
    const german = await t.app.inject({
      method: 'PUT',
      url: '/v1/me/notification-preferences',
      headers: bearer(people.manager.token),
      payload: {
        email: { transactional: true, marketing: false },
        sms: { transactional: true, marketing: false },
        locale: 'de',
      },
    });
    expect(german.statusCode, german.body).toBe(200);
    await markedStock(shop, 4, 2);
    await placeCash(shop, 2);
    const alert = await handled('inventory.stock.low', shop.store.id);
    // Delivered a second and third time (a relay retry): still one message per person.
    const subscription = t.events.bus
      .subscriptionsFor('inventory.stock.low')
      .find((s) => s.subscriber === 'notifications.tell-staff')!;
    const event: CloudEvent<string, unknown> = {
      specversion: '1.0',
      id: alert.id,
      source: 'test',
      type: 'inventory.stock.low',
      subject: `stock/${shop.store.id}`,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      partitionkey: `stock:${shop.store.id}`,
      data: alert.data,
    };
    for (let i = 0; i < 2; i++) await inTransaction(db(), (trx) => subscription.handler(event, { trx, attempt: 2 }));
    await t.modules.notifications.api.deliverDue();

    const subject = 'Margherita wird knapp bei Nonna Pia';
    expect((await mailed(people.manager.user.email, subject)).filter((s) => s === subject)).toHaveLength(1);
    const mail = smtp.to(people.manager.user.email).find((m) => m.subject === subject);
    expect(mail!.text).toContain('nur noch 2 übrig (Ihre Marke: 2)');
    // One message in all: the manager's email (the cook is not a manager, the owner not needed).
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM outgoing_messages WHERE dedupe_key LIKE ${`${alert.id}:%`}`.execute(db());
    expect(rows[0]!.n).toBe(1);
    expect(subjects(people.cook.user.email).filter((s) => s.includes('Margherita'))).toEqual([]);
  });

  it('when the store has no manager, then the owners are told of low stock', async () => {
    const shop = await orderingStore(t);
    await markedStock(shop, 3, 2);
    await placeCash(shop, 1);
    await handled('inventory.stock.low', shop.store.id);
    await t.modules.notifications.api.deliverDue();
    const owner = shop.organization.owner.user.email;
    await mailed(owner, 'Margherita is running low');
    const mail = smtp.to(owner).find((m) => m.subject.startsWith('Margherita is running low'));
    expect(mail!.text).toContain('Margherita is down to 2');
  });
});
