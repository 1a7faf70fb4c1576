import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, createUser } from '../../test-support/identity-factories.js';

// Tight limits, set explicitly: the harness default is generous so other tests never hit them.
const LIMITS = {
  RATE_LIMIT_ANONYMOUS: '5/60',
  RATE_LIMIT_USER: '3/60',
  RATE_LIMIT_API_KEY: '4/60',
  RATE_LIMIT_AUTH: '2/60',
};

/** A fresh client address per test, so no two tests share an IP bucket. */
const newIp = () => `10.${[1, 2, 3].map(() => randomBytes(1)[0]! % 250).join('.')}`;

interface Parsed {
  policy: string;
  quota: number;
  window: number;
  remaining: number;
  reset: number;
}

/** Reads both header sets and checks they agree with each other. */
function rateLimitOf(res: LightMyRequestResponse): Parsed {
  const policy = /^"(\w+)";q=(\d+);w=(\d+)$/.exec(String(res.headers['ratelimit-policy']));
  const state = /^"(\w+)";r=(\d+);t=(\d+)$/.exec(String(res.headers.ratelimit));
  expect(policy, `RateLimit-Policy: ${res.headers['ratelimit-policy']}`).not.toBeNull();
  expect(state, `RateLimit: ${res.headers.ratelimit}`).not.toBeNull();
  expect(state![1]).toBe(policy![1]);
  const parsed = {
    policy: policy![1]!,
    quota: Number(policy![2]),
    window: Number(policy![3]),
    remaining: Number(state![2]),
    reset: Number(state![3]),
  };
  expect(res.headers['x-ratelimit-limit']).toBe(String(parsed.quota));
  expect(res.headers['x-ratelimit-remaining']).toBe(String(parsed.remaining));
  expect(res.headers['x-ratelimit-reset']).toBe(String(parsed.reset));
  return parsed;
}

function expectRateLimited(res: LightMyRequestResponse): Parsed {
  expect(res.statusCode).toBe(429);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject({
    status: 429,
    code: 'RATE_LIMITED',
    type: 'https://brigade.dev/problems/rate-limited',
  });
  const limit = rateLimitOf(res);
  expect(limit.remaining).toBe(0);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  // Never earlier than the reset the headers announce, never later than one window.
  expect(retryAfter).toBeGreaterThanOrEqual(limit.reset);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(limit.window);
  return limit;
}

/** A signed-in person without going through login (which has its own, stricter limit). */
async function signedIn(t: TestApp) {
  const user = await createUser(t);
  const pair = await inTransaction(t.db.database.db, (trx) => t.modules.identity.api.startSession(trx, user.id));
  return { user, token: pair.access_token };
}

async function metricValue(t: TestApp, line: string): Promise<number> {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

describe('rate limits on the in-memory store (one node, no Redis)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(LIMITS);
  });
  afterAll(async () => {
    await t?.close();
  });

  const stores = (ip: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: '/v1/stores', remoteAddress: ip, headers });

  it('when an anonymous caller makes consecutive requests, then the headers count down under the "default" policy', async () => {
    const ip = newIp();
    const seen: Parsed[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await stores(ip);
      expect(res.statusCode).toBe(200);
      seen.push(rateLimitOf(res));
    }
    expect(seen.map((limit) => limit.remaining)).toEqual([4, 3, 2, 1, 0]);
    for (const limit of seen) expect(limit).toMatchObject({ policy: 'default', quota: 5, window: 60 });
    expect(String((await stores(newIp())).headers['ratelimit-policy'])).toBe('"default";q=5;w=60');
    // A token bucket refilled at one token per 12 s: t is how long until it is full again, so it
    // grows by one refill interval with every token taken (no window that ends for everyone at once).
    expect(seen.map((limit) => limit.reset)).toEqual([12, 24, 36, 48, 60]);
  });

  it('when a burst goes past the limit, then exactly the quota passes and the rest get 429 RATE_LIMITED with a sane Retry-After', async () => {
    const ip = newIp();
    const responses = await Promise.all(Array.from({ length: 9 }, () => stores(ip)));
    const passed = responses.filter((res) => res.statusCode === 200);
    const refused = responses.filter((res) => res.statusCode !== 200);
    expect(passed).toHaveLength(5);
    expect(refused).toHaveLength(4);
    for (const res of refused) expect(expectRateLimited(res)).toMatchObject({ policy: 'default', quota: 5 });
    expect(passed.map((res) => rateLimitOf(res).remaining).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('when the auth group is spent, then registration is refused before it runs and creates nothing', async () => {
    const ip = newIp();
    const register = (email: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        remoteAddress: ip,
        payload: { email, password: 'a long enough password', name: 'N' },
      });
    for (const remaining of [1, 0]) {
      const res = await register(`ok-${randomBytes(4).toString('hex')}@example.test`);
      expect(res.statusCode).toBe(201);
      expect(rateLimitOf(res)).toMatchObject({ policy: 'auth', quota: 2, window: 60, remaining });
    }
    const email = `refused-${randomBytes(4).toString('hex')}@example.test`;
    expect(expectRateLimited(await register(email))).toMatchObject({ policy: 'auth', quota: 2 });
    const { rows } = await t.db.database.pool.query('SELECT 1 FROM users WHERE email = $1', [email]);
    expect(rows).toHaveLength(0);
    // The auth group is its own bucket: the same address still has its default quota.
    expect(rateLimitOf(await stores(ip))).toMatchObject({ policy: 'default', remaining: 4 });
  });

  it('when people and API keys call from one address, then each has its own bucket, apart from the IP bucket', async () => {
    const owner = await signedIn(t);
    const org = await inTransaction(t.db.database.db, (trx) =>
      t.modules.tenancy.api.createOrganization(trx, {
        slug: `rl-${randomBytes(4).toString('hex')}`,
        name: 'Rate Limited',
        ownerUserId: owner.user.id,
      }),
    );
    const created = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${org.id}/api-keys`,
      headers: bearer(owner.token),
      payload: { name: 'partner', scopes: ['staff:read'] },
    });
    expect(created.statusCode).toBe(201);
    const apiKey = created.json<{ secret: string }>().secret;

    const ip = newIp();
    const ada = await signedIn(t);
    const bob = await signedIn(t);
    const me = (token: string) =>
      t.app.inject({ method: 'GET', url: '/v1/me', remoteAddress: ip, headers: bearer(token) });
    const members = () =>
      t.app.inject({
        method: 'GET',
        url: `/v1/organizations/${org.id}/members`,
        remoteAddress: ip,
        headers: bearer(apiKey),
      });

    const adaRemaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await me(ada.token);
      expect(res.statusCode).toBe(200);
      const limit = rateLimitOf(res);
      expect(limit).toMatchObject({ policy: 'default', quota: 3 });
      adaRemaining.push(limit.remaining);
    }
    expect(adaRemaining).toEqual([2, 1, 0]);
    expectRateLimited(await me(ada.token));

    // Another person from the same address: a full bucket of their own.
    const bobs = await me(bob.token);
    expect(bobs.statusCode).toBe(200);
    expect(rateLimitOf(bobs)).toMatchObject({ quota: 3, remaining: 2 });

    // The API key: its own quota, untouched by the people.
    const keyCalls = [];
    for (let i = 0; i < 5; i++) keyCalls.push(await members());
    expect(
      keyCalls.slice(0, 4).map((res) => [res.statusCode, rateLimitOf(res).quota, rateLimitOf(res).remaining]),
    ).toEqual([
      [200, 4, 3],
      [200, 4, 2],
      [200, 4, 1],
      [200, 4, 0],
    ]);
    expectRateLimited(keyCalls[4]!);

    // Anonymous calls from that address were never charged for any of it.
    expect(rateLimitOf(await stores(ip))).toMatchObject({ quota: 5, remaining: 4 });
  });

  it('when credentials are wrong, then the failures count against the address and turn into 429', async () => {
    const ip = newIp();
    const statuses: Array<[number, number]> = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/me',
        remoteAddress: ip,
        headers: bearer('guessed-token'),
      });
      statuses.push([res.statusCode, rateLimitOf(res).remaining]);
    }
    expect(statuses).toEqual([
      [401, 4],
      [401, 3],
      [401, 2],
      [401, 1],
      [401, 0],
    ]);
    expectRateLimited(
      await t.app.inject({ method: 'GET', url: '/v1/me', remoteAddress: ip, headers: bearer('guessed-token') }),
    );
  });

  it('when health, metrics and docs endpoints are called, then they are never limited and carry no RateLimit headers', async () => {
    const ip = newIp();
    for (let i = 0; i < 7; i++) {
      for (const url of ['/health/live', '/health/ready', '/metrics', '/openapi.json']) {
        const res = await t.app.inject({ method: 'GET', url, remoteAddress: ip });
        expect(res.statusCode, url).toBe(200);
        expect(res.headers.ratelimit, url).toBeUndefined();
        expect(res.headers['x-ratelimit-limit'], url).toBeUndefined();
      }
    }
    // Nothing above was charged to the address.
    expect(rateLimitOf(await stores(ip)).remaining).toBe(4);
  });

  it('when a request is refused, then the rejection is counted in rate_limit_rejections_total', async () => {
    const line = 'rate_limit_rejections_total{policy="default",subject="anonymous"}';
    const before = await metricValue(t, line);
    const ip = newIp();
    for (let i = 0; i < 5; i++) await stores(ip);
    expectRateLimited(await stores(ip));
    expectRateLimited(await stores(ip));
    expect(await metricValue(t, line)).toBe(before + 2);
  });

  it('when the OpenAPI document is read, then limited operations list 429 and exempt ones do not', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    expect(Object.keys(doc.paths['/v1/stores']!.get!.responses)).toContain('429');
    expect(Object.keys(doc.paths['/v1/auth/login']!.post!.responses)).toContain('429');
    expect(Object.keys(doc.paths['/health/live']!.get!.responses)).not.toContain('429');
  });
});

describe('rate limits shared through Redis', () => {
  const clients: Redis[] = [];
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const client of clients) client.disconnect();
  });

  /** A connected client whose keys all live under a prefix unique to this run. */
  async function redisClient(url: string, connect = true): Promise<Redis> {
    const client = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      keyPrefix: `brigade-test:${randomBytes(6).toString('hex')}:`,
    });
    client.on('error', () => undefined);
    clients.push(client);
    if (connect) await client.connect();
    return client;
  }

  async function app(redis: Redis, env: Record<string, string> = LIMITS): Promise<TestApp> {
    const built = await createTestApp(env, { redis });
    apps.push(built);
    return built;
  }

  it.runIf(!!process.env.REDIS_URL)(
    'when two app instances share Redis, then they draw from one bucket per caller',
    async () => {
      const redis = await redisClient(process.env.REDIS_URL!);
      const [one, two] = [await app(redis), await app(redis)];
      const ip = newIp();
      const call = (node: TestApp) => node.app.inject({ method: 'GET', url: '/v1/stores', remoteAddress: ip });

      const remaining: number[] = [];
      for (const node of [one, two, one, two, one]) {
        const res = await call(node);
        expect(res.statusCode).toBe(200);
        remaining.push(rateLimitOf(res).remaining);
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      // Spent on the other node as well, and the window ends at the same moment for both.
      const refusedOnTwo = expectRateLimited(await call(two));
      const refusedOnOne = expectRateLimited(await call(one));
      expect(Math.abs(refusedOnTwo.reset - refusedOnOne.reset)).toBeLessThanOrEqual(1);
      // Counted in Redis itself, not in either node's memory fallback.
      expect(await redis.exists(`brigade:rl:default:anonymous:${ip}`)).toBe(1);
      for (const node of [one, two]) expect(await metricValue(node, 'rate_limit_store_fallbacks_total')).toBe(0);
      // Another caller is untouched.
      expect(
        rateLimitOf(await two.app.inject({ method: 'GET', url: '/v1/stores', remoteAddress: newIp() })).remaining,
      ).toBe(4);
    },
  );

  it('when Redis cannot be reached, then each node keeps limiting from memory (neither unlimited nor refusing everyone)', async () => {
    const unreachable = await redisClient('redis://127.0.0.1:1', false);
    const node = await app(unreachable);
    const ip = newIp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await node.app.inject({ method: 'GET', url: '/v1/stores', remoteAddress: ip })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await metricValue(node, 'rate_limit_store_fallbacks_total')).toBeGreaterThanOrEqual(6);
  });
});
