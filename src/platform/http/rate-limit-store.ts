// Where the counters live. One node keeps them in memory; with a Redis client they live in
// Redis, so every node shares one count per caller.
//
// Algorithm, honestly: rate-limiter-flexible 11 has no token bucket. Its limiters count a *fixed
// window per key* that opens at the key's first request: at most `points` requests until the
// window ends `duration` seconds later, then the count starts again (atomic INCR + PEXPIRE in a
// Lua script on Redis). A caller may spend the whole quota at once, and across a window boundary
// up to twice the quota in a short time. Nothing here pretends otherwise: the RateLimit headers
// describe exactly that window (`t` = seconds until this caller's window ends).
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

export type CounterOptions = IRateLimiterOptions & { keyPrefix: string; points: number };

export interface CounterStore {
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
}): CounterStore {
  const { redis, logger, storeTimeoutMs } = options;
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

  return { limiter, fallbacks };
}
