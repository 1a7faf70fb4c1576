import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, createUser, login, signIn } from '../../test-support/identity-factories.js';
import { recordQueries } from '../../test-support/query-log.js';
import { captureLogs, type CapturedLogs } from '../../test-support/server.js';

interface Message {
  id: string;
  channel: string;
  to: string;
  template: string;
  data: Record<string, string>;
  created_at: string;
}

let t: TestApp;
let logs: CapturedLogs;
/** Every token the tests saw: none may appear in the logs. */
const tokensSeen: string[] = [];

beforeAll(async () => {
  logs = captureLogs('debug');
  t = await createTestApp({ LOG_LEVEL: 'debug' }, { logger: logs.logger });
});
afterAll(async () => {
  await t?.close();
});

const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload, headers });
const newEmail = (label: string) => `${label}-${randomBytes(5).toString('hex')}@example.test`;

async function outbox(app: TestApp, to: string): Promise<Message[]> {
  const res = await app.app.inject({ method: 'GET', url: `/sandbox/v1/messages?to=${encodeURIComponent(to)}` });
  expect(res.statusCode).toBe(200);
  return res.json<{ data: Message[] }>().data;
}

/** The token of the newest message of `template` to `to`. */
async function tokenFrom(app: TestApp, to: string, template: string): Promise<string> {
  const message = (await outbox(app, to)).find((m) => m.template === template);
  if (!message) throw new Error(`no ${template} message to ${to}`);
  const token = message.data.token!;
  tokensSeen.push(token);
  return token;
}

async function register(email: string, password = 'a long enough password', name = 'Newcomer') {
  return post('/v1/auth/register', { email, password, name });
}

async function me(token: string) {
  return t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
}

describe('sign-up without revealing accounts', () => {
  it('when a new email signs up, then 201 with the account, and a verification link is mailed to it', async () => {
    const email = newEmail('fresh');
    const res = await register(email);
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('/v1/me');
    const messages = await outbox(t, email);
    expect(messages.map((m) => m.template)).toEqual(['identity.email_verification']);
    expect(messages[0]).toMatchObject({ channel: 'email', to: email, data: { name: 'Newcomer' } });
    const token = await tokenFrom(t, email, 'identity.email_verification');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('when an email with an account signs up again in another letter case, then the same 201 and shape with an id that is nowhere, the owner gets a notice, and the new password does not log in', async () => {
    const owner = await createUser(t, { email: newEmail('taken'), password: 'the owner’s own password' });
    const fresh = await register(newEmail('other'));
    const again = await register(owner.email.toUpperCase(), 'an intruder’s password', 'Intruder');

    expect(again.statusCode).toBe(fresh.statusCode);
    expect(again.headers.location).toBe(fresh.headers.location);
    expect(again.headers['content-type']).toBe(fresh.headers['content-type']);
    expect(Object.keys(again.json()).sort()).toEqual(Object.keys(fresh.json()).sort());
    const body = again.json<{ id: string; email: string; name: string; created_at: string }>();
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      email: owner.email.toUpperCase(),
      name: 'Intruder',
      created_at: expect.any(String),
    });
    expect(body.id).not.toBe(owner.id);
    const stored = await t.db.database.pool.query('SELECT 1 FROM users WHERE id = $1', [body.id]);
    expect(stored.rows).toHaveLength(0);

    const notices = await outbox(t, owner.email);
    expect(notices.map((m) => m.template)).toEqual(['identity.sign_up_attempted']);
    expect(notices[0]!.data).not.toHaveProperty('token');

    const intruder = await post('/v1/auth/login', { email: owner.email, password: 'an intruder’s password' });
    expect(intruder.statusCode).toBe(401);
    const ownerToken = (await login(t, owner)).access_token;
    expect((await me(ownerToken)).json()).toMatchObject({ id: owner.id, name: owner.name, email: owner.email });
  });

  it('when one new email signs up twice at the same moment, then both answers are 201 and one account exists', async () => {
    const email = newEmail('race');
    const answers = await Promise.all([register(email), register(email)]);
    expect(answers.map((res) => res.statusCode)).toEqual([201, 201]);
    const ids = answers.map((res) => res.json<{ id: string }>().id);
    const { rows } = await t.db.database.pool.query('SELECT id FROM users WHERE id = ANY($1::uuid[])', [ids]);
    expect(rows).toHaveLength(1);
    expect((await login(t, { email, password: 'a long enough password' })).token_type).toBe('Bearer');
  });
});

describe('email verification', () => {
  it('when the mailed token is used, then /v1/me shows the email verified; the token does not work twice', async () => {
    const email = newEmail('verify');
    const password = 'a long enough password';
    await register(email, password);
    const access = await signIn(t, { email, password });
    expect((await me(access)).json()).toMatchObject({ email, email_verified: false });

    const token = await tokenFrom(t, email, 'identity.email_verification');
    const verified = await post('/v1/auth/verify-email', { token });
    expect(verified.statusCode).toBe(204);
    expect((await me(access)).json()).toMatchObject({ email_verified: true });

    const again = await post('/v1/auth/verify-email', { token });
    expect(again.statusCode).toBe(400);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json().code).toBe('INVALID_ACCOUNT_TOKEN');
  });

  it('when a verification link is asked for again, then 202, the older link stops working and the new one works; once verified, 409 EMAIL_ALREADY_VERIFIED', async () => {
    const email = newEmail('resend');
    const password = 'a long enough password';
    await register(email, password);
    const first = await tokenFrom(t, email, 'identity.email_verification');
    const access = await signIn(t, { email, password });

    const resend = await post('/v1/auth/verify-email/resend', {}, bearer(access));
    expect(resend.statusCode).toBe(202);
    expect(resend.json()).toMatchObject({ status: 'accepted' });
    const second = await tokenFrom(t, email, 'identity.email_verification');
    expect(second).not.toBe(first);

    expect((await post('/v1/auth/verify-email', { token: first })).json().code).toBe('INVALID_ACCOUNT_TOKEN');
    expect((await post('/v1/auth/verify-email', { token: second })).statusCode).toBe(204);
    const done = await post('/v1/auth/verify-email/resend', {}, bearer(access));
    expect(done.statusCode).toBe(409);
    expect(done.json().code).toBe('EMAIL_ALREADY_VERIFIED');
  });

  it('when resend is called without signing in, then 401', async () => {
    expect((await post('/v1/auth/verify-email/resend', {})).statusCode).toBe(401);
  });

  it('when a token is unknown, malformed, expired or meant for a password reset, then the same 400 INVALID_ACCOUNT_TOKEN', async () => {
    const email = newEmail('expired');
    await register(email);
    const expired = await tokenFrom(t, email, 'identity.email_verification');
    await t.db.database.pool.query(
      `UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`,
      [createHash('sha256').update(expired).digest()],
    );
    await post('/v1/auth/password-reset', { email });
    const reset = await tokenFrom(t, email, 'identity.password_reset');

    for (const token of [expired, reset, randomBytes(32).toString('base64url'), 'not a token at all']) {
      const res = await post('/v1/auth/verify-email', { token });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_ACCOUNT_TOKEN', status: 400 });
    }
  });
});

describe('password reset', () => {
  it('when a reset is asked for an email with an account and for one without, then both answers are the same 202; only the account is mailed', async () => {
    const user = await createUser(t, { email: newEmail('known') });
    const unknown = newEmail('unknown');
    const known = await post('/v1/auth/password-reset', { email: user.email });
    const nobody = await post('/v1/auth/password-reset', { email: unknown });
    expect(known.statusCode).toBe(202);
    expect(nobody.statusCode).toBe(202);
    expect(nobody.body).toBe(known.body);
    expect(nobody.headers['content-type']).toBe(known.headers['content-type']);
    expect((await outbox(t, user.email)).map((m) => m.template)).toEqual(['identity.password_reset']);
    expect(await outbox(t, unknown)).toEqual([]);
  });

  it('when a reset is asked for with and without an account, then the same statements run, but for the one message insert', async () => {
    const user = await createUser(t, { email: newEmail('statements') });
    const statements = async (email: string) => {
      const { result, queries } = await recordQueries(pg, () => post('/v1/auth/password-reset', { email }));
      expect(result.statusCode).toBe(202);
      return queries.map((query) => query.text);
    };
    const known = await statements(user.email);
    const unknown = await statements(newEmail('statements-nobody'));
    const messageInsert = known.filter((text) => /insert into "outgoing_messages"/i.test(text));
    expect(messageInsert).toHaveLength(1);
    expect(unknown).toEqual(known.filter((text) => !messageInsert.includes(text)));
  });

  it('when the reset is confirmed, then the new password logs in, the old does not, every session ends, the email counts as verified and the owner is told', async () => {
    const user = await createUser(t, { email: newEmail('reset') });
    const sessions = [await login(t, user), await login(t, user)];
    await post('/v1/auth/password-reset', { email: user.email });
    const token = await tokenFrom(t, user.email, 'identity.password_reset');

    const confirmed = await post('/v1/auth/password-reset/confirm', { token, password: 'a brand new password' });
    expect(confirmed.statusCode).toBe(204);

    for (const session of sessions) {
      expect((await me(session.access_token)).json().code).toBe('SESSION_REVOKED');
      const refreshed = await post('/v1/auth/refresh', { refresh_token: session.refresh_token });
      expect(refreshed.statusCode).toBe(401);
    }
    expect((await post('/v1/auth/login', { email: user.email, password: user.password })).statusCode).toBe(401);
    const fresh = await login(t, { email: user.email, password: 'a brand new password' });
    expect((await me(fresh.access_token)).json()).toMatchObject({ id: user.id, email_verified: true });
    expect((await outbox(t, user.email)).map((m) => m.template)).toEqual([
      'identity.password_changed',
      'identity.password_reset',
    ]);

    const again = await post('/v1/auth/password-reset/confirm', { token, password: 'yet another password' });
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('INVALID_ACCOUNT_TOKEN');
  });

  it('when a second reset is asked for, then the first link stops working', async () => {
    const user = await createUser(t, { email: newEmail('twice') });
    await post('/v1/auth/password-reset', { email: user.email });
    const first = await tokenFrom(t, user.email, 'identity.password_reset');
    await post('/v1/auth/password-reset', { email: user.email });
    const second = await tokenFrom(t, user.email, 'identity.password_reset');

    const stale = await post('/v1/auth/password-reset/confirm', { token: first, password: 'a brand new password' });
    expect(stale.statusCode).toBe(400);
    expect(stale.json().code).toBe('INVALID_ACCOUNT_TOKEN');
    const fresh = await post('/v1/auth/password-reset/confirm', { token: second, password: 'a brand new password' });
    expect(fresh.statusCode).toBe(204);
  });

  it('when the same reset token is confirmed by many requests at once, then exactly one sets its password and the rest get INVALID_ACCOUNT_TOKEN', async () => {
    const user = await createUser(t, { email: newEmail('concurrent') });
    await post('/v1/auth/password-reset', { email: user.email });
    const token = await tokenFrom(t, user.email, 'identity.password_reset');

    const passwords = Array.from({ length: 8 }, (_, i) => `concurrent password number ${i}`);
    const answers = await Promise.all(
      passwords.map((password) => post('/v1/auth/password-reset/confirm', { token, password })),
    );
    const winners = answers.flatMap((res, i) => (res.statusCode === 204 ? [passwords[i]!] : []));
    expect(winners).toHaveLength(1);
    for (const res of answers.filter((answer) => answer.statusCode !== 204)) {
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('INVALID_ACCOUNT_TOKEN');
    }
    // The winner's password is the account's; no loser's is.
    expect((await post('/v1/auth/login', { email: user.email, password: winners[0]! })).statusCode).toBe(200);
    for (const password of passwords.filter((p) => p !== winners[0]))
      expect((await post('/v1/auth/login', { email: user.email, password })).statusCode).toBe(401);
    expect((await outbox(t, user.email)).filter((m) => m.template === 'identity.password_changed')).toHaveLength(1);
  });

  it('when a reset token expires, then it no longer works; it lived 30 minutes, a verification token 24 hours', async () => {
    const email = newEmail('ttl');
    const userId = (await register(email)).json<{ id: string }>().id;
    await post('/v1/auth/password-reset', { email });
    const token = await tokenFrom(t, email, 'identity.password_reset');
    const hash = createHash('sha256').update(token).digest();
    const { rows } = await t.db.database.pool.query<{ purpose: string; seconds: number }>(
      `SELECT purpose, extract(epoch FROM expires_at - created_at)::int AS seconds
         FROM account_tokens WHERE user_id = $1 ORDER BY purpose`,
      [userId],
    );
    expect(rows.map((row) => [row.purpose, Math.round(row.seconds / 60)])).toEqual([
      ['email_verification', 24 * 60],
      ['password_reset', 30],
    ]);
    await t.db.database.pool.query(
      `UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`,
      [hash],
    );
    const res = await post('/v1/auth/password-reset/confirm', { token, password: 'a brand new password' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_ACCOUNT_TOKEN');
  });

  it('when tokens are stored, then only their SHA-256 hashes are: no column holds the token', async () => {
    const email = newEmail('hashed');
    const userId = (await register(email)).json<{ id: string }>().id;
    const token = await tokenFrom(t, email, 'identity.email_verification');
    const { rows } = await t.db.database.pool.query('SELECT * FROM account_tokens WHERE user_id = $1', [userId]);
    expect(rows).toHaveLength(1);
    expect(Buffer.compare(rows[0].token_hash, createHash('sha256').update(token).digest())).toBe(0);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('when the bodies carry unknown fields, bad emails or short passwords, then 400 VALIDATION_FAILED lists them', async () => {
    const reset = await post('/v1/auth/password-reset', { email: 'not-an-email', admin: true });
    expect(reset.statusCode).toBe(400);
    expect(
      reset
        .json()
        .errors.map((error: { path: string }) => error.path)
        .sort(),
    ).toEqual(['/body/admin', '/body/email']);
    const confirm = await post('/v1/auth/password-reset/confirm', { token: 'x'.repeat(201), password: 'short' });
    expect(
      confirm
        .json()
        .errors.map((error: { path: string }) => error.path)
        .sort(),
    ).toEqual(['/body/password', '/body/token']);
  });
});

describe('logs', () => {
  it('when the flows above ran with debug logging, then no token appears in any log line', () => {
    expect(tokensSeen.length).toBeGreaterThan(5);
    const text = logs
      .lines()
      .map((line) => JSON.stringify(line))
      .join('\n');
    expect(text.length).toBeGreaterThan(0);
    for (const token of tokensSeen) expect(text).not.toContain(token);
  });
});

describe('mail limits', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await createTestApp({ RATE_LIMIT_ACCOUNT_MAIL: '2/3600', RATE_LIMIT_ACCOUNT_MAIL_IP: '4/3600' });
  });
  afterAll(async () => {
    await limited?.close();
  });
  let address = 0;
  const newIp = () => `198.51.100.${++address}`;
  const reset = (email: string, ip: string) =>
    limited.app.inject({ method: 'POST', url: '/v1/auth/password-reset', remoteAddress: ip, payload: { email } });

  it('when one address asks for resets past its limit, then 429 RATE_LIMITED with Retry-After, alike for an address with an account and one without', async () => {
    const user = await createUser(limited, { email: newEmail('limited') });
    for (const email of [user.email, newEmail('nobody')]) {
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await reset(email, newIp()));
      expect(answers.map((res) => res.statusCode)).toEqual([202, 202, 429]);
      const refused = answers[2]!;
      expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
      expect(String(refused.headers['ratelimit-policy'])).toBe('"account_mail";q=2;w=3600');
    }
    // Letter case does not make a new address.
    expect((await reset(user.email.toUpperCase(), newIp())).statusCode).toBe(429);
    expect((await outbox(limited, user.email)).filter((m) => m.template === 'identity.password_reset')).toHaveLength(2);
  });

  it('when one IP asks for resets of many addresses, then it is refused past its own limit', async () => {
    const ip = newIp();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await reset(newEmail('walk'), ip));
    expect(answers.map((res) => res.statusCode)).toEqual([202, 202, 202, 202, 429]);
    expect(String(answers[4]!.headers['ratelimit-policy'])).toBe('"account_mail";q=4;w=3600');
  });

  it('when verification links are asked for again and again, then the address limit refuses the third', async () => {
    const user = await createUser(limited, { email: newEmail('resender') });
    const token = await signIn(limited, user);
    const resend = () =>
      limited.app.inject({
        method: 'POST',
        url: '/v1/auth/verify-email/resend',
        remoteAddress: newIp(),
        headers: bearer(token),
      });
    const answers = [await resend(), await resend(), await resend()];
    expect(answers.map((res) => res.statusCode)).toEqual([202, 202, 429]);
    expect(answers[2]!.json().code).toBe('RATE_LIMITED');
  });

  it('when an address with an account is signed up again and again, then every answer is 201 but only the first notices are mailed', async () => {
    const user = await createUser(limited, { email: newEmail('bombed') });
    for (let i = 0; i < 4; i++) {
      const res = await limited.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        remoteAddress: newIp(),
        payload: { email: user.email, password: 'a long enough password', name: 'N' },
      });
      expect(res.statusCode).toBe(201);
    }
    expect((await outbox(limited, user.email)).map((m) => m.template)).toEqual([
      'identity.sign_up_attempted',
      'identity.sign_up_attempted',
    ]);
  });
});
