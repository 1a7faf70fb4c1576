import { waitFor } from '../../test-support/wait.js';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/harness.js';
import { inTransaction, type Db, type Tx } from '../db/index.js';
import { captureLogs } from '../../test-support/server.js';
import { createEventBus } from './bus.js';
import { outboxJobs } from './jobs.js';
import { createOutboxMetrics } from './metrics.js';
import { createEventAppender, checkOutboxLag, purgeDeliveredEvents, readOutbox } from './outbox.js';
import { createOutboxRelay } from './relay.js';
import { testEvents, type TestEvents } from '../../test-support/event-factories.js';
import type { CloudEvent } from './types.js';

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

const made = (aggregate: string, n: number) => ({
  type: 'test.widget.made' as const,
  aggregate: { type: 'widget', id: aggregate },
  data: { n, aggregate },
});

/** A transaction that appends, then stays open until released; resolves with the appended id. */
function openTransaction(aggregate: string, n: number) {
  let release!: (outcome: 'commit' | 'rollback') => void;
  const decided = new Promise<'commit' | 'rollback'>((resolve) => (release = resolve));
  let appended!: () => void;
  const appendedSignal = new Promise<void>((resolve) => (appended = resolve));
  const done = inTransaction(db, async (trx) => {
    const { id } = await testEvents.append(trx, made(aggregate, n));
    appended();
    if ((await decided) === 'rollback') throw new Error('rolled back on purpose');
    return id;
  });
  return { appended: appendedSignal, release, done };
}

async function lockWaiters(): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()`.execute(db);
  return rows[0]!.n;
}

describe('appending events', () => {
  it('when a transaction appends and commits, then the outbox holds a CloudEvent-shaped row waiting for delivery', async () => {
    const { id } = await inTransaction(db, (trx) => testEvents.append(trx, made('a', 1)));
    const [row] = await readOutbox(db);
    expect(row).toMatchObject({
      id,
      type: 'test.widget.made',
      source: '/brigade/test',
      subject: 'widget/a',
      aggregate_type: 'widget',
      aggregate_id: 'a',
      data: { n: 1, aggregate: 'a' },
      state: 'pending',
      attempts: 0,
      published_at: null,
    });
    // UUIDv7: time-ordered ids.
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('when the transaction rolls back, then nothing is stored and a relay publishes nothing', async () => {
    await expect(
      inTransaction(db, async (trx) => {
        await testEvents.append(trx, made('r', 1));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const { id: kept } = await inTransaction(db, (trx) => testEvents.append(trx, made('r', 2)));

    const bus = createEventBus<TestEvents>();
    const seen: CloudEvent[] = [];
    bus.subscribe('test.widget.made', 'test.audit', async (event) => {
      seen.push(event);
    });
    const relay = createOutboxRelay({
      database: tdb.database,
      subscribers: bus,
      logger: pino({ level: 'silent' }),
      pollMs: 1000,
      batchSize: 10,
    });
    expect(await relay.runOnce()).toBe(1);
    expect(await relay.runOnce()).toBe(0);
    expect(seen.map((event) => event.id)).toEqual([kept]);
    expect(seen[0]).toMatchObject({
      specversion: '1.0',
      id: kept,
      source: '/brigade/test',
      type: 'test.widget.made',
      subject: 'widget/r',
      datacontenttype: 'application/json',
      partitionkey: 'widget:r',
      data: { n: 2, aggregate: 'r' },
    });
    expect(new Date(seen[0]!.time).toISOString()).toBe(seen[0]!.time);
    expect(await readOutbox(db)).toHaveLength(1);
  });

  it('when an event is appended outside a transaction, then it is refused', async () => {
    // The type system already refuses a Db; this is the runtime guard for code that casts.
    await expect(testEvents.append(db as unknown as Tx, made('o', 1))).rejects.toThrow(/inside the transaction/);
    expect(await readOutbox(db)).toHaveLength(0);
  });

  it('when an event type breaks the naming convention or the aggregate is malformed, then it is refused', async () => {
    const loose = createEventAppender<{ OrderPlaced: { n: number }; 'ordering.order.placed': { n: number } }>();
    await expect(
      inTransaction(db, (trx) =>
        loose.append(trx, { type: 'OrderPlaced', aggregate: { type: 'order', id: '1' }, data: { n: 1 } }),
      ),
    ).rejects.toThrow(/<context>.<entity>.<past-tense verb>/);
    await expect(
      inTransaction(db, (trx) =>
        loose.append(trx, { type: 'ordering.order.placed', aggregate: { type: 'order', id: 'a b' }, data: { n: 1 } }),
      ),
    ).rejects.toThrow(/aggregate/);
    expect(await readOutbox(db)).toHaveLength(0);
  });

  it('when two transactions append for the same aggregate, then the second waits for the first to end, so sequence order is commit order', async () => {
    const first = openTransaction('s', 1);
    await first.appended;
    const second = openTransaction('s', 2);
    // The second append is parked on the aggregate's lock, not merely slow.
    await waitFor('the second append to wait on the aggregate lock', async () => (await lockWaiters()) === 1);
    // Another aggregate is not held up meanwhile.
    const other = openTransaction('t', 1);
    await other.appended;
    other.release('commit');
    await other.done;

    first.release('commit');
    await second.appended;
    second.release('commit');
    const [firstId, secondId] = await Promise.all([first.done, second.done]);
    const rows = await readOutbox(db, { aggregate: { type: 'widget', id: 's' } });
    expect(rows.map((row) => row.id)).toEqual([firstId, secondId]);
  });

  it('when the first of two appenders for an aggregate rolls back, then the second goes ahead', async () => {
    const first = openTransaction('u', 1);
    await first.appended;
    const second = openTransaction('u', 2);
    await waitFor('the second append to wait on the aggregate lock', async () => (await lockWaiters()) === 1);
    first.release('rollback');
    await expect(first.done).rejects.toThrow('rolled back on purpose');
    await second.appended;
    second.release('commit');
    const secondId = await second.done;
    expect((await readOutbox(db)).map((row) => row.id)).toEqual([secondId]);
  });
});

describe('outbox operations', () => {
  it('when events wait, then the lag check reports how many and how old the oldest is; once delivered, zero', async () => {
    expect(await checkOutboxLag(db)).toEqual({ pending: 0, oldestPendingSeconds: 0, dead: 0 });
    await inTransaction(db, async (trx) => {
      await testEvents.append(trx, made('lag', 1));
      await testEvents.append(trx, made('lag', 2));
    });
    await sql`UPDATE outbox SET occurred_at = now() - interval '90 seconds' WHERE data->>'n' = '1'`.execute(db);
    const lag = await checkOutboxLag(db);
    expect(lag.pending).toBe(2);
    expect(lag.oldestPendingSeconds).toBeGreaterThanOrEqual(90);
    expect(lag.oldestPendingSeconds).toBeLessThan(120);

    const relay = createOutboxRelay({
      database: tdb.database,
      subscribers: createEventBus(),
      logger: pino({ level: 'silent' }),
      pollMs: 1000,
      batchSize: 10,
    });
    await relay.runOnce();
    expect(await checkOutboxLag(db)).toEqual({ pending: 0, oldestPendingSeconds: 0, dead: 0 });
  });

  it('when the scheduled lag check runs, then it exports the gauges and warns while events wait too long', async () => {
    await inTransaction(db, (trx) => testEvents.append(trx, made('slow', 1)));
    await sql`UPDATE outbox SET occurred_at = now() - interval '5 minutes'`.execute(db);
    const metrics = createOutboxMetrics();
    const logs = captureLogs('info');
    const check = outboxJobs({ db, metrics, logger: logs.logger }).find(
      (job) => job.name === 'events.check-outbox-lag',
    )!;
    expect(check).toMatchObject({ policy: 'singleton', cron: '* * * * *' });

    await check.handler({}, { id: 'job-1', retryCount: 0 });
    expect((await metrics.pending.get()).values[0]?.value).toBe(1);
    expect((await metrics.lagSeconds.get()).values[0]?.value).toBeGreaterThanOrEqual(300);
    expect(logs.lines().at(-1)).toMatchObject({
      level: 'warn',
      msg: 'outbox behind: events wait for delivery',
      outbox: { pending: 1, dead: 0 },
    });

    await sql`UPDATE outbox SET state = 'published', published_at = now()`.execute(db);
    await check.handler({}, { id: 'job-2', retryCount: 0 });
    expect((await metrics.lagSeconds.get()).values[0]?.value).toBe(0);
    expect(logs.lines().at(-1)).toMatchObject({
      level: 'info',
      msg: 'outbox lag',
      outbox: { pending: 0, oldestPendingSeconds: 0, dead: 0 },
    });
  });

  it('when delivered events are older than the retention, then they and their processed records are purged, and nothing undelivered is', async () => {
    await inTransaction(db, async (trx) => {
      await testEvents.append(trx, made('old', 1));
      await testEvents.append(trx, made('new', 1));
    });
    const [old, fresh] = await readOutbox(db);
    await sql`INSERT INTO processed_events (subscriber, event_id, processed_at) VALUES ('test.audit', ${old!.id}, now() - interval '8 days'), ('test.audit', ${fresh!.id}, now() - interval '8 days')`.execute(
      db,
    );
    await sql`UPDATE outbox SET state = 'published', published_at = now() - interval '8 days' WHERE id = ${old!.id}`.execute(
      db,
    );

    const deleted = await purgeDeliveredEvents(db, new Date(Date.now() - 7 * 24 * 3600 * 1000));
    expect(deleted).toBe(2);
    expect((await readOutbox(db)).map((row) => row.id)).toEqual([fresh!.id]);
    const { rows } = await sql<{ event_id: string }>`SELECT event_id FROM processed_events`.execute(db);
    // The fresh event is still pending: its record must stay, or a retry would run the subscriber twice.
    expect(rows.map((row) => row.event_id)).toEqual([fresh!.id]);
  });
});
