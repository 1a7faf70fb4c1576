// Where the counters live. One node keeps them in memory; with a Redis client they live in
// Redis, so every node shares one bucket per caller.
//
// Request limits are token buckets (rate-limit-bucket.ts): a burst of `points`, then one request
// per `seconds / points`, never a second full burst at a window boundary. The RateLimit headers
// describe exactly that bucket (`r` = whole tokens left, `t` = seconds until it is full again).
// The login lockout (login-lockout.ts) counts failures per account with rate-limiter-flexible's
// window counter, which is what a lockout wants: N failures within the window lock the account.
//
// When Redis fails (not ready, an error, or no answer within `storeTimeoutMs`) each node falls
// back to in-memory counters with the same limits: limits keep holding per node (a cluster of N
// nodes then admits up to N times the quota) instead of failing open to no limit at all or
// failing closed and refusing every request because a cache is down. The fallback is counted
// (rate_limit_store_fallbacks_total) and logged at most every 30 s.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RLWrapperTimeouts,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import {
  answerOf,
  cellOf,
  createMemoryBuckets,
  TAKE_TOKEN_SCRIPT,
  type BucketAnswer,
  type BucketLimit,
} from './rate-limit-bucket.js';

export type CounterOptions = IRateLimiterOptions & { keyPrefix: string; points: number };

/** Token buckets (the request limits): in memory, or in Redis with the in-memory fallback. */
export interface TokenBuckets {
  /**
   * Takes one token from `key`'s bucket. `blockLocallyWhenSpent` (Redis only): once the bucket
   * refuses, this node refuses the key from memory until its next token is due, so a flood from
   * one caller costs Redis nothing.
   */
  take(key: string, limit: BucketLimit, blockLocallyWhenSpent: boolean): Promise<BucketAnswer>;
}

export interface CounterStore {
  buckets: TokenBuckets;
  /**
   * A fixed-window counter under `keyPrefix`. `blockLocallyWhenSpent` (Redis only): once a key is
   * over its limit, this node refuses it from memory until its window ends.
   */
  limiter(opts: CounterOptions, blockLocallyWhenSpent: boolean): RateLimiterAbstract;
  /** Operations answered from memory because Redis failed or was slow. */
  fallbacks: Counter;
}

export function createCounterStore(options: {
  redis: Redis | null;
  logger: Logger;
  storeTimeoutMs: number;
  /** Milliseconds since the epoch; the buckets' clock (tests move it). */
  clock?: () => number;
}): CounterStore {
  const { redis, logger, storeTimeoutMs } = options;
  const clock = options.clock ?? Date.now;
  const fallbacks = new Counter({
    name: 'rate_limit_store_fallbacks_total',
    help: 'Rate-limit operations answered from in-process memory because Redis failed or was slow',
    registers: [],
  });

  let lastFallbackLog = 0;
  function onFallback(): void {
    fallbacks.inc();
    const now = Date.now();
    if (now - lastFallbackLog > 30_000) {
      lastFallbackLog = now;
      logger.warn('rate limits: Redis failed or is slow; this node counts in memory until it answers again');
    }
  }

  /** The in-memory limiter Redis falls back to; counts and logs each use. */
  class FallbackLimiter extends RateLimiterMemory {
    override consume(...args: Parameters<RateLimiterMemory['consume']>) {
      onFallback();
      return super.consume(...args);
    }
    override penalty(...args: Parameters<RateLimiterMemory['penalty']>) {
      onFallback();
      return super.penalty(...args);
    }
    override get(...args: Parameters<RateLimiterMemory['get']>) {
      onFallback();
      return super.get(...args);
    }
    override block(...args: Parameters<RateLimiterMemory['block']>) {
      onFallback();
      return super.block(...args);
    }
    override delete(...args: Parameters<RateLimiterMemory['delete']>) {
      onFallback();
      return super.delete(...args);
    }
  }

  function limiter(opts: CounterOptions, blockLocallyWhenSpent: boolean): RateLimiterAbstract {
    if (!redis) return new RateLimiterMemory(opts);
    const store = new RateLimiterRedis({
      ...opts,
      storeClient: redis,
      // A client that is (re)connecting is not waited for: the fallback answers at once.
      rejectIfRedisNotReady: true,
      // Once a key is over its limit, this node refuses it from memory until the window ends
      // instead of asking Redis again: a flood from one caller costs Redis nothing.
      inMemoryBlockOnConsumed: blockLocallyWhenSpent ? opts.points + 1 : 0,
    });
    return new RLWrapperTimeouts({
      limiter: store,
      timeoutMs: storeTimeoutMs,
      insuranceLimiter: new FallbackLimiter(opts),
    });
  }

  return { buckets: createTokenBuckets(redis, storeTimeoutMs, clock, onFallback), limiter, fallbacks };
}

type TakeTokenCommand = (key: string, now: string, interval: string, capacity: string) => Promise<[number, number]>;

function createTokenBuckets(
  redis: Redis | null,
  storeTimeoutMs: number,
  clock: () => number,
  onFallback: () => void,
): TokenBuckets {
  const memory = createMemoryBuckets(clock);
  if (!redis) return { take: async (key, limit) => memory.take(key, limit) };

  const commandName = 'brigadeTakeToken';
  // defineCommand: EVALSHA with a fallback to EVAL, and the client's keyPrefix applied to KEYS.
  if (!(commandName in redis)) redis.defineCommand(commandName, { numberOfKeys: 1, lua: TAKE_TOKEN_SCRIPT });
  const takeInRedis = (redis as unknown as Record<typeof commandName, TakeTokenCommand>)[commandName].bind(redis);
  /** Keys this node refuses from memory until the time given (ms), with when their bucket is full. */
  const spent = new Map<string, { until: number; fullAt: number }>();

  async function withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis took longer than ${storeTimeoutMs} ms`)), storeTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async take(key, limit, blockLocallyWhenSpent) {
      const nowMs = clock();
      const blocked = spent.get(key);
      if (blocked !== undefined) {
        if (blocked.until > nowMs)
          return { allowed: false, remaining: 0, fullInMs: blocked.fullAt - nowMs, retryInMs: blocked.until - nowMs };
        spent.delete(key);
      }
      // A client that is (re)connecting is not waited for: the fallback answers at once.
      if (redis.status !== 'ready') {
        onFallback();
        return memory.take(key, limit);
      }
      const cell = cellOf(limit);
      let answer: BucketAnswer;
      try {
        const [admitted, debt] = await withTimeout(
          takeInRedis(key, String(Math.round(nowMs * 1000)), String(cell.interval), String(cell.capacity)),
        );
        answer = answerOf(cell, admitted === 1, Number(debt));
      } catch {
        onFallback();
        return memory.take(key, limit);
      }
      if (!answer.allowed && blockLocallyWhenSpent) {
        if (spent.size > 10_000) for (const [stored, entry] of spent) if (entry.until <= nowMs) spent.delete(stored);
        spent.set(key, { until: nowMs + answer.retryInMs, fullAt: nowMs + answer.fullInMs });
      }
      return answer;
    },
  };
}
