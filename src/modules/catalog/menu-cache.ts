// The resolved-menu cache: bentocache with L1 in memory and, when a Redis client is given, L2 in
// Redis plus a Redis bus, so an invalidation on one node drops every node's L1 copy. Entries are
// prebuilt response bytes with their ETag and the interval of instants they are valid for.
//
// Keys: "<storeId>:<channel>" holds the snapshot built for "now" (L1 + L2 + bus). A request for
// an explicit `at` outside that snapshot's interval uses "<storeId>:<channel>@<at ms>#<gen>",
// kept in L1 only and briefly; <gen> is a per-store counter this node bumps on every
// invalidation it makes or receives through the bus, so those keys die with the store's others.
import { EventEmitter } from 'node:events';
import { BentoCache, bentostore, errors } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createRedisGuard, type RedisGuard } from '../../platform/resilience/redis-guard.js';

export interface MenuSnapshot {
  /** The response body, serialized once. */
  json: string;
  etag: string;
  /** Valid for every `at` in [from, until) (epoch ms) until a write invalidates it. */
  from: number;
  until: number;
}

export interface MenuCacheOptions {
  redis: Redis | null;
  logger: Logger;
  /** Cap on how long a snapshot is kept, whatever its validity (a backstop for missed invalidations). */
  maxTtlMs?: number;
  /** L1 capacity in entries. */
  maxItems?: number;
  /** How long one Redis call may take before the cache carries on without it (REDIS_TIMEOUT_MS). */
  redisTimeoutMs?: number;
}

/** The L2 operations bentocache awaits on a request's path, each under the guard. */
const L2_CALLS = ['get', 'pull', 'set', 'clear', 'delete', 'deleteMany'] as const;

function guardCalls<T extends object>(target: T, names: readonly string[], guard: RedisGuard): void {
  const calls = target as Record<string, unknown>;
  for (const name of names) {
    const original = calls[name];
    if (typeof original !== 'function') continue;
    calls[name] = (...args: unknown[]) =>
      guard.run(() => (original as (...a: unknown[]) => Promise<unknown>).apply(target, args));
  }
}

const EXPLICIT_TTL_MS = 30_000;

export function createMenuCache(options: MenuCacheOptions) {
  const maxTtlMs = options.maxTtlMs ?? 10 * 60_000;
  const emitter = new EventEmitter();
  const generations = new Map<string, number>();
  let epoch = 0;
  const subscriptions: Array<Promise<unknown>> = [];

  // L1 keeps entry objects (serialize: false), so a hit costs no parsing. bentocache 1.6 writes an
  // entry it read from L2 into L1 still serialized (a string), which an unserialized L1 cannot
  // read back: this driver parses such strings on the way in.
  const l1 = memoryDriver({ maxItems: options.maxItems ?? 2000, serialize: false });
  const store = bentostore({ grace: false, suppressL2Errors: true }).useL1Layer({
    options: l1.options,
    factory: (config: unknown) => {
      const driver = l1.factory(config);
      const set = driver.set.bind(driver);
      driver.set = (key: string, value: unknown, ttl?: number) =>
        set(key, typeof value === 'string' ? JSON.parse(value) : value, ttl);
      return driver;
    },
  });
  if (options.redis) {
    // A Redis that is away or slow costs a request at most the guard's timeout once, then nothing
    // while the breaker is open: L2 errors are misses (suppressL2Errors), the bus's failed
    // notifications wait in its retry queue, and this node's L1 and the database serve meanwhile.
    const guard = createRedisGuard({ logger: options.logger, timeoutMs: options.redisTimeoutMs ?? 50 });
    // L2 shares the process's connection; bentocache's disconnect() would close it, so that is a no-op
    // here (the process closes its own connection). The bus duplicates the connection for pub/sub.
    const l2 = redisDriver({ connection: options.redis });
    store.useL2Layer({
      options: l2.options,
      factory: (config: unknown) => {
        const driver = l2.factory(config);
        driver.disconnect = async () => undefined;
        guardCalls(driver, L2_CALLS, guard);
        return driver;
      },
    });
    // bentocache subscribes without awaiting: track that, so close() does not cut it short (an
    // unhandled "Connection is closed"), and log a failed subscribe instead of leaving it unhandled.
    const bus = redisBusDriver({ connection: options.redis, retryQueue: { enabled: true, maxSize: 1000 } });
    store.useBus({
      options: bus.options,
      factory: (config: unknown) => {
        const transport = bus.factory(config);
        guardCalls(transport, ['publish'], guard);
        const subscribe = transport.subscribe.bind(transport);
        const tracked: typeof transport.subscribe = (channel, handler) => {
          const done = subscribe(channel, handler).catch((error: unknown) => {
            options.logger.warn({ err: error }, 'menu cache: bus subscription failed');
          });
          subscriptions.push(done);
          return done;
        };
        transport.subscribe = tracked;
        return transport;
      },
    });
  }
  const bento = new BentoCache({
    default: 'menu',
    prefix: 'brigade:menu',
    logger: options.logger.child({ component: 'menu-cache' }),
    emitter,
    stores: { menu: store },
  });
  const cache = bento.use('menu');

  const storeOf = (key: string) => key.slice(0, key.indexOf(':'));
  const bump = (storeId: string) => generations.set(storeId, (generations.get(storeId) ?? 0) + 1);
  // Another node dropped entries: builds running here for those stores must not store their result.
  emitter.on('bus:message:received', (data: { message: { keys: string[]; type: string } }) => {
    if (data.message.type === 'clear') epoch++;
    if (data.message.type !== 'delete') return;
    for (const key of data.message.keys) bump(storeOf(key));
  });

  const generation = (storeId: string) => `${epoch}.${generations.get(storeId) ?? 0}`;

  const ttlOf = (snapshot: MenuSnapshot, now: number) => Math.max(1000, Math.min(maxTtlMs, snapshot.until - now));

  /**
   * The cached snapshot under `key`, else `build()`'s (one build per key at a time on this node).
   * A build that an invalidation overtook is redone, so a stale result is never stored.
   */
  async function getOrBuild(
    key: string,
    storeId: string,
    build: () => Promise<MenuSnapshot>,
    mode: { shared: boolean; force?: boolean },
  ): Promise<MenuSnapshot> {
    return cache
      .getOrSet<MenuSnapshot>({
        key,
        forceFresh: mode.force ?? false,
        skipL2Write: !mode.shared,
        skipBusNotify: !mode.shared,
        factory: async (ctx) => {
          for (let attempt = 1; ; attempt++) {
            const before = generation(storeId);
            const snapshot = await build();
            if (generation(storeId) === before || attempt >= 3) {
              ctx.setOptions({
                ttl: mode.shared ? ttlOf(snapshot, Date.now()) : Math.min(EXPLICIT_TTL_MS, ttlOf(snapshot, Date.now())),
              });
              return snapshot;
            }
          }
        },
      })
      .catch((error: unknown) => {
        // The build's own error (e.g. 404 for an unknown store), not bentocache's wrapper.
        throw error instanceof errors.E_FACTORY_ERROR && error.cause !== undefined ? error.cause : error;
      });
  }

  return {
    generation,
    getOrBuild,
    explicitKey: (storeId: string, channel: string, at: number) => `${storeId}:${channel}@${at}#${generation(storeId)}`,
    /** Drops the shared snapshots of these stores here, in L2 and (through the bus) on every node. */
    async drop(storeIds: string[], channels: readonly string[]): Promise<void> {
      if (storeIds.length === 0) return;
      for (const storeId of storeIds) bump(storeId);
      await cache.deleteMany({
        keys: storeIds.flatMap((storeId) => channels.map((channel) => `${storeId}:${channel}`)),
      });
    },
    /** Releases the bus connections (the shared Redis connection stays open). */
    async close(): Promise<void> {
      await Promise.all(subscriptions);
      await bento.disconnect();
    },
  };
}

export type MenuCache = ReturnType<typeof createMenuCache>;
