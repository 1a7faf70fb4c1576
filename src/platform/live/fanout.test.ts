import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/harness.js';
import { waitFor } from '../../test-support/wait.js';
import { backendsNamed, terminateBackends } from '../../test-support/event-factories.js';
import { createLiveFanout, createLocalFanout, MAX_LIVE_MESSAGE_BYTES, type LiveFanout } from './index.js';

const silent = pino({ level: 'silent' });
const REDIS_URL = process.env.REDIS_URL;
const unique = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

let tdb: TestDatabase;
const opened: LiveFanout[] = [];
const redisClients: Redis[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((fanout) => fanout.close()));
  for (const client of redisClients.splice(0)) client.disconnect();
});
afterAll(async () => {
  await tdb.drop();
});

/** A "node": its own fan-out (and, for Redis, its own shared client), as each api process has. */
function pgNode(connectionName = unique('live')): LiveFanout {
  const fanout = createLiveFanout({ pool: tdb.database.pool, redis: null, logger: silent, connectionName });
  opened.push(fanout);
  return fanout;
}

function redisNode(prefix: string, connectionName = unique('live')): LiveFanout {
  const redis = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1 });
  redisClients.push(redis);
  const fanout = createLiveFanout({
    pool: tdb.database.pool,
    redis,
    logger: silent,
    redisPrefix: prefix,
    connectionName,
  });
  opened.push(fanout);
  return fanout;
}

/** A node configured with Redis whose Redis is not there (nothing listens on that port). */
function nodeWithRedisAway(connectionName = unique('live')): LiveFanout {
  const redis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  redisClients.push(redis);
  const fanout = createLiveFanout({ pool: tdb.database.pool, redis, logger: silent, connectionName });
  opened.push(fanout);
  return fanout;
}

/** Records what a topic's listener hears. */
function hear(fanout: LiveFanout, topic: string) {
  const heard: string[] = [];
  const subscription = fanout.subscribe(topic, (message) => heard.push(message));
  return { heard, subscription };
}

// The same behaviour, whichever transport carries it.
const transports = [
  { name: 'PostgreSQL LISTEN/NOTIFY', enabled: true, nodes: () => [pgNode(), pgNode()] as const },
  {
    name: 'Redis pub/sub',
    enabled: Boolean(REDIS_URL),
    nodes: () => {
      const prefix = `${unique('brigade-test')}:`;
      return [redisNode(prefix), redisNode(prefix)] as const;
    },
  },
];

for (const transport of transports) {
  describe(transport.name, () => {
    it.runIf(transport.enabled)(
      'when one node publishes, then listeners on both nodes (the publisher’s own included) hear it, in order',
      async () => {
        const [a, b] = transport.nodes();
        const onA = hear(a, 'store.1');
        const onB = hear(b, 'store.1');
        await Promise.all([onA.subscription.ready, onB.subscription.ready]);

        await a.publish('store.1', 'first');
        await a.publish('store.1', 'with\ttab, newline\nand ünïcode');
        await b.publish('store.1', 'from b');

        await waitFor('both nodes hearing all three', () => onA.heard.length === 3 && onB.heard.length === 3);
        expect(onA.heard).toEqual(['first', 'with\ttab, newline\nand ünïcode', 'from b']);
        expect(onB.heard).toEqual(onA.heard);
      },
    );

    it.runIf(transport.enabled)(
      'when a listener unsubscribes, then it hears nothing more while the topic’s other listeners and topics still do',
      async () => {
        const [a, b] = transport.nodes();
        const gone = hear(b, 'orders.x');
        const stays = hear(b, 'orders.x');
        const other = hear(b, 'orders.y');
        await Promise.all([gone.subscription.ready, stays.subscription.ready, other.subscription.ready]);

        gone.subscription();
        gone.subscription(); // idempotent
        await a.publish('orders.x', 'after');
        // Published after the one above by the same node, so heard after it: once this arrives, the
        // first message has been delivered to whoever was going to hear it.
        await a.publish('orders.y', 'sentinel');
        await waitFor('the sentinel', () => other.heard.length === 1);

        expect(stays.heard).toEqual(['after']);
        expect(gone.heard).toEqual([]);

        stays.subscription();
        await a.publish('orders.x', 'nobody listens');
        await a.publish('orders.y', 'sentinel 2');
        await waitFor('the second sentinel', () => other.heard.length === 2);
        expect(stays.heard).toEqual(['after']);
      },
    );

    it.runIf(transport.enabled)(
      'when a message is too large or a topic malformed, then publish refuses it',
      async () => {
        const [a] = transport.nodes();
        await expect(a.publish('t', 'x'.repeat(MAX_LIVE_MESSAGE_BYTES))).rejects.toThrow(/at most/);
        await expect(a.publish('bad\ttopic', 'm')).rejects.toThrow(/Invalid live topic/);
        expect(() => a.subscribe('', () => undefined)).toThrow(/Invalid live topic/);
      },
    );
  });
}

describe('connections', () => {
  it('when the PostgreSQL fan-out closes, then its LISTEN connection is released, and it opened none before the first subscription', async () => {
    const name = unique('live-close');
    const fanout = pgNode(name);
    await fanout.publish('t', 'publishing uses the pool');
    expect(await backendsNamed(tdb.database.db, name)).toHaveLength(0);

    await fanout.subscribe('t', () => undefined).ready;
    expect(await backendsNamed(tdb.database.db, name)).toHaveLength(1);

    await fanout.close();
    await waitFor('the LISTEN backend to go', async () => (await backendsNamed(tdb.database.db, name)).length === 0);
    await expect(fanout.publish('t', 'm')).rejects.toThrow(/closed/);
  });

  it('when the LISTEN connection is killed, then the fan-out reconnects and delivery resumes', async () => {
    const name = unique('live-kill');
    const listener = pgNode(name);
    const publisher = pgNode();
    const { heard, subscription } = hear(listener, 'probe');
    await subscription.ready;
    expect(await terminateBackends(tdb.database.db, name)).toBe(1);

    // Messages sent while it is away are lost (at most once): keep probing until one arrives.
    let probes = 0;
    await waitFor(
      'a probe after the reconnect',
      async () => {
        await publisher.publish('probe', `probe ${++probes}`);
        return heard.length > 0;
      },
      20_000,
      100,
    );
    expect(await backendsNamed(tdb.database.db, name)).toHaveLength(1);
  });

  it.runIf(REDIS_URL)(
    'when the Redis fan-out closes, then its subscriber connection is released and the shared client stays open',
    async () => {
      const name = unique('live-close');
      const shared = new Redis(REDIS_URL!);
      redisClients.push(shared);
      const fanout = createLiveFanout({
        pool: tdb.database.pool,
        redis: shared,
        logger: silent,
        redisPrefix: `${unique('brigade-test')}:`,
        connectionName: name,
      });
      const clientNames = async () =>
        ((await shared.client('LIST')) as string).split('\n').filter((line) => line.includes(` name=${name} `));

      await fanout.publish('t', 'publishing uses the shared client');
      expect(await clientNames()).toHaveLength(0);
      await fanout.subscribe('t', () => undefined).ready;
      expect(await clientNames()).toHaveLength(1);

      await fanout.close();
      await waitFor('the subscriber connection to go', async () => (await clientNames()).length === 0);
      expect(await shared.ping()).toBe('PONG');
    },
  );

  it('when the fan-out is local (one process), then listeners hear messages on a later tick, never inside publish', async () => {
    const fanout = createLocalFanout(silent);
    opened.push(fanout);
    const { heard, subscription } = hear(fanout, 't');
    await subscription.ready;
    await fanout.publish('t', 'm');
    expect(heard).toEqual([]);
    await waitFor('the local message', () => heard.length === 1);
  });
});

describe('Redis configured but away', () => {
  it('when Redis does not answer, then a message goes through PostgreSQL at once and every node hears it, in order', async () => {
    const [a, b] = [nodeWithRedisAway(), nodeWithRedisAway()];
    const topic = unique('store');
    const onB = hear(b, topic);
    await onB.subscription.ready;
    const started = Date.now();
    for (const message of ['one', 'two', 'three']) await a.publish(topic, message);
    // The first publish waits the guard's timeout once; the breaker then sends the rest at once.
    expect(Date.now() - started).toBeLessThan(1_000);
    await waitFor('b to hear all three', () => onB.heard.length === 3);
    expect(onB.heard).toEqual(['one', 'two', 'three']);
  });
});
