// Guests hear about their orders: real app and worker (relay and the sending loop), a real SMTP
// server and a local Twilio. An accepted order mails its customer once, however often the event
// is delivered; a guest who opted out gets nothing on that channel; German guests read German;
// names are escaped in HTML; a guest with a phone gets an SMS; a brand's own wording is used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { inTransaction } from '../../platform/db/index.js';
import type { CloudEvent } from '../../platform/events/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, createUser, signIn } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import { act } from '../../test-support/payments-factories.js';
import { waitFor } from '../../test-support/wait.js';
import { startSmtpServer, startTwilioServer } from './test-servers.js';

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let twilio: Awaited<ReturnType<typeof startTwilioServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  twilio = await startTwilioServer();
  t = await createTestApp({
    SMTP_URL: smtp.url,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000002',
    TWILIO_AUTH_TOKEN: 'token',
    TWILIO_FROM: '+15005550006',
    TWILIO_BASE_URL: twilio.url,
  });
  await t.startWorker();
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
  await twilio?.close();
});

type Shop = Awaited<ReturnType<typeof orderingStore>>;
const STORE = 'Trattoria Uno';

async function guest(name = 'Grace Guest', preferences?: Record<string, unknown>) {
  const user = await createUser(t, { name });
  const token = await signIn(t, user);
  if (preferences) {
    const res = await t.app.inject({
      method: 'PUT',
      url: '/v1/me/notification-preferences',
      headers: bearer(token),
      payload: preferences,
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  return { user, token };
}

async function acceptedOrder(shop: Shop, buyer: { token: string }) {
  const placed = await placeOrder(t, buyer.token, shop.store.id, {
    channel: 'pickup',
    lines: [margheritaLine(shop.ids, 2)],
  });
  expect(placed.statusCode, placed.body).toBe(201);
  const order = placed.json<{ id: string; number: string }>();
  await act(t, shop.ownerToken, order.id, 'accept');
  return order;
}

/** Waits until the notices subscriber has processed the order's acceptance. */
async function acceptanceHandled(orderId: string): Promise<string> {
  return waitFor('the acceptance to reach notifications', async () => {
    const { rows } = await sql<{ id: string }>`
      SELECT o.id FROM outbox o JOIN processed_events p ON p.event_id = o.id AND p.subscriber = 'notifications.tell-guest'
      WHERE o.type = 'ordering.order.accepted' AND o.aggregate_id = ${orderId}
    `.execute(t.db.database.db);
    return rows[0]?.id;
  });
}

const choices = (email: boolean, sms: boolean) => ({
  email: { transactional: email, marketing: false },
  sms: { transactional: sms, marketing: false },
});

describe('order confirmed', () => {
  it('when a guest’s order is placed and accepted, then one email reaches them with the order number, store and total', async () => {
    const shop = await orderingStore(t, {}, { name: STORE });
    const buyer = await guest();
    const order = await acceptedOrder(shop, buyer);
    const [mail] = await waitFor(
      'the confirmation',
      () => smtp.to(buyer.user.email).length > 0 && smtp.to(buyer.user.email),
    );
    expect(mail!.subject).toBe(`Your order ${order.number} at ${STORE} is confirmed`);
    expect(mail!.text).toContain(`has confirmed your order ${order.number}`);
    expect(mail!.text).toContain('Hello Grace Guest');
    expect(mail!.text).toMatch(/Total: €\d+\.\d\d/);
    expect(mail!.html).toContain(`<strong>${order.number}</strong>`);
    await acceptanceHandled(order.id);
    await t.modules.notifications.api.deliverDue();
    expect(smtp.to(buyer.user.email)).toHaveLength(1);
  });

  it('when the acceptance is delivered to notifications twice, then the guest still gets one email', async () => {
    const shop = await orderingStore(t, {}, { name: STORE });
    const buyer = await guest();
    const order = await acceptedOrder(shop, buyer);
    const eventId = await acceptanceHandled(order.id);
    const { rows } = await sql<{
      data: Record<string, unknown>;
    }>`SELECT data FROM outbox WHERE id = ${eventId}`.execute(t.db.database.db);
    const subscription = t.events.bus
      .subscriptionsFor('ordering.order.accepted')
      .find((s) => s.subscriber === 'notifications.tell-guest')!;
    const event: CloudEvent<string, unknown> = {
      specversion: '1.0',
      id: eventId,
      source: 'test',
      type: 'ordering.order.accepted',
      subject: `order/${order.id}`,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      partitionkey: `order:${order.id}`,
      data: rows[0]!.data,
    };
    for (let i = 0; i < 2; i++)
      await inTransaction(t.db.database.db, (trx) => subscription.handler(event, { trx, attempt: 2 }));
    await t.modules.notifications.api.deliverDue();
    await waitFor('the confirmation', () => smtp.to(buyer.user.email).length > 0);
    const { rows: messages } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM outgoing_messages WHERE dedupe_key LIKE ${`${eventId}:%:email:%`}
    `.execute(t.db.database.db);
    expect(messages[0]!.n).toBe(1);
    expect(smtp.to(buyer.user.email)).toHaveLength(1);
  });
});

describe('preferences', () => {
  it('when a guest turned transactional email off, then no email is made for their order; their SMS still goes', async () => {
    const shop = await orderingStore(t, {}, { name: STORE });
    const buyer = await guest('Quiet Guest', { ...choices(false, true), phone: '+49 151 2345 6780' });
    const order = await acceptedOrder(shop, buyer);
    await acceptanceHandled(order.id);
    const sms = await waitFor('the SMS', () =>
      twilio.requests.find((request) => request.form.get('To') === '+4915123456780'),
    );
    expect(sms.form.get('Body')).toMatch(
      new RegExp(`^${STORE}: order ${order.number} confirmed\\. Total €\\d+\\.\\d\\d\\.$`),
    );
    await t.modules.notifications.api.deliverDue();
    expect(smtp.to(buyer.user.email)).toEqual([]);
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM outgoing_messages WHERE template = 'notifications.order_confirmed' AND channel = 'email'
        AND dedupe_key LIKE ${`%:${buyer.user.id}`}
    `.execute(t.db.database.db);
    expect(rows[0]!.n).toBe(0);
  });

  it('when a guest reads German, then the mail is German', async () => {
    const shop = await orderingStore(t, {}, { name: STORE });
    const buyer = await guest('Greta Gast', { ...choices(true, false), locale: 'de' });
    const order = await acceptedOrder(shop, buyer);
    const [mail] = await waitFor(
      'the confirmation',
      () => smtp.to(buyer.user.email).length > 0 && smtp.to(buyer.user.email),
    );
    expect(mail!.subject).toBe(`Ihre Bestellung ${order.number} bei ${STORE} ist bestätigt`);
    expect(mail!.text).toContain('Hallo Greta Gast');
    expect(mail!.text).toMatch(/Gesamt: \d+,\d\d\s€/);
    expect(mail!.html).toContain('<html lang="de">');
  });
});

describe('escaping', () => {
  it('when the store and the guest are named with markup, then the HTML shows it as text and the text part as written', async () => {
    const evil = '<script>alert("x")</script> & Co';
    const shop = await orderingStore(t, {}, { name: `Luigi ${evil}` });
    const buyer = await guest(`Mallory ${evil}`);
    await acceptedOrder(shop, buyer);
    const [mail] = await waitFor(
      'the confirmation',
      () => smtp.to(buyer.user.email).length > 0 && smtp.to(buyer.user.email),
    );
    expect(mail!.html).not.toContain('<script>');
    expect(mail!.html).toContain('Mallory &lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt; &amp; Co');
    expect(mail!.html).toContain('<strong>Luigi &lt;script&gt;');
    expect(mail!.text).toContain(`Hello Mallory ${evil}`);
    expect(mail!.subject).toContain(`Luigi ${evil}`);
  });
});

describe('a brand’s own wording', () => {
  it('when the brand reworded the confirmation, then guests get its wording, other parts staying built-in', async () => {
    const shop = await orderingStore(t, {}, { name: STORE });
    const res = await t.app.inject({
      method: 'PUT',
      url: `/v1/organizations/${shop.organization.id}/notification-templates/notifications.order_confirmed?locale=en`,
      headers: bearer(shop.ownerToken),
      payload: { subject: 'Grazie! Order {{order_number}} is in the oven' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const buyer = await guest();
    const order = await acceptedOrder(shop, buyer);
    const [mail] = await waitFor(
      'the confirmation',
      () => smtp.to(buyer.user.email).length > 0 && smtp.to(buyer.user.email),
    );
    expect(mail!.subject).toBe(`Grazie! Order ${order.number} is in the oven`);
    expect(mail!.text).toContain(`has confirmed your order ${order.number}`);
  });
});

describe('order ended', () => {
  it('when a cash order is rejected, then the guest is told, with no word of a refund', async () => {
    const shop = await orderingStore(t, {}, { name: STORE });
    const buyer = await guest();
    const placed = await placeOrder(t, buyer.token, shop.store.id, {
      channel: 'pickup',
      lines: [margheritaLine(shop.ids)],
    });
    const order = placed.json<{ id: string; number: string }>();
    await act(t, shop.ownerToken, order.id, 'reject', { reason: 'Oven broken' });
    const [mail] = await waitFor(
      'the rejection',
      () => smtp.to(buyer.user.email).length > 0 && smtp.to(buyer.user.email),
    );
    expect(mail!.subject).toBe(`${STORE} could not take your order ${order.number}`);
    expect(mail!.text).toContain('Reason: Oven broken.');
    expect(mail!.text).not.toContain('refund');
  });
});

describe('review request', () => {
  it('when a guest’s pickup order is handed over, then they are asked once to review it, with the date reviews close', async () => {
    const shop = await orderingStore(t, {}, { name: STORE });
    const buyer = await guest();
    const order = await acceptedOrder(shop, buyer);
    for (const action of ['start_preparing', 'mark_ready', 'hand_over'])
      await act(t, shop.ownerToken, order.id, action);
    const subject = `How was your order ${order.number} from ${STORE}?`;
    const asked = await waitFor('the review request', () =>
      smtp.to(buyer.user.email).find((mail) => mail.subject === subject),
    );
    const until = new Date(Date.now() + 30 * 24 * 3_600_000).toISOString().slice(0, 10);
    expect(asked.text).toContain(`open until ${until}`);
    await t.modules.notifications.api.deliverDue();
    expect(smtp.to(buyer.user.email).filter((mail) => mail.subject === subject)).toHaveLength(1);
  });
});
