// The outbox relay (worker role): claims committed events and delivers them to the JetStream
// stream (when configured) and to in-process subscribers, then marks them published.
//
// - Wake-up: LISTEN on a dedicated connection (appends NOTIFY on commit), with polling as the
//   fallback when a notification is missed or the listener is reconnecting.
// - Claim: one transaction per batch on its own connection; the row locks ARE the claim. Several
//   relays split the work with SKIP LOCKED; a relay that dies (process, connection, backend)
//   releases its locks with its transaction, and the batch is delivered again.
// - Order: only the oldest undelivered event of an aggregate is claimable, together with the
//   events queued behind it, and one aggregate's events are delivered one after another.
// - Effects: at least once, deduplicated — JetStream by message id, subscribers by the
//   processed_events record committed with their effect. ADR 0006 has the argument.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { inTransaction, type Db } from '../db/index.js';
import type { SubscriberRegistry, Subscription } from './bus.js';
import { createOutboxMetrics, type OutboxMetrics } from './metrics.js';
import type { EventStream } from './nats.js';
import { toCloudEvent } from './outbox.js';
import { LISTEN_STATEMENT, outboxRepo, type ClaimedRow, type EventFailure } from './repo.js';
import type { CloudEvent } from './types.js';

export interface RelayOptions {
  database: { db: Db; pool: pg.Pool };
  subscribers: SubscriberRegistry;
  /** JetStream, when NATS_URL is set. */
  stream?: EventStream | null;
  logger: Logger;
  /** Polling fallback (OUTBOX_POLL_INTERVAL_MS). */
  pollMs: number;
  /** Events claimed per batch at most (OUTBOX_BATCH_SIZE). */
  batchSize: number;
  /** Shows in logs and in pg_stat_activity as `outbox-relay:<name>`. Default: host:pid:random. */
  name?: string;
  /** Aggregates delivered in parallel within a batch (each one's events stay in order). Default 4. */
  concurrency?: number;
  /** Failed attempts after which an event is dead-lettered. Default 15 (about an hour with the default backoff). */
  maxAttempts?: number;
  /** Exponential backoff between attempts: base·2^(attempt−1), capped, with jitter. Default 1 s … 10 min. */
  retry?: { baseMs: number; maxMs: number };
  /** How long a claim may sit idle before PostgreSQL ends the session and frees the batch. Default 60 s. */
  claimTimeoutMs?: number;
  metrics?: OutboxMetrics;
  /** Jitter source, in [0, 1). */
  random?: () => number;
}

export interface RelayStats {
  /** Claim transactions run, empty ones included. */
  claims: number;
  /** Batches delivered and committed. */
  batches: number;
  /** Events this relay marked published (commits that went through). */
  published: number;
  failedAttempts: number;
  deadLettered: number;
  claimsLost: number;
}

export interface OutboxRelay {
  readonly name: string;
  /** Connects the listener and starts the loop. */
  start(): Promise<void>;
  /** Lets the batch in flight finish, then stops and closes the listener. */
  stop(): Promise<void>;
  /** Claims and delivers one batch now; returns how many events it claimed. */
  runOnce(): Promise<number>;
  stats(): RelayStats;
}

type Outcome = { ok: true; streamed: boolean } | { ok: false; streamed: boolean; error: string };

class ClaimLostError extends Error {}

const MAX_ERROR_LENGTH = 2000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function run<R>(client: pg.PoolClient, query: CompiledQuery<R>): Promise<R[]> {
  const result = await client.query(query.sql, [...query.parameters]);
  return result.rows as R[];
}

export function createOutboxRelay(options: RelayOptions): OutboxRelay {
  const { db, pool } = options.database;
  const name = options.name ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const logger = options.logger.child({ relay: name });
  const concurrency = options.concurrency ?? 4;
  const maxAttempts = options.maxAttempts ?? 15;
  const retry = options.retry ?? { baseMs: 1000, maxMs: 600_000 };
  const claimTimeoutMs = options.claimTimeoutMs ?? 60_000;
  const metrics = options.metrics ?? createOutboxMetrics();
  const random = options.random ?? Math.random;
  const stats: RelayStats = { claims: 0, batches: 0, published: 0, failedAttempts: 0, deadLettered: 0, claimsLost: 0 };

  let started = false;
  let stopping = false;
  let loopDone: Promise<void> = Promise.resolve();

  // --- waking up -----------------------------------------------------------------------------

  let wakeRequested = false;
  let wakeUp: (() => void) | null = null;
  function wake() {
    wakeRequested = true;
    wakeUp?.();
  }
  function idle(ms: number): Promise<void> {
    if (wakeRequested || stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });
  }

  let listener: pg.Client | null = null;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnectDelayMs = 500;

  function scheduleListen() {
    if (stopping) return;
    reconnectTimer = setTimeout(() => void listen(), reconnectDelayMs);
    reconnectDelayMs = Math.min(reconnectDelayMs * 2, 30_000);
  }

  async function listen(): Promise<void> {
    if (stopping) return;
    const client = new pg.Client({ ...pool.options, application_name: `outbox-listener:${name}` });
    client.on('notification', wake);
    client.on('error', (error) =>
      logger.warn({ reason: error.message }, 'outbox listener connection failed; polling until it is back'),
    );
    client.on('end', () => {
      if (listener === client) listener = null;
      scheduleListen();
    });
    try {
      await client.connect();
      await client.query(LISTEN_STATEMENT);
    } catch (error) {
      logger.warn({ reason: message(error) }, 'outbox listener could not connect; polling until it can');
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      scheduleListen();
      return;
    }
    if (stopping) {
      await client.end().catch(() => undefined);
      return;
    }
    listener = client;
    reconnectDelayMs = 500;
    // Notifications sent while we were not listening are gone; look for work now.
    wake();
  }

  // --- delivering ----------------------------------------------------------------------------

  function backoffMs(attempt: number): number {
    const ceiling = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1));
    // "Equal jitter": never sooner than half the step, so retries really do back off.
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  async function runSubscriber(subscription: Subscription, event: CloudEvent, attempt: number): Promise<void> {
    await inTransaction(db, async (trx) => {
      // Processed already (a redelivery after a crash, or an earlier attempt this one passed)?
      if (!(await outboxRepo.markProcessed(trx, subscription.subscriber, event.id))) return;
      await subscription.handler(event, { trx, attempt });
    });
  }

  async function deliverOne(row: ClaimedRow): Promise<Outcome> {
    const event = toCloudEvent(row);
    const attempt = row.attempts + 1;
    const errors: string[] = [];
    let streamed = row.stream_published_at !== null;
    if (options.stream && !streamed) {
      try {
        await options.stream.publish(event);
        streamed = true;
      } catch (error) {
        errors.push(`stream: ${message(error)}`);
        metrics.deliveryFailures.inc({ type: row.type, destination: 'stream' });
      }
    }
    // Every subscriber gets its turn even when another fails: the ones that succeed are
    // recorded and skipped when the event is retried.
    for (const subscription of options.subscribers.subscriptionsFor(row.type)) {
      try {
        await runSubscriber(subscription, event, attempt);
      } catch (error) {
        errors.push(`${subscription.subscriber}: ${message(error)}`);
        metrics.deliveryFailures.inc({ type: row.type, destination: subscription.subscriber });
      }
    }
    if (errors.length === 0) return { ok: true, streamed };
    return { ok: false, streamed, error: errors.join('; ').slice(0, MAX_ERROR_LENGTH) };
  }

  /** Delivers the claimed events: aggregates in parallel lanes, each lane in sequence order. */
  async function deliver(rows: ClaimedRow[], lost: () => Error | null) {
    const lanes = new Map<string, ClaimedRow[]>();
    for (const row of [...rows].sort((a, b) => a.sequence - b.sequence)) {
      const key = `${row.aggregate_type}\u0000${row.aggregate_id}`;
      const lane = lanes.get(key);
      if (lane) lane.push(row);
      else lanes.set(key, [row]);
    }
    const published: ClaimedRow[] = [];
    const streamed: string[] = [];
    const failures: Array<EventFailure & { row: ClaimedRow }> = [];
    const queue = [...lanes.values()];

    async function work() {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (const row of lane) {
          // The claim is gone: another relay may already be on these events. Stop adding work.
          if (lost()) return;
          const outcome = await deliverOne(row);
          if (outcome.streamed) streamed.push(row.id);
          if (outcome.ok) {
            published.push(row);
            continue;
          }
          const attempt = row.attempts + 1;
          failures.push({
            row,
            id: row.id,
            error: outcome.error,
            streamed: outcome.streamed,
            dead: attempt >= maxAttempts,
            delayMs: backoffMs(attempt),
          });
          break; // the rest of this aggregate waits for this event
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, work));
    return { published, streamed, failures };
  }

  async function runBatch(): Promise<number> {
    const client = await pool.connect();
    // Set from the connection's events, so read through an object (not narrowed away by TS).
    const claim: { lost: Error | null } = { lost: null };
    const onLost = (error?: Error) => {
      claim.lost ??= error ?? new Error('connection ended');
    };
    client.on('error', onLost);
    client.on('end', onLost);
    const startedAt = performance.now();
    let broken = false;
    try {
      await client.query('BEGIN');
      await run(client, outboxRepo.beginClaim(db, name, claimTimeoutMs));
      const heads = await run(client, outboxRepo.claimHeads(db, options.batchSize));
      if (heads.length === 0) {
        await client.query('COMMIT');
        stats.claims++;
        return 0;
      }
      stats.claims++;
      const followers =
        heads.length < options.batchSize
          ? await run(client, outboxRepo.claimFollowers(db, heads, options.batchSize - heads.length))
          : [];
      const claimed = heads.length + followers.length;

      const { published, streamed, failures } = await deliver([...heads, ...followers], () => claim.lost);
      if (claim.lost) throw new ClaimLostError();
      if (published.length)
        await run(
          client,
          outboxRepo.markPublished(
            db,
            published.map((row) => row.id),
            streamed,
          ),
        );
      if (failures.length) await run(client, outboxRepo.recordFailures(db, failures));
      await client.query('COMMIT');

      stats.batches++;
      stats.published += published.length;
      stats.failedAttempts += failures.length;
      for (const row of published) metrics.published.inc({ type: row.type });
      for (const failure of failures) {
        const context = {
          event_id: failure.id,
          type: failure.row.type,
          aggregate: `${failure.row.aggregate_type}:${failure.row.aggregate_id}`,
          attempt: failure.row.attempts + 1,
          error: failure.error,
        };
        if (failure.dead) {
          stats.deadLettered++;
          metrics.deadLetters.inc({ type: failure.row.type });
          logger.error(
            context,
            'outbox event dead-lettered: its aggregate’s later events wait until it is redelivered',
          );
        } else {
          logger.warn({ ...context, retry_in_ms: failure.delayMs }, 'outbox event delivery failed; will retry');
        }
      }
      metrics.batchDuration.observe((performance.now() - startedAt) / 1000);
      return claimed;
    } catch (error) {
      // A connection that cannot even roll back is gone, whether or not its events said so yet.
      if (
        !claim.lost &&
        (await client.query('ROLLBACK').then(
          () => true,
          () => false,
        ))
      )
        throw error;
      claim.lost ??= error instanceof Error ? error : new Error(String(error));
      broken = true;
      stats.claimsLost++;
      metrics.claimsLost.inc();
      logger.warn(
        { reason: message(claim.lost) },
        'outbox relay lost its claim mid-batch; the batch will be delivered again (deduplicated)',
      );
      return 0;
    } finally {
      client.off('error', onLost);
      client.off('end', onLost);
      if (broken) client.on('error', () => undefined); // a dying socket may still report
      client.release(broken ? (claim.lost ?? true) : undefined);
    }
  }

  async function loop(): Promise<void> {
    let errors = 0;
    while (!stopping) {
      wakeRequested = false;
      let claimed = 0;
      try {
        claimed = await runBatch();
        errors = 0;
      } catch (error) {
        errors++;
        logger.error({ err: error }, 'outbox relay batch failed');
      }
      if (stopping) break;
      // A full or partial batch: the events queued behind it may be claimable now.
      if (claimed > 0) continue;
      await idle(errors ? Math.min(30_000, options.pollMs * 2 ** Math.min(errors, 10)) : options.pollMs);
    }
  }

  return {
    name,
    async start() {
      if (started) throw new Error('The outbox relay is already started');
      started = true;
      await listen();
      loopDone = loop();
      logger.info(
        { pollMs: options.pollMs, batchSize: options.batchSize, stream: Boolean(options.stream) },
        'outbox relay running',
      );
    },
    async stop() {
      stopping = true;
      clearTimeout(reconnectTimer);
      wake();
      await loopDone;
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
    },
    runOnce: runBatch,
    stats: () => ({ ...stats }),
  };
}
