import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { createUser, type TestUser } from '../../test-support/identity-factories.js';
import { captureLogs, type CapturedLogs } from '../../test-support/server.js';

// Three failures lock an account for 15 minutes (set explicitly: the harness default is generous).
const LOCKOUT = { LOGIN_LOCKOUT_ATTEMPTS: '3', LOGIN_LOCKOUT_SECONDS: '900' };

const login = (t: TestApp, email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

async function failTimes(t: TestApp, email: string, times: number) {
  for (let i = 0; i < times; i++) {
    const res = await login(t, email, `wrong password ${i}`);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('INVALID_CREDENTIALS');
  }
}

function expectLocked(res: Awaited<ReturnType<typeof login>>) {
  expect(res.statusCode).toBe(429);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject({ status: 429, code: 'ACCOUNT_LOCKED' });
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(850);
  expect(retryAfter).toBeLessThanOrEqual(900);
}

describe('login lockout (in memory)', () => {
  let t: TestApp;
  let logs: CapturedLogs;
  beforeAll(async () => {
    logs = captureLogs('info');
    t = await createTestApp(LOCKOUT, { logger: logs.logger });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('when an account fails N times, then further attempts are 429 ACCOUNT_LOCKED even with the right password', async () => {
    const user = await createUser(t);
    await failTimes(t, user.email, 3);
    expectLocked(await login(t, user.email, user.password));
    expectLocked(await login(t, user.email, 'still wrong'));
    // In any letter case: it is the same account.
    expectLocked(await login(t, user.email.toUpperCase(), user.password));
  });

  it('when one account is locked, then other accounts log in as usual', async () => {
    const locked = await createUser(t);
    const other = await createUser(t);
    await failTimes(t, locked.email, 3);
    expectLocked(await login(t, locked.email, locked.password));
    expect((await login(t, other.email, other.password)).statusCode).toBe(200);
  });

  it('when a login succeeds before the limit, then the failure count starts again', async () => {
    const user = await createUser(t);
    await failTimes(t, user.email, 2);
    expect((await login(t, user.email, user.password)).statusCode).toBe(200);
    await failTimes(t, user.email, 2);
    expect((await login(t, user.email, user.password)).statusCode).toBe(200);
  });

  it('when an unknown email fails N times, then it locks like a real account (existence is not revealed)', async () => {
    const email = `nobody-${randomBytes(4).toString('hex')}@example.test`;
    await failTimes(t, email, 3);
    expectLocked(await login(t, email, 'anything'));
  });

  it('when failures race, then exactly one of them locks the account and it is logged once', async () => {
    const user = await createUser(t);
    const before = logs.lines().filter((line) => line.msg === 'account locked after repeated failed logins').length;
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => login(t, user.email, `racing ${i}`)));
    // Attempts that were checked before the lock still answer 401; none of them gets a token.
    expect(results.every((res) => res.statusCode === 401 || res.statusCode === 429)).toBe(true);
    expectLocked(await login(t, user.email, user.password));
    const after = logs.lines().filter((line) => line.msg === 'account locked after repeated failed logins').length;
    expect(after - before).toBe(1);
  });

  it('when an account locks, then one warning names it by hash, and no log line holds the password or the email', async () => {
    const user: TestUser = await createUser(t, { password: 'a very particular password' });
    await failTimes(t, user.email, 2);
    const lastWrong = await login(t, user.email, 'the third wrong password');
    expect(lastWrong.statusCode).toBe(401);
    expectLocked(await login(t, user.email, user.password));

    const locks = logs.lines().filter((line) => line.msg === 'account locked after repeated failed logins');
    const line = locks.find((candidate) => candidate.request_id === lastWrong.headers['x-request-id']);
    expect(line).toMatchObject({
      level: 'warn',
      account: expect.stringMatching(/^[0-9a-f]{16}$/),
      failures: 3,
      locked_seconds: 900,
    });
    const everything = JSON.stringify(logs.lines()).toLowerCase();
    for (const secret of [
      user.password,
      'the third wrong password',
      user.email.toLowerCase(),
      user.email.split('@')[0]!.toLowerCase(),
    ]) {
      expect(everything).not.toContain(secret.toLowerCase());
    }
  });

  it('when failed logins lock accounts, then the metrics count the lockouts and the refused attempts', async () => {
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^login_lockouts_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^rate_limit_rejections_total\{policy="account_lockout",subject="account"\} [1-9]\d*$/m);
  });
});

describe('login lockout shared through Redis', () => {
  let redis: Redis;
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
    redis?.disconnect();
  });

  it.runIf(!!process.env.REDIS_URL)(
    'when an account is locked through one instance, then the other refuses it too, and the store holds no email',
    async () => {
      redis = new Redis(process.env.REDIS_URL!, {
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        keyPrefix: `brigade-test:${randomBytes(6).toString('hex')}:`,
      });
      redis.on('error', () => undefined);
      await redis.connect();
      const one = await createTestApp(LOCKOUT, { redis });
      apps.push(one);
      const two = await createTestApp(LOCKOUT, { redis });
      apps.push(two);
      // Separate databases: the same email exists in both, as it would in one shared database.
      const email = `shared-${randomBytes(4).toString('hex')}@example.test`;
      const password = 'the shared right password';
      await createUser(one, { email, password });
      await createUser(two, { email, password });

      await failTimes(one, email, 2);
      await failTimes(two, email, 1);
      expectLocked(await login(one, email, password));
      expectLocked(await login(two, email, password));

      const keys = await redis.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join(' ')).not.toContain(email.split('@')[0]!);
    },
  );
});
