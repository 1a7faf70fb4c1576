// The Redis side of the live fan-out: pub/sub on the process's client, and the failover that
// sends a message through PostgreSQL when Redis does not answer in time.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createRedisGuard } from '../resilience/redis-guard.js';
import { errorMessage } from '../observability/error-message.js';
import { type Deliver, type Transport } from './transport.js';

/** Redis pub/sub: PUBLISH on the shared client, SUBSCRIBE (only to topics listened to here) on a duplicate. */
export function redisTransport(redis: Redis, options: { prefix: string; connectionName: string; logger: Logger }) {
  const { prefix, logger } = options;
  return (deliver: Deliver): Transport => {
    let subscriber: Redis | null = null;
    const listening = new Set<string>();

    function connection(): Redis {
      if (subscriber) return subscriber;
      // Our own resubscription on every (re)connect, rather than ioredis's: a SUBSCRIBE that
      // failed while Redis was away is not in ioredis's list, but it is in ours.
      const client = redis.duplicate({
        connectionName: options.connectionName,
        autoResubscribe: false,
        lazyConnect: false,
      });
      client.on('error', (error: Error) =>
        logger.warn({ reason: error.message }, 'live fan-out: redis subscriber connection error'),
      );
      client.on('ready', () => {
        if (listening.size > 0)
          client.subscribe(...[...listening].map((topic) => prefix + topic)).catch(() => undefined);
      });
      client.on('message', (channel: string, message: string) => {
        if (channel.startsWith(prefix)) deliver(channel.slice(prefix.length), message);
      });
      subscriber = client;
      return client;
    }

    return {
      async listen(topic) {
        listening.add(topic);
        await connection()
          .subscribe(prefix + topic)
          .catch((error: unknown) =>
            logger.warn(
              { reason: errorMessage(error), topic },
              'live fan-out: redis SUBSCRIBE failed; retried when the connection is back',
            ),
          );
      },
      unlisten(topic) {
        listening.delete(topic);
        subscriber?.unsubscribe(prefix + topic).catch(() => undefined);
      },
      async publish(topic, message) {
        await redis.publish(prefix + topic, message);
      },
      async close() {
        listening.clear();
        const client = subscriber;
        subscriber = null;
        // disconnect, not quit: a quit waits for a connection that may never come back.
        client?.disconnect();
      },
    };
  };
}

/**
 * Redis first, PostgreSQL when Redis fails: both are listened on, each message is published on
 * one of them (so it is heard once), on PostgreSQL when Redis does not answer within the timeout
 * or its breaker is open.
 */
export function redisWithFallback(
  redis: (deliver: Deliver) => Transport,
  postgres: (deliver: Deliver) => Transport,
  options: { logger: Logger; timeoutMs: number },
) {
  return (deliver: Deliver): Transport => {
    const primary = redis(deliver);
    const fallback = postgres(deliver);
    const guard = createRedisGuard({ logger: options.logger, timeoutMs: options.timeoutMs });
    return {
      async listen(topic) {
        await Promise.all([primary.listen(topic), fallback.listen(topic)]);
      },
      unlisten(topic) {
        primary.unlisten(topic);
        fallback.unlisten(topic);
      },
      async publish(topic, message) {
        try {
          await guard.run(() => primary.publish(topic, message));
        } catch {
          await fallback.publish(topic, message);
        }
      },
      async close() {
        await Promise.all([primary.close(), fallback.close()]);
      },
    };
  };
}
