import { waitFor } from '../../test-support/wait.js';
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testConfig, type TestDatabase } from '../../test-support/harness.js';
import { captureLogs } from '../../test-support/server.js';
import { inTransaction, type Db } from '../db/index.js';
import { createEventBus } from './bus.js';
import { createOutboxMetrics } from './metrics.js';
import { countByState, testEvents, type TestEvents } from '../../test-support/event-factories.js';
import { startOutboxWorker } from './worker.js';

const NATS_URL = process.env.NATS_URL;

let tdb: TestDatabase;
let db: Db;
beforeAll(async () => {
  tdb = await createTestDatabase();
  db = tdb.database.db;
});
afterAll(async () => {
  await tdb.drop();
});
beforeEach(async () => {
  await sql`TRUNCATE outbox, processed_events`.execute(db);
});

const appendOne = (aggregate: string) =>
  inTransaction(db, (trx) =>
    testEvents.append(trx, {
      type: 'test.widget.made',
      aggregate: { type: 'widget', id: aggregate },
      data: { n: 1, aggregate },
    }),
  );

describe('outbox worker', () => {
  it('when NATS_URL is not set, then it delivers to the subscribers alone and counts what it published', async () => {
    const bus = createEventBus<TestEvents>();
    const seen: string[] = [];
    bus.subscribe('test.widget.made', 'test.audit', async (event) => {
      seen.push(event.id);
    });
    const metrics = createOutboxMetrics();
    const worker = startOutboxWorker({
      config: testConfig({ OUTBOX_POLL_INTERVAL_MS: '50' }),
      database: tdb.database,
      subscribers: bus,
      logger: captureLogs().logger,
      metrics,
    });
    try {
      await worker.ready;
      const { id } = await appendOne('plain');
      await waitFor('the subscriber to see the event', () => seen.includes(id));
      await waitFor('the event to be published', async () => (await countByState(db)).published === 1);
      expect((await metrics.published.get()).values).toEqual([
        expect.objectContaining({ value: 1, labels: { type: 'test.widget.made' } }),
      ]);
    } finally {
      await worker.stop();
    }
  });

  it('when NATS is unreachable, then events wait in the outbox while it keeps trying, and stopping does not hang', async () => {
    const logs = captureLogs('warn');
    const worker = startOutboxWorker({
      config: testConfig({ NATS_URL: 'nats://127.0.0.1:1', OUTBOX_POLL_INTERVAL_MS: '50' }),
      database: tdb.database,
      subscribers: createEventBus(),
      logger: logs.logger,
    });
    await appendOne('waiting');
    await waitFor('a retry to be logged', () =>
      logs.lines().some((line) => line.msg?.startsWith('NATS JetStream not reachable')),
    );
    expect(worker.relay()).toBeNull();
    expect(await countByState(db)).toEqual({ pending: 1 });
    await worker.stop();
    await worker.ready;
  });

  it.runIf(!!NATS_URL)('when NATS_URL is set, then it creates the configured stream and publishes to it', async () => {
    const suffix = randomBytes(4).toString('hex');
    const streamName = `BRIGADE_WORKER_${suffix}`;
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    const worker = startOutboxWorker({
      config: testConfig({ NATS_URL: NATS_URL!, NATS_STREAM: streamName, OUTBOX_POLL_INTERVAL_MS: '50' }),
      database: tdb.database,
      subscribers: createEventBus(),
      logger: captureLogs().logger,
      stream: { subjectPrefix: `worker${suffix}` },
    });
    try {
      await worker.ready;
      await appendOne('streamed');
      await waitFor('the event to be published', async () => (await countByState(db)).published === 1);
      const info = await jsm.streams.info(streamName);
      expect(info.config.subjects).toEqual([`worker${suffix}.>`]);
      expect(info.state.messages).toBe(1);
    } finally {
      await worker.stop();
      await jsm.streams.delete(streamName).catch(() => undefined);
      await nc.close();
    }
  });
});
