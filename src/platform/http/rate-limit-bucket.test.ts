// The token bucket under a clock the test moves: a burst of the quota, then one request per
// refill interval, and never a second burst at what would be a fixed window's boundary. The same
// checks run on the in-memory buckets and on the Redis script.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { answerOf, cellOf, step } from './rate-limit-bucket.js';
import { createCounterStore, type TokenBuckets } from './rate-limit-store.js';

const LIMIT = { points: 5, seconds: 60 };
const silent = pino({ level: 'silent' });

/** A clock starting at an arbitrary instant, moved by the test. */
function testClock() {
  let now = Date.UTC(2026, 11, 7, 12, 0, 0);
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const clients: Redis[] = [];
afterAll(() => {
  for (const client of clients) client.disconnect();
});

async function redisClient(): Promise<Redis> {
  const client = new Redis(process.env.REDIS_URL!, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    keyPrefix: `brigade-test:${randomBytes(6).toString('hex')}:`,
  });
  client.on('error', () => undefined);
  clients.push(client);
  await client.connect();
  return client;
}

const stores: Array<[string, boolean, (clock: () => number) => Promise<TokenBuckets>]> = [
  [
    'in memory',
    true,
    async (clock) => createCounterStore({ redis: null, logger: silent, storeTimeoutMs: 250, clock }).buckets,
  ],
  [
    'in Redis',
    !!process.env.REDIS_URL,
    async (clock) =>
      createCounterStore({ redis: await redisClient(), logger: silent, storeTimeoutMs: 1000, clock }).buckets,
  ],
];

describe('GCRA step', () => {
  it('when the limit does not divide evenly, then the burst is still exactly the quota', () => {
    const cell = cellOf({ points: 7, seconds: 60 });
    let tat: number | null = null;
    const admitted: boolean[] = [];
    for (let i = 0; i < 8; i++) {
      const result = step(cell, tat, 1_000_000);
      admitted.push(result.allowed);
      tat = result.tat;
    }
    expect(admitted).toEqual([true, true, true, true, true, true, true, false]);
  });

  it('when a request is refused, then the answer says when the next token and the full bucket are due', () => {
    const cell = cellOf(LIMIT);
    // An empty bucket: debt of the whole capacity.
    expect(answerOf(cell, false, cell.capacity)).toEqual({
      allowed: false,
      remaining: 0,
      fullInMs: 60_000,
      retryInMs: 12_000,
    });
    expect(answerOf(cell, true, cell.interval)).toEqual({
      allowed: true,
      remaining: 4,
      fullInMs: 12_000,
      retryInMs: 0,
    });
  });
});

describe.each(stores)('token buckets %s', (_name, available, make) => {
  it.runIf(available)(
    'when a caller bursts, then exactly the quota passes, and afterwards one request per refill interval',
    async () => {
      const clock = testClock();
      const buckets = await make(clock.now);
      const key = `burst:${randomBytes(4).toString('hex')}`;
      const take = () => buckets.take(key, LIMIT, false);

      const burst = [];
      for (let i = 0; i < 7; i++) burst.push(await take());
      expect(burst.map((answer) => answer.allowed)).toEqual([true, true, true, true, true, false, false]);
      expect(burst.map((answer) => answer.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
      expect(burst[5]).toMatchObject({ fullInMs: 60_000, retryInMs: 12_000 });

      // 11.999 s later still no token; at 12 s exactly one.
      clock.advance(11_999);
      expect((await take()).allowed).toBe(false);
      clock.advance(1);
      expect(await take()).toMatchObject({ allowed: true, remaining: 0 });
      expect((await take()).allowed).toBe(false);
    },
  );

  it.runIf(available)(
    'when a caller spends its quota just before where a fixed window would end, then no second burst passes just after it',
    async () => {
      const clock = testClock();
      const buckets = await make(clock.now);
      const key = `boundary:${randomBytes(4).toString('hex')}`;
      const take = () => buckets.take(key, LIMIT, false);

      // A fixed window would open with this request and end 60 s later.
      expect((await take()).allowed).toBe(true);
      clock.advance(59_900);
      // By then the bucket is full again: a burst of the quota passes...
      let beforeBoundary = 0;
      for (let i = 0; i < 10; i++) if ((await take()).allowed) beforeBoundary++;
      expect(beforeBoundary).toBe(5);
      // ...and 200 ms later, across the old window's boundary, nothing more (a fixed window would allow 5 more).
      clock.advance(200);
      let afterBoundary = 0;
      for (let i = 0; i < 10; i++) if ((await take()).allowed) afterBoundary++;
      expect(afterBoundary).toBe(0);
    },
  );

  it.runIf(available)(
    'when a caller hammers for five minutes, then no span ever admits more than a burst plus its refill',
    async () => {
      const clock = testClock();
      const buckets = await make(clock.now);
      const key = `steady:${randomBytes(4).toString('hex')}`;
      const admittedAt: number[] = [];
      const start = clock.now();
      // One attempt every 500 ms for 5 minutes.
      for (let t = 0; t < 300_000; t += 500) {
        if ((await buckets.take(key, LIMIT, false)).allowed) admittedAt.push(clock.now() - start);
        clock.advance(500);
      }
      // The burst on the first five attempts, then one request every 12 s: the k-th admission
      // (from k = 4) at 12k − 48 s, the last (k = 28) at 288 s.
      expect(admittedAt.slice(0, 7)).toEqual([0, 500, 1000, 1500, 2000, 12_000, 24_000]);
      expect(admittedAt).toHaveLength(29);
      expect(admittedAt.at(-1)).toBe(288_000);
      for (const from of admittedAt) {
        // Any 60 s span: at most the burst and the span's refill.
        expect(admittedAt.filter((at) => at >= from && at < from + 60_000).length).toBeLessThanOrEqual(5 + 5);
        // Any 2 s span after the first burst: one request, never a second burst (a fixed window
        // would admit 5 + 5 within a second at each of its boundaries).
        if (from >= 12_000) expect(admittedAt.filter((at) => at >= from && at < from + 2_000)).toHaveLength(1);
      }
    },
  );

  it.runIf(available)('when two callers share a store, then each has its own bucket', async () => {
    const clock = testClock();
    const buckets = await make(clock.now);
    const [ada, bob] = ['ada', 'bob'].map((name) => `${name}:${randomBytes(4).toString('hex')}`);
    for (let i = 0; i < 5; i++) expect((await buckets.take(ada!, LIMIT, false)).allowed).toBe(true);
    expect((await buckets.take(ada!, LIMIT, false)).allowed).toBe(false);
    expect(await buckets.take(bob!, LIMIT, false)).toMatchObject({ allowed: true, remaining: 4 });
  });
});

describe.runIf(!!process.env.REDIS_URL)('token buckets in Redis, blocking spent callers locally', () => {
  it('when a spent caller keeps calling, then this node refuses it from memory until its next token, without asking Redis', async () => {
    const clock = testClock();
    const redis = await redisClient();
    const buckets = createCounterStore({ redis, logger: silent, storeTimeoutMs: 1000, clock: clock.now }).buckets;
    const key = `flood:${randomBytes(4).toString('hex')}`;
    for (let i = 0; i < 5; i++) await buckets.take(key, LIMIT, true);
    expect((await buckets.take(key, LIMIT, true)).allowed).toBe(false);

    // Count what this client sends from here on (every ioredis command goes through sendCommand).
    let sent = 0;
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((...args: Parameters<typeof send>) => {
      sent++;
      return send(...args);
    }) as typeof redis.sendCommand;
    for (let i = 0; i < 20; i++) {
      const answer = await buckets.take(key, LIMIT, true);
      expect(answer).toMatchObject({ allowed: false, remaining: 0, retryInMs: 12_000, fullInMs: 60_000 });
    }
    expect(sent).toBe(0);

    clock.advance(12_000);
    expect(await buckets.take(key, LIMIT, true)).toMatchObject({ allowed: true, remaining: 0 });
    // That answer came from Redis (the shared bucket), not from this node's memory.
    expect(sent).toBe(1);
  });
});
