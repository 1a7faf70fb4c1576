// SMS through the Twilio adapter, against a local HTTP server speaking Twilio's Messages API:
// the form body and basic auth it sends, how it reads refusals, and delivery end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { inTransaction } from '../../platform/db/index.js';
import {
  createTwilioSender,
  sendMessage,
  type MessageSender,
  type RenderedMessage,
} from '../../platform/messages/index.js';
import { PermanentSendError, TransientSendError } from '../../platform/messages/senders.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { startTwilioServer } from './test-servers.js';

let twilio: Awaited<ReturnType<typeof startTwilioServer>>;
let t: TestApp;
beforeAll(async () => {
  twilio = await startTwilioServer();
  t = await createTestApp({
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
    TWILIO_AUTH_TOKEN: 'twilio-test-token',
    TWILIO_FROM: '+15005550006',
    TWILIO_BASE_URL: twilio.url,
  });
});
afterAll(async () => {
  await t?.close();
  await twilio?.close();
});

const rendered: RenderedMessage = { subject: 'unused', text: 'unused', html: null, sms: 'Order A-7 is ready ✓ & hot' };
const signal = () => new AbortController().signal;
const sender = (from = '+15005550006'): MessageSender =>
  createTwilioSender({ accountSid: 'AC123', authToken: 's3cret', from, baseUrl: twilio.url });

describe('the Twilio adapter', () => {
  it('when it sends, then it POSTs a form to the account’s Messages.json with basic auth', async () => {
    twilio.requests.length = 0;
    const sent = await sender().send({ id: 'msg-1', to: '+4915123456789', rendered }, signal());
    expect(sent.providerMessageId).toMatch(/^SM/);
    const [request] = twilio.requests;
    expect(request!.path).toBe('/2010-04-01/Accounts/AC123/Messages.json');
    expect(request!.authorization).toBe(`Basic ${Buffer.from('AC123:s3cret').toString('base64')}`);
    expect(request!.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(request!.form)).toEqual({
      To: '+4915123456789',
      From: '+15005550006',
      Body: 'Order A-7 is ready ✓ & hot',
    });
  });

  it('when the sender is a Messaging Service, then it goes as MessagingServiceSid', async () => {
    twilio.requests.length = 0;
    const service = `MG${'a'.repeat(32)}`;
    await sender(service).send({ id: 'msg-2', to: '+4915123456789', rendered }, signal());
    expect(twilio.requests[0]!.form.get('MessagingServiceSid')).toBe(service);
    expect(twilio.requests[0]!.form.has('From')).toBe(false);
  });

  it('when Twilio answers 400, then the refusal is for good; a 503 with Retry-After is for now', async () => {
    twilio.state.status = 400;
    try {
      await expect(sender().send({ id: 'msg-3', to: '+10000000000', rendered }, signal())).rejects.toBeInstanceOf(
        PermanentSendError,
      );
      twilio.state.status = 503;
      twilio.state.retryAfter = '120';
      const error = await sender()
        .send({ id: 'msg-4', to: '+4915123456789', rendered }, signal())
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TransientSendError);
      expect((error as TransientSendError).retryAfterSeconds).toBe(120);
    } finally {
      twilio.state.status = null;
      twilio.state.retryAfter = null;
    }
  });
});

describe('SMS delivery', () => {
  it('when an SMS is due, then Twilio gets its rendered text and the message is sent with Twilio’s SID', async () => {
    twilio.requests.length = 0;
    const { id } = await inTransaction(t.db.database.db, (trx) =>
      sendMessage(trx, {
        channel: 'sms',
        to: '+4915123456789',
        template: 'identity.email_verification',
        data: { name: 'Ada', token: '424242' },
        locale: 'de',
      }),
    );
    await t.modules.notifications.api.deliverDue();
    expect(twilio.requests).toHaveLength(1);
    expect(twilio.requests[0]!.path).toBe('/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json');
    expect(Object.fromEntries(twilio.requests[0]!.form)).toMatchObject({
      To: '+4915123456789',
      Body: 'Ihr Brigade-Bestätigungscode: 424242',
    });
    const { rows } = await sql<{ state: string }>`SELECT state FROM outgoing_messages WHERE id = ${id}`.execute(
      t.db.database.db,
    );
    expect(rows[0]!.state).toBe('sent');
    const [attempt] = await t.modules.notifications.api.attemptsOf(id);
    expect(attempt!.provider_message_id).toMatch(/^SM/);
  });

  it('when Twilio is down, then the message waits for its next attempt and its error masks the number', async () => {
    twilio.state.status = 500;
    try {
      const { id } = await inTransaction(t.db.database.db, (trx) =>
        sendMessage(trx, {
          channel: 'sms',
          to: '+4915199999999',
          template: 'identity.password_changed',
          data: { name: 'Ada' },
        }),
      );
      await t.modules.notifications.api.deliverDue();
      const { rows } = await sql<{ state: string; attempts: number; last_error: string }>`
        SELECT state, attempts, last_error FROM outgoing_messages WHERE id = ${id}
      `.execute(t.db.database.db);
      expect(rows[0]).toMatchObject({ state: 'pending', attempts: 1 });
      expect(rows[0]!.last_error).toMatch(/Twilio 500/);
      expect(rows[0]!.last_error).not.toContain('4915199999999');
    } finally {
      twilio.state.status = null;
    }
  });
});
