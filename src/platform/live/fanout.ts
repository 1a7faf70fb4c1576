// Cross-node fan-out of short "something changed, look" messages: what any api node publishes on
// a topic, the listeners of that topic on every node hear. Redis pub/sub when Redis is configured,
// PostgreSQL LISTEN/NOTIFY otherwise (no extra infrastructure). With Redis, nodes listen on both
// and publish on Redis under a tight timeout and a breaker: while Redis is away or slow, messages
// go through PostgreSQL instead, and every node still hears them.
//
// - A node's own listeners hear its messages through the same round trip as everyone else's, so
//   one node behaves exactly like many and tests on one node prove the cluster path.
// - Delivery is at most once (a message sent while a connection is down is gone), so messages
//   are wake-up calls, never data: consumers re-read their source of truth, and keep a backstop
//   poll for the message they will one day miss.
// - Messages of one publisher arrive in the order it published them.
import type { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from 'pino';
import { redisTransport, redisWithFallback } from './redis-transport.js';
import { LIVE_CHANNEL, listenStatement, NOTIFY_STATEMENT } from './repo.js';
import { errorMessage } from '../observability/error-message.js';
import { type Deliver, type Transport } from './transport.js';

export type LiveListener = (message: string) => void;

/** Stops this subscription (idempotent). `ready` settles once the node is listening for the topic. */
export interface LiveSubscription {
  (): void;
  /**
   * Resolves when messages published from now on will be heard, or when the first attempt to
   * listen failed (the transport keeps trying; consumers have their backstop). Never rejects.
   */
  readonly ready: Promise<void>;
}

export interface LiveFanout {
  /** Rejects when the transport is unreachable or the message is too large. */
  publish(topic: string, message: string): Promise<void>;
  subscribe(topic: string, listener: LiveListener): LiveSubscription;
  /** Stops every subscription and releases the fan-out's own connections (not the pool or Redis client given). */
  close(): Promise<void>;
}

export interface LiveFanoutOptions {
  /** The process's pool: PostgreSQL transport when there is no Redis (publish uses it, LISTEN gets its own connection). */
  pool: pg.Pool;
  /** The process's shared Redis client: Redis transport when set (publish on it, SUBSCRIBE on a duplicate). */
  redis: Redis | null;
  logger: Logger;
  /** Redis channels are `<prefix><topic>` (several deployments or test runs may share one Redis). */
  redisPrefix?: string;
  /** PostgreSQL channel carrying every topic (NOTIFY is per database already). */
  pgChannel?: string;
  /** Names the fan-out's own connection: application_name in PostgreSQL, CLIENT SETNAME in Redis. */
  connectionName?: string;
  /** How long a Redis PUBLISH may take before the message goes through PostgreSQL instead. */
  redisTimeoutMs?: number;
}

/**
 * NOTIFY payloads must stay under 8000 bytes; the same limit holds on Redis so a message that
 * works on one transport works on the other.
 */
export const MAX_LIVE_MESSAGE_BYTES = 7900;

function checkTopic(topic: string): void {
  // A tab separates topic from message on the PostgreSQL channel.
  if (topic.length === 0 || topic.length > 200 || /[\t\r\n]/.test(topic))
    throw new Error(`Invalid live topic: ${JSON.stringify(topic)}`);
}

function withTopics(transport: (deliver: Deliver) => Transport, logger: Logger): LiveFanout {
  const topics = new Map<string, { listeners: Set<LiveListener>; ready: Promise<void> }>();
  let closed = false;

  const deliver: Deliver = (topic, message) => {
    const entry = topics.get(topic);
    if (!entry) return;
    // A copy: a listener may unsubscribe (itself or another) while we go through them.
    for (const listener of [...entry.listeners]) {
      try {
        listener(message);
      } catch (error) {
        logger.error({ err: error, topic }, 'live listener failed');
      }
    }
  };
  const impl = transport(deliver);

  return {
    async publish(topic, message) {
      checkTopic(topic);
      if (closed) throw new Error('The live fan-out is closed');
      if (Buffer.byteLength(topic) + 1 + Buffer.byteLength(message) > MAX_LIVE_MESSAGE_BYTES) {
        throw new Error(`A live message may be at most ${MAX_LIVE_MESSAGE_BYTES} bytes (topic included)`);
      }
      await impl.publish(topic, message);
    },

    subscribe(topic, listener) {
      checkTopic(topic);
      if (closed) throw new Error('The live fan-out is closed');
      let entry = topics.get(topic);
      if (!entry) {
        entry = { listeners: new Set(), ready: Promise.resolve() };
        topics.set(topic, entry);
        entry.ready = impl.listen(topic);
      }
      // Wrapped, so the same function subscribed twice is two subscriptions.
      const own: LiveListener = (message) => listener(message);
      entry.listeners.add(own);
      const current = entry;
      const unsubscribe = () => {
        if (!current.listeners.delete(own) || current.listeners.size > 0) return;
        if (topics.get(topic) === current) {
          topics.delete(topic);
          if (!closed) impl.unlisten(topic);
        }
      };
      return Object.assign(unsubscribe, { ready: current.ready });
    },

    async close() {
      if (closed) return;
      closed = true;
      topics.clear();
      await impl.close();
    },
  };
}

/**
 * PostgreSQL: pg_notify through the pool, and one LISTEN connection per node (opened with the
 * first subscription, reconnected with backoff when it drops — as the outbox relay's listener).
 */
function postgresTransport(pool: pg.Pool, options: { channel: string; connectionName: string; logger: Logger }) {
  const { channel, logger } = options;
  const listen = listenStatement(channel);
  return (deliver: Deliver): Transport => {
    let client: pg.Client | null = null;
    let attempt: Promise<void> | null = null;
    let reconnectTimer: NodeJS.Timeout | undefined;
    let delayMs = 500;
    let closed = false;

    function scheduleReconnect() {
      if (closed) return;
      clearTimeout(reconnectTimer);
      reconnectTimer = setTimeout(() => {
        attempt = connect();
      }, delayMs);
      delayMs = Math.min(delayMs * 2, 30_000);
    }

    async function connect(): Promise<void> {
      const candidate = new pg.Client({ ...pool.options, application_name: options.connectionName, keepAlive: true });
      candidate.on('notification', (notification) => {
        const payload = notification.payload;
        if (notification.channel !== channel || payload === undefined) return;
        const tab = payload.indexOf('\t');
        if (tab > 0) deliver(payload.slice(0, tab), payload.slice(tab + 1));
      });
      candidate.on('error', (error) =>
        logger.warn({ reason: error.message }, 'live fan-out: LISTEN connection failed; reconnecting'),
      );
      candidate.on('end', () => {
        if (client !== candidate) return;
        client = null;
        scheduleReconnect();
      });
      try {
        await candidate.connect();
        await candidate.query(listen);
      } catch (error) {
        logger.warn({ reason: errorMessage(error) }, 'live fan-out: could not LISTEN; retrying');
        candidate.removeAllListeners('end');
        await candidate.end().catch(() => undefined);
        scheduleReconnect();
        return;
      }
      if (closed) {
        await candidate.end().catch(() => undefined);
        return;
      }
      client = candidate;
      delayMs = 500;
    }

    return {
      // One channel for every topic: the first subscription opens the connection, the others
      // wait for the attempt in progress (or a finished one).
      listen() {
        attempt ??= connect();
        return attempt;
      },
      unlisten() {
        // The connection stays: one per node, and the next subscription needs no handshake.
      },
      async publish(topic, message) {
        await pool.query(NOTIFY_STATEMENT, [channel, `${topic}\t${message}`]);
      },
      async close() {
        closed = true;
        clearTimeout(reconnectTimer);
        await attempt;
        const current = client;
        client = null;
        await current?.end().catch(() => undefined);
      },
    };
  };
}

export function createLiveFanout(options: LiveFanoutOptions): LiveFanout {
  const logger = options.logger;
  const connectionName = options.connectionName ?? 'brigade-live';
  const postgres = postgresTransport(options.pool, {
    channel: options.pgChannel ?? LIVE_CHANNEL,
    connectionName,
    logger,
  });
  if (options.redis) {
    const redis = redisTransport(options.redis, {
      prefix: options.redisPrefix ?? 'brigade:live:',
      connectionName,
      logger,
    });
    return withTopics(redisWithFallback(redis, postgres, { logger, timeoutMs: options.redisTimeoutMs ?? 50 }), logger);
  }
  return withTopics(postgres, logger);
}

/**
 * One process only: for tools and tests that build the modules without a shared fan-out. Still
 * asynchronous (a later tick), so listeners never run inside the publisher's call.
 */
export function createLocalFanout(logger: Logger): LiveFanout {
  return withTopics(
    (deliver) => ({
      listen: async () => undefined,
      unlisten: () => undefined,
      publish: (topic, message) =>
        new Promise<void>((resolve) => {
          setImmediate(() => deliver(topic, message));
          resolve();
        }),
      close: async () => undefined,
    }),
    logger,
  );
}
