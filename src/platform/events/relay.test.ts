import { waitFor } from '../../test-support/wait.js';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/harness.js';
import { captureLogs } from '../../test-support/server.js';
import { inTransaction, type Db } from '../db/index.js';
import { createEventBus, type EventBus } from './bus.js';
import { createOutboxMetrics } from './metrics.js';
import { checkOutboxLag, readOutbox, redeliverDeadEvents } from './outbox.js';
import { createOutboxRelay, type OutboxRelay, type RelayOptions } from './relay.js';
import {
  appendBurst,
  backendsNamed,
  countByState,
  createEffectsTable,
  readEffects,
  terminateBackends,
  testEvents,
  type TestEvents,
} from '../../test-support/event-factories.js';

let tdb: TestDatabase;
let db: Db;
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = tdb.database.db;
  await createEffectsTable(db);
});
afterAll(async () => {
  await tdb.drop();
});
beforeEach(async () => {
  await sql`TRUNCATE outbox, processed_events, test_effects`.execute(db);
});
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
});

const silent = pino({ level: 'silent' });
const uniqueName = (label: string) => `${label}-${randomBytes(3).toString('hex')}`;

function startRelay(bus: EventBus<TestEvents>, overrides: Partial<RelayOptions> = {}): OutboxRelay {
  const relay = createOutboxRelay({
    database: tdb.database,
    subscribers: bus,
    logger: silent,
    pollMs: 50,
    batchSize: 50,
    name: uniqueName('relay'),
    ...overrides,
  });
  relays.push(relay);
  return relay;
}

/** A subscriber that records each event it processes in test_effects, in its own transaction. */
function recorder(bus: EventBus<TestEvents>, subscriber: string, calls: string[] = []) {
  bus.subscribe('test.widget.made', subscriber, async (event, { trx }) => {
    calls.push(event.id);
    await sql`INSERT INTO test_effects (subscriber, event_id, aggregate, n) VALUES (${subscriber}, ${event.id}, ${event.data.aggregate}, ${event.data.n})`.execute(
      trx,
    );
  });
  return calls;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

async function append(aggregate: string, n: number): Promise<string> {
  return inTransaction(
    db,
    async (trx) =>
      (
        await testEvents.append(trx, {
          type: 'test.widget.made',
          aggregate: { type: 'widget', id: aggregate },
          data: { n, aggregate },
        })
      ).id,
  );
}

async function eventRow(id: string) {
  const row = (await readOutbox(db)).find((candidate) => candidate.id === id);
  if (!row) throw new Error(`no outbox row ${id}`);
  return row;
}

function expectEachOnceInOrder(
  effects: Awaited<ReturnType<typeof readEffects>>,
  ids: string[],
  aggregates: string[],
  perAggregate: number,
) {
  expect(effects).toHaveLength(ids.length);
  expect(new Set(effects.map((effect) => effect.event_id))).toEqual(new Set(ids));
  for (const aggregate of aggregates) {
    expect(effects.filter((effect) => effect.aggregate === aggregate).map((effect) => effect.n)).toEqual(
      range(1, perAggregate),
    );
  }
}

describe('outbox relay', () => {
  it('when two relays run at once, then each subscriber sees each of 500 events exactly once and every aggregate in order', async () => {
    const bus = createEventBus<TestEvents>();
    const a = startRelay(bus, { name: uniqueName('a'), batchSize: 10 });
    const b = startRelay(bus, { name: uniqueName('b'), batchSize: 10 });
    // Each relay's first handler waits until both relays hold a claim at the same moment, so
    // the run provably overlaps instead of one relay happening to do everything.
    let overlapped = false;
    const projected: string[] = [];
    bus.subscribe('test.widget.made', 'test.projection', async (event, { trx }) => {
      if (!overlapped) {
        await waitFor('both relays to hold a claim at once', async () => {
          const claims = [
            ...(await backendsNamed(db, `outbox-relay:${a.name}`)),
            ...(await backendsNamed(db, `outbox-relay:${b.name}`)),
          ];
          return claims.length >= 2;
        });
        overlapped = true;
      }
      projected.push(event.id);
      await sql`INSERT INTO test_effects (subscriber, event_id, aggregate, n) VALUES ('test.projection', ${event.id}, ${event.data.aggregate}, ${event.data.n})`.execute(
        trx,
      );
    });
    const audited = recorder(bus, 'test.audit');
    await Promise.all([a.start(), b.start()]);

    const aggregates = range(1, 20).map((index) => `w${index}`);
    const ids = await appendBurst(db, { aggregates, perAggregate: 25, perTransaction: 5 });
    await waitFor('all 500 events to be published', async () => (await countByState(db)).published === 500);

    expect(overlapped).toBe(true);
    expectEachOnceInOrder(await readEffects(db, 'test.projection'), ids, aggregates, 25);
    expectEachOnceInOrder(await readEffects(db, 'test.audit'), ids, aggregates, 25);
    // Not just the effects: each handler ran exactly once per event.
    expect(projected).toHaveLength(500);
    expect(audited).toHaveLength(500);
    expect(a.stats().published).toBeGreaterThan(0);
    expect(b.stats().published).toBeGreaterThan(0);
    expect(a.stats().published + b.stats().published).toBe(500);
  });

  it('when a relay’s connection is killed mid-batch, then another relay delivers the rest and every effect happens exactly once', async () => {
    const aggregates = range(1, 10).map((index) => `k${index}`);
    const ids = await appendBurst(db, { aggregates, perAggregate: 30, perTransaction: 30 });
    const bus = createEventBus<TestEvents>();
    const metrics = createOutboxMetrics();
    const first = createOutboxRelay({
      database: tdb.database,
      subscribers: bus,
      logger: silent,
      pollMs: 50,
      batchSize: 200,
      concurrency: 2,
      name: uniqueName('first'),
      metrics,
    });
    relays.push(first);

    let seen = 0;
    const killerCalls: string[] = [];
    bus.subscribe('test.widget.made', 'test.killer', async (event, { trx }) => {
      killerCalls.push(event.id);
      await sql`INSERT INTO test_effects (subscriber, event_id, aggregate, n) VALUES ('test.killer', ${event.id}, ${event.data.aggregate}, ${event.data.n})`.execute(
        trx,
      );
      if (++seen === 60) {
        // The relay's database session dies in the middle of its first batch of 200; the relay
        // process is also told to stop (not awaited here: it waits for this very handler).
        expect(await terminateBackends(db, `outbox-relay:${first.name}`)).toBe(1);
        void first.stop();
      }
    });
    const audited = recorder(bus, 'test.audit');
    await first.start();
    await waitFor('the first relay to notice it lost its claim', () => first.stats().claimsLost === 1);
    await first.stop();

    // Part of the batch took effect, none of it was marked published.
    expect(killerCalls.length).toBeGreaterThanOrEqual(60);
    expect(killerCalls.length).toBeLessThan(300);
    expect(await countByState(db)).toEqual({ pending: 300 });
    expect(first.stats().published).toBe(0);
    expect((await metrics.claimsLost.get()).values[0]?.value).toBe(1);

    const second = startRelay(bus, { name: uniqueName('second'), batchSize: 200 });
    await second.start();
    await waitFor('the second relay to publish everything', async () => (await countByState(db)).published === 300);

    expect(second.stats().published).toBe(300);
    expectEachOnceInOrder(await readEffects(db, 'test.killer'), ids, aggregates, 30);
    expectEachOnceInOrder(await readEffects(db, 'test.audit'), ids, aggregates, 30);
    // Redelivered events the first relay had already handled were skipped before the handler.
    expect(killerCalls).toHaveLength(300);
    expect(audited).toHaveLength(300);
  });

  it('when a subscriber fails, then it is retried with growing delays while other subscribers and aggregates carry on, and its aggregate waits', async () => {
    const bus = createEventBus<TestEvents>();
    const metrics = createOutboxMetrics();
    const attempts: Array<{ attempt: number; at: number }> = [];
    let failuresLeft = 2;
    bus.subscribe('test.widget.made', 'test.flaky', async (event, { trx, attempt }) => {
      if (event.data.aggregate === 'x' && event.data.n === 1) {
        attempts.push({ attempt, at: Date.now() });
        if (failuresLeft-- > 0) throw new Error('printer jammed');
      }
      await sql`INSERT INTO test_effects (subscriber, event_id, aggregate, n) VALUES ('test.flaky', ${event.id}, ${event.data.aggregate}, ${event.data.n})`.execute(
        trx,
      );
    });
    const steady = recorder(bus, 'test.steady');
    const x1 = await append('x', 1);
    const x2 = await append('x', 2);
    const y1 = await append('y', 1);

    const relay = startRelay(bus, { pollMs: 20, retry: { baseMs: 200, maxMs: 10_000 }, maxAttempts: 5, metrics });
    await relay.start();

    await waitFor('the other aggregate to be published', async () => (await eventRow(y1)).state === 'published');
    const failing = await eventRow(x1);
    expect(failing).toMatchObject({ state: 'pending', last_error: 'test.flaky: printer jammed' });
    expect(failing.attempts).toBeGreaterThanOrEqual(1);
    // Behind the failing event, its aggregate's next one has not been attempted.
    expect(await eventRow(x2)).toMatchObject({ state: 'pending', attempts: 0 });

    await waitFor('the whole aggregate to be published', async () => (await eventRow(x2)).state === 'published');
    expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3]);
    // Backoff base·2^(attempt−1) with equal jitter: at least half of each step.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(100);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(200);
    expect(await eventRow(x1)).toMatchObject({ state: 'published', attempts: 3 });

    // The steady subscriber handled x1 once, not once per retry; both kept x's order.
    expect(steady.filter((id) => id === x1)).toHaveLength(1);
    const flakyOrder = (await readEffects(db, 'test.flaky'))
      .filter((effect) => effect.aggregate === 'x')
      .map((effect) => effect.n);
    expect(flakyOrder).toEqual([1, 2]);
    const steadyOrder = (await readEffects(db, 'test.steady'))
      .filter((effect) => effect.aggregate === 'x')
      .map((effect) => effect.n);
    expect(steadyOrder).toEqual([1, 2]);
    const failures = (await metrics.deliveryFailures.get()).values.find(
      (value) => value.labels.destination === 'test.flaky',
    );
    expect(failures?.value).toBe(2);
  });

  it('when an event fails on every attempt, then it is dead-lettered, counted and logged, and its aggregate waits until it is redelivered', async () => {
    const bus = createEventBus<TestEvents>();
    const metrics = createOutboxMetrics();
    const logs = captureLogs('info');
    let broken = true;
    bus.subscribe('test.widget.made', 'test.broken', async (event, { trx }) => {
      if (broken && event.data.aggregate === 'x' && event.data.n === 1) throw new Error('menu service is down');
      await sql`INSERT INTO test_effects (subscriber, event_id, aggregate, n) VALUES ('test.broken', ${event.id}, ${event.data.aggregate}, ${event.data.n})`.execute(
        trx,
      );
    });
    const x1 = await append('x', 1);
    const x2 = await append('x', 2);
    const y1 = await append('y', 1);

    const relay = startRelay(bus, {
      pollMs: 20,
      retry: { baseMs: 10, maxMs: 40 },
      maxAttempts: 3,
      metrics,
      logger: logs.logger,
    });
    await relay.start();
    await waitFor('the event to be dead-lettered', async () => (await eventRow(x1)).state === 'dead');

    expect(await eventRow(x1)).toMatchObject({ attempts: 3, last_error: 'test.broken: menu service is down' });
    expect(await eventRow(y1)).toMatchObject({ state: 'published' });
    expect(await eventRow(x2)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(relay.stats().deadLettered).toBe(1);
    expect((await metrics.deadLetters.get()).values).toEqual([
      expect.objectContaining({ value: 1, labels: { type: 'test.widget.made' } }),
    ]);
    const line = logs.lines().find((entry) => entry.msg?.startsWith('outbox event dead-lettered'));
    expect(line).toMatchObject({
      level: 'error',
      event_id: x1,
      type: 'test.widget.made',
      aggregate: 'widget:x',
      attempt: 3,
    });
    expect(JSON.stringify(line)).not.toContain('"data"');
    expect(await checkOutboxLag(db)).toMatchObject({ pending: 1, dead: 1 });

    // The blocked event stays blocked however often the relay looks.
    await relay.runOnce();
    expect(await eventRow(x2)).toMatchObject({ state: 'pending', attempts: 0 });

    broken = false;
    // A published event is not dead: only x1 goes back to the queue.
    expect(await redeliverDeadEvents(db, [x1, y1])).toBe(1);
    await waitFor(
      'the aggregate to be published after redelivery',
      async () => (await eventRow(x2)).state === 'published',
    );
    expect((await readEffects(db, 'test.broken')).map((effect) => effect.event_id)).toEqual([y1, x1, x2]);
    expect(await checkOutboxLag(db)).toEqual({ pending: 0, oldestPendingSeconds: 0, dead: 0 });
  });

  it('when an event commits, then LISTEN/NOTIFY wakes the relay without waiting for the poll', async () => {
    const bus = createEventBus<TestEvents>();
    const calls = recorder(bus, 'test.audit');
    const relay = startRelay(bus, { pollMs: 60_000 });
    await relay.start();
    // The start-up batch ran and the relay sleeps for a minute, unless notified.
    await waitFor('the start-up claim to have run', () => relay.stats().claims >= 1);
    const id = await append('n', 1);
    await waitFor('the notified relay to deliver', () => calls.includes(id), 5000);
  });

  it('when a notification is missed, then the polling fallback still delivers', async () => {
    const bus = createEventBus<TestEvents>();
    const calls = recorder(bus, 'test.audit');
    const relay = startRelay(bus, { pollMs: 50 });
    await relay.start();
    // Written as an append would be, minus the NOTIFY.
    const { rows } = await sql<{ id: string }>`
      INSERT INTO outbox (id, aggregate_type, aggregate_id, type, source, subject, data)
      VALUES (gen_random_uuid(), 'widget', 'p', 'test.widget.made', '/brigade/test', 'widget/p', '{"n": 1, "aggregate": "p"}')
      RETURNING id`.execute(db);
    await waitFor('polling to deliver', () => calls.includes(rows[0]!.id), 5000);
  });

  it('when the listener connection dies, then the relay reconnects it and catches up on what it missed', async () => {
    const bus = createEventBus<TestEvents>();
    const calls = recorder(bus, 'test.audit');
    const relay = startRelay(bus, { pollMs: 60_000 });
    await relay.start();
    const listener = `outbox-listener:${relay.name}`;
    const [before] = await backendsNamed(db, listener);
    expect(await terminateBackends(db, listener)).toBe(1);
    await waitFor(
      'the listener backend to be gone',
      async () => !(await backendsNamed(db, listener)).includes(before!),
    );
    const missed = await append('l', 1);
    await waitFor('the reconnected relay to deliver the missed event', () => calls.includes(missed), 10_000);
    await waitFor('a new listener backend', async () => (await backendsNamed(db, listener)).length === 1);
    const notified = await append('l', 2);
    await waitFor('the new listener to be notified', () => calls.includes(notified), 5000);
  });
});
