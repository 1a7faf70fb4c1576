// Delivery of outgoing messages to a real SMTP server (smtp-server, started here): sent once and
// recorded, refused for now → retried on the shared schedule (on the test's clock, no sleeping),
// refused for good → failed at once, an unknown template → failed. Messages idempotent by key.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { inTransaction } from '../../platform/db/index.js';
import { deliveryRepo, sendMessage } from '../../platform/messages/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { startSmtpServer } from './test-servers.js';

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let offset = 0;
const clock = () => new Date(Date.now() + offset);

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestApp({ SMTP_URL: smtp.url, SMTP_FROM: 'Brigade Tests <tests@brigade.test>' }, { clock });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const address = () => `guest-${randomBytes(4).toString('hex')}@example.test`;

async function send(to: string, template: string, data: Record<string, unknown>, dedupeKey?: string) {
  return inTransaction(t.db.database.db, (trx) =>
    sendMessage(trx, { channel: 'email', to, template, data, dedupeKey }),
  );
}

async function stateOf(id: string) {
  const { rows } = await sql<{
    state: string;
    attempts: number;
    next_attempt_at: Date | null;
    last_error: string | null;
  }>`
    SELECT state, attempts, next_attempt_at, last_error FROM outgoing_messages WHERE id = ${id}
  `.execute(t.db.database.db);
  return rows[0]!;
}

const deliver = () => t.modules.notifications.api.deliverDue();

describe('sending', () => {
  it('when a password reset is due, then the SMTP server gets it once, with text and HTML parts, and it is recorded as sent', async () => {
    const to = address();
    const { id } = await send(to, 'identity.password_reset', {
      name: 'Ada',
      token: 'tok-123',
      expires_at: '2026-11-21T12:30:00Z',
    });
    expect((await stateOf(id)).state).toBe('pending');
    expect(await deliver()).toBeGreaterThanOrEqual(1);
    const [mail, ...more] = smtp.to(to);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe('Reset your password');
    expect(mail!.text).toContain('tok-123');
    expect(mail!.html).toContain('<code>tok-123</code>');
    expect(mail!.messageId).toBe(`<${id}@brigade>`);
    expect(mail!.raw).toContain('From: Brigade Tests <tests@brigade.test>');
    expect(await stateOf(id)).toMatchObject({ state: 'sent', attempts: 1, next_attempt_at: null, last_error: null });
    const attempts = await t.modules.notifications.api.attemptsOf(id);
    expect(attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'sent', error: null })]);
    expect(await deliver()).toBe(0);
    expect(smtp.to(to)).toHaveLength(1);
  });

  it('when the same dedupe key is used twice, then there is one message', async () => {
    const to = address();
    const key = `test:${randomBytes(6).toString('hex')}`;
    const first = await send(to, 'identity.password_changed', { name: 'Ada', changed_at: 'now' }, key);
    const second = await send(to, 'identity.password_changed', { name: 'Ada', changed_at: 'now' }, key);
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    await deliver();
    expect(smtp.to(to)).toHaveLength(1);
  });
});

describe('failures', () => {
  it('when the SMTP server says "try later", then the message is retried on the schedule (5 s, then 5 min) and sent once it accepts', async () => {
    const to = address();
    smtp.state.refuse = 421;
    try {
      const { id } = await send(to, 'identity.password_changed', { name: 'Ada', changed_at: 'now' });
      const start = clock().getTime();
      await deliver();
      const first = await stateOf(id);
      expect(first).toMatchObject({ state: 'pending', attempts: 1 });
      expect(first.last_error).toMatch(/421/);
      const firstDelay = first.next_attempt_at!.getTime() - start;
      expect(firstDelay).toBeGreaterThanOrEqual(5_000);
      expect(firstDelay).toBeLessThanOrEqual(5_500 + 1_000);

      // Not due yet: nothing is tried.
      await deliver();
      expect((await stateOf(id)).attempts).toBe(1);

      offset += 6_000;
      await deliver();
      const second = await stateOf(id);
      expect(second).toMatchObject({ state: 'pending', attempts: 2 });
      const secondDelay = second.next_attempt_at!.getTime() - clock().getTime();
      expect(secondDelay).toBeGreaterThanOrEqual(5 * 60_000 - 1_000);
      expect(secondDelay).toBeLessThanOrEqual(5.5 * 60_000);

      smtp.state.refuse = null;
      offset += 6 * 60_000;
      await deliver();
      expect(await stateOf(id)).toMatchObject({ state: 'sent', attempts: 3, last_error: null });
      expect(smtp.to(to)).toHaveLength(1);
      const outcomes = (await t.modules.notifications.api.attemptsOf(id)).map((attempt) => attempt.outcome);
      expect(outcomes).toEqual(['retry', 'retry', 'sent']);
    } finally {
      smtp.state.refuse = null;
    }
  });

  it('when the SMTP server refuses the mailbox for good (5xx), then the message fails at once, the address masked in its error', async () => {
    const to = address();
    smtp.state.refuse = 550;
    try {
      const { id } = await send(to, 'identity.password_changed', { name: 'Ada', changed_at: 'now' });
      await deliver();
      const failed = await stateOf(id);
      expect(failed).toMatchObject({ state: 'failed', attempts: 1, next_attempt_at: null });
      expect(failed.last_error).toMatch(/550/);
      expect(failed.last_error).not.toContain(to);
    } finally {
      smtp.state.refuse = null;
    }
  });

  it('when a message names a template nobody wrote, then it fails without reaching the server', async () => {
    const to = address();
    const { id } = await send(to, 'test.unknown_template', {});
    await deliver();
    expect(await stateOf(id)).toMatchObject({ state: 'failed', last_error: 'No template "test.unknown_template"' });
    expect(smtp.to(to)).toEqual([]);
  });
});

describe('the sandbox outbox', () => {
  it('when a channel has no provider here (SMS), then its messages are sandboxed, never leased, and still listed', async () => {
    const to = '+4915123456789';
    const { id } = await inTransaction(t.db.database.db, (trx) =>
      sendMessage(trx, { channel: 'sms', to, template: 'identity.password_changed', data: { name: 'Ada' } }),
    );
    await deliver();
    expect(await stateOf(id)).toMatchObject({ state: 'sandboxed', attempts: 0 });
    const listed = await t.app.inject({ method: 'GET', url: `/sandbox/v1/messages?to=${encodeURIComponent(to)}` });
    expect(listed.json<{ data: unknown[] }>().data).toEqual([
      expect.objectContaining({ id, state: 'sandboxed', attempts: 0, channel: 'sms' }),
    ]);
  });
});

describe('a sender that dies', () => {
  it('when a sender leased a message and died, then nobody sends it while the lease holds, and the next sender does after', async () => {
    const to = address();
    const { id } = await send(to, 'identity.password_changed', { name: 'Ada', changed_at: 'now' });
    const leased = await deliveryRepo.lease(t.db.database.db, ['email'], clock(), 100);
    expect(leased.map((message) => message.id)).toContain(id);
    await deliver();
    expect(smtp.to(to)).toEqual([]);
    offset += 31_000;
    await deliver();
    expect(smtp.to(to)).toHaveLength(1);
    expect(await stateOf(id)).toMatchObject({ state: 'sent', attempts: 1 });
  });
});

describe('retention', () => {
  it('when ended messages are older than 30 days, then the purge deletes them with their attempts; pending ones stay', async () => {
    const ended = await send(address(), 'identity.password_changed', { name: 'Ada', changed_at: 'now' });
    await deliver();
    smtp.state.refuse = 421;
    const waiting = await send(address(), 'identity.password_changed', { name: 'Ada', changed_at: 'now' });
    await deliver();
    smtp.state.refuse = null;
    offset += 31 * 24 * 3600 * 1000;
    const purge = t.modules.notifications.jobs.find((job) => job.name === 'notifications.purge-ended-messages')!;
    await purge.handler({}, { id: 'test', retryCount: 0 });
    const { rows } = await sql<{ id: string }>`
      SELECT id FROM outgoing_messages WHERE id IN (${ended.id}, ${waiting.id})
    `.execute(t.db.database.db);
    expect(rows.map((row) => row.id)).toEqual([waiting.id]);
    expect(await t.modules.notifications.api.attemptsOf(ended.id)).toEqual([]);
  });
});
