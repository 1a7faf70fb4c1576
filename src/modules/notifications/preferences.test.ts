// A guest's own notification preferences over HTTP: the defaults, replacing them, phone numbers
// normalized to E.164 (and sealed at rest), marketing consent recorded and withdrawn; erasing the
// account forgets them and every message to the person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { inTransaction } from '../../platform/db/index.js';
import { sendMessage } from '../../platform/messages/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer } from '../../test-support/identity-factories.js';

let t: TestApp;
let now = new Date('2026-11-21T12:00:00Z');
beforeAll(async () => {
  t = await createTestApp({}, { clock: () => now });
});
afterAll(async () => {
  await t?.close();
});

const read = (token: string) =>
  t.app.inject({ method: 'GET', url: '/v1/me/notification-preferences', headers: bearer(token) });
const write = (token: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PUT', url: '/v1/me/notification-preferences', headers: bearer(token), payload });
const on = (marketing = false) => ({ transactional: true, marketing });

describe('GET /v1/me/notification-preferences', () => {
  it('when a guest never chose, then transactional messages are on, marketing off, English, no phone', async () => {
    const guest = await customer(t);
    const res = await read(guest.token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.json()).toEqual({
      email: { transactional: true, marketing: false, marketing_consent_at: null, marketing_withdrawn_at: null },
      sms: { transactional: true, marketing: false, marketing_consent_at: null, marketing_withdrawn_at: null },
      phone: null,
      locale: 'en',
      updated_at: null,
    });
    expect((await t.app.inject({ method: 'GET', url: '/v1/me/notification-preferences' })).statusCode).toBe(401);
  });
});

describe('PUT /v1/me/notification-preferences', () => {
  it('when a guest gives a national number with its country, then it is stored as E.164, sealed at rest', async () => {
    const guest = await customer(t);
    const res = await write(guest.token, {
      email: on(),
      sms: on(),
      phone: '0151 2345 6789',
      phone_country: 'DE',
      locale: 'de',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ phone: '+4915123456789', locale: 'de' });
    expect((await read(guest.token)).json().phone).toBe('+4915123456789');
    const { rows } = await sql<{ text: string }>`
      SELECT p::text AS text FROM notification_preferences p WHERE user_id = ${guest.user.id}
    `.execute(t.db.database.db);
    expect(rows[0]!.text).not.toContain('15123456789');
  });

  it('when the number is not valid, then 422 INVALID_PHONE_NUMBER and nothing changes', async () => {
    const guest = await customer(t);
    for (const phone of ['+49 123', '0151 2345 6789', 'not a number']) {
      const res = await write(guest.token, { email: on(), sms: on(), phone });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'INVALID_PHONE_NUMBER', errors: [{ path: '/body/phone' }] });
    }
    expect((await read(guest.token)).json().updated_at).toBeNull();
  });

  it('when a guest turns marketing on and later off, then the consent and its withdrawal are recorded with their times', async () => {
    const guest = await customer(t);
    const consented = (await write(guest.token, { email: on(true), sms: on() })).json();
    expect(consented.email).toMatchObject({ marketing: true, marketing_consent_at: '2026-11-21T12:00:00.000Z' });
    expect(consented.sms.marketing_consent_at).toBeNull();
    now = new Date('2026-11-22T08:00:00Z');
    // The same choice again does not move the consent's time.
    expect((await write(guest.token, { email: on(true), sms: on() })).json().email.marketing_consent_at).toBe(
      '2026-11-21T12:00:00.000Z',
    );
    const withdrawn = (await write(guest.token, { email: on(false), sms: on() })).json();
    expect(withdrawn.email).toMatchObject({
      marketing: false,
      marketing_consent_at: '2026-11-21T12:00:00.000Z',
      marketing_withdrawn_at: '2026-11-22T08:00:00.000Z',
    });
    expect(await t.modules.notifications.api.mayReceive(t.db.database.db, guest.user.id, 'email', 'marketing')).toBe(
      false,
    );
  });

  it('when the body lacks a channel or has unknown fields, then 400', async () => {
    const guest = await customer(t);
    expect((await write(guest.token, { email: on() })).statusCode).toBe(400);
    expect((await write(guest.token, { email: on(), sms: on(), colour: 'blue' })).statusCode).toBe(400);
  });
});

describe('an erased guest', () => {
  it('when a guest erases their account, then their preferences, phone and every message to them go; others’ messages stay', async () => {
    const guest = await customer(t);
    const other = await customer(t);
    const res = await write(guest.token, { email: on(true), sms: on(), phone: '+49 30 901820', locale: 'de' });
    expect(res.statusCode, res.body).toBe(200);
    const send = (to: string, channel: 'email' | 'sms') =>
      inTransaction(t.db.database.db, (trx) =>
        sendMessage(trx, { channel, to, template: 'notifications.order_ready', data: {} }),
      );
    const mailed = await send(guest.user.email.toUpperCase(), 'email');
    const texted = await send('+4930901820', 'sms');
    const kept = await send(other.user.email, 'email');

    const erased = await t.app.inject({
      method: 'DELETE',
      url: '/v1/me',
      headers: bearer(guest.token),
      payload: { password: guest.user.password },
    });
    expect(erased.statusCode, erased.body).toBe(204);

    const db = t.db.database.db;
    const { rows: preferences } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM notification_preferences WHERE user_id = ${guest.user.id}`.execute(db);
    expect(preferences[0]!.n).toBe(0);
    const { rows: messages } = await sql<{ id: string }>`
      SELECT id FROM outgoing_messages WHERE id = ANY(${[mailed.id, texted.id, kept.id]}::uuid[])`.execute(db);
    expect(messages.map((row) => row.id)).toEqual([kept.id]);
  });
});
