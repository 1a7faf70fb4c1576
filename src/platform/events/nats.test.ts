// Against the real NATS server CI runs (NATS_URL). Every test uses its own stream and subject
// prefix, so runs on a shared server never see each other's messages.
import { waitFor } from '../../test-support/wait.js';
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/harness.js';
import type { Db } from '../db/index.js';
import { createEventBus } from './bus.js';
import { connectJetStream, type EventStream } from './nats.js';
import { createOutboxRelay, type OutboxRelay } from './relay.js';
import { appendBurst, countByState, terminateBackends, type TestEvents } from '../../test-support/event-factories.js';
import type { CloudEvent } from './types.js';

const NATS_URL = process.env.NATS_URL;
const silent = pino({ level: 'silent' });

let tdb: TestDatabase;
let db: Db;
let nc: NatsConnection | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = tdb.database.db;
  if (NATS_URL) nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  await nc?.close();
  await tdb.drop();
});
beforeEach(async () => {
  await sql`TRUNCATE outbox, processed_events`.execute(db);
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A fresh stream name and subject prefix for this test, deleted afterwards. */
async function freshStream(): Promise<{ name: string; prefix: string; stream: EventStream }> {
  const suffix = randomBytes(4).toString('hex');
  const name = `BRIGADE_TEST_${suffix}`;
  const prefix = `brigadetest${suffix}`;
  const stream = await connectJetStream({ url: NATS_URL!, stream: name, subjectPrefix: prefix, logger: silent });
  cleanups.push(async () => (await jetstreamManager(nc!)).streams.delete(name));
  cleanups.push(() => stream.close());
  return { name, prefix, stream };
}

function relayWith(
  stream: EventStream,
  options: {
    name: string;
    subscribers?: ReturnType<typeof createEventBus<TestEvents>>;
    batchSize?: number;
    concurrency?: number;
  },
): OutboxRelay {
  const relay = createOutboxRelay({
    database: tdb.database,
    subscribers: options.subscribers ?? createEventBus<TestEvents>(),
    stream,
    logger: silent,
    pollMs: 50,
    batchSize: options.batchSize ?? 500,
    concurrency: options.concurrency ?? 8,
    name: options.name,
  });
  cleanups.push(() => relay.stop());
  return relay;
}

interface Received {
  seq: number;
  subject: string;
  event: CloudEvent<string, { n: number; aggregate: string }>;
}

/** Reads the whole stream with an ordered consumer, in stream order, until `count` arrived. */
async function readStream(streamName: string, count: number, timeoutMs: number): Promise<Received[]> {
  const consumer = await jetstream(nc!).consumers.get(streamName);
  const messages = await consumer.consume();
  const received: Received[] = [];
  const timer = setTimeout(() => void messages.close(), timeoutMs);
  for await (const message of messages) {
    received.push({ seq: message.seq, subject: message.subject, event: message.json() });
    if (received.length >= count) break;
  }
  clearTimeout(timer);
  await messages.close();
  return received;
}

describe('JetStream publishing', () => {
  it.runIf(!!NATS_URL)(
    'when a burst of 10,000 events is relayed by two relays, then a consumer receives every one exactly once, with no gaps and each aggregate in order',
    async () => {
      const { name, prefix, stream } = await freshStream();
      const a = relayWith(stream, { name: `nats-a-${randomBytes(3).toString('hex')}` });
      const b = relayWith(stream, { name: `nats-b-${randomBytes(3).toString('hex')}` });
      await Promise.all([a.start(), b.start()]);

      const aggregates = Array.from({ length: 100 }, (_, index) => `burst${index}`);
      const ids = await appendBurst(db, { aggregates, perAggregate: 100, perTransaction: 50 });
      expect(ids).toHaveLength(10_000);
      await waitFor(
        'all 10,000 events to be published',
        async () => (await countByState(db)).published === 10_000,
        60_000,
        50,
      );

      const info = await (await jetstreamManager(nc!)).streams.info(name);
      expect(info.state.messages).toBe(10_000);
      expect(info.state.last_seq).toBe(10_000);

      const received = await readStream(name, 10_000, 30_000);
      expect(received).toHaveLength(10_000);
      // No gaps: stream sequences 1..10000, one message each.
      expect(received.map((message) => message.seq)).toEqual(Array.from({ length: 10_000 }, (_, index) => index + 1));
      // No duplicates, nothing missing: exactly the appended ids.
      const receivedIds = received.map((message) => message.event.id);
      expect(new Set(receivedIds).size).toBe(10_000);
      expect(new Set(receivedIds)).toEqual(new Set(ids));
      expect(received.every((message) => message.subject === `${prefix}.test.widget.made`)).toBe(true);
      // Each aggregate's events are in the stream in the order they were appended.
      const byAggregate = new Map<string, number[]>();
      for (const { event } of received)
        byAggregate.set(event.data.aggregate, [...(byAggregate.get(event.data.aggregate) ?? []), event.data.n]);
      for (const aggregate of aggregates)
        expect(byAggregate.get(aggregate)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
      expect(received[0]!.event).toMatchObject({
        specversion: '1.0',
        type: 'test.widget.made',
        source: '/brigade/test',
        datacontenttype: 'application/json',
      });
      expect(a.stats().published + b.stats().published).toBe(10_000);
    },
    120_000,
  );

  it.runIf(!!NATS_URL)(
    'when a relay dies after publishing part of a batch, then the redelivered events are deduplicated by the stream',
    async () => {
      const { name, stream } = await freshStream();
      const ids = await appendBurst(db, { aggregates: ['d1', 'd2', 'd3', 'd4'], perAggregate: 50, perTransaction: 50 });
      const bus = createEventBus<TestEvents>();
      const first = relayWith(stream, {
        name: `nats-first-${randomBytes(3).toString('hex')}`,
        subscribers: bus,
        batchSize: 200,
        concurrency: 1,
      });
      let seen = 0;
      bus.subscribe('test.widget.made', 'test.killer', async () => {
        if (++seen === 80) {
          await terminateBackends(db, `outbox-relay:${first.name}`);
          void first.stop();
        }
      });
      await first.start();
      await waitFor('the first relay to lose its claim', () => first.stats().claimsLost === 1);
      await first.stop();
      const jsm = await jetstreamManager(nc!);
      const published = (await jsm.streams.info(name)).state.messages;
      expect(published).toBeGreaterThanOrEqual(80);
      expect(published).toBeLessThan(200);
      expect(await countByState(db)).toEqual({ pending: 200 });

      const second = relayWith(stream, { name: `nats-second-${randomBytes(3).toString('hex')}`, subscribers: bus });
      await second.start();
      await waitFor('everything to be published', async () => (await countByState(db)).published === 200);
      // Every event republished, yet the stream holds each once.
      const info = await jsm.streams.info(name);
      expect(info.state.messages).toBe(200);
      const received = await readStream(name, 200, 10_000);
      expect(new Set(received.map((message) => message.event.id))).toEqual(new Set(ids));
    },
  );

  it.runIf(!!NATS_URL)(
    'when the stream exists without the event subjects, then they are added; when it is missing, it is created',
    async () => {
      const suffix = randomBytes(4).toString('hex');
      const jsm = await jetstreamManager(nc!);
      await jsm.streams.add({ name: `BRIGADE_EXISTING_${suffix}`, subjects: [`legacy${suffix}.>`] });
      cleanups.push(() => jsm.streams.delete(`BRIGADE_EXISTING_${suffix}`));
      const existing = await connectJetStream({
        url: NATS_URL!,
        stream: `BRIGADE_EXISTING_${suffix}`,
        subjectPrefix: `events${suffix}`,
        logger: silent,
      });
      cleanups.push(() => existing.close());
      expect((await jsm.streams.info(`BRIGADE_EXISTING_${suffix}`)).config.subjects).toEqual([
        `legacy${suffix}.>`,
        `events${suffix}.>`,
      ]);

      const { name, prefix } = await freshStream();
      const created = await jsm.streams.info(name);
      expect(created.config.subjects).toEqual([`${prefix}.>`]);
      expect(created.config.duplicate_window).toBe(120_000 * 1_000_000);
    },
  );
});
