// The outbox relay (worker role): claims committed events, has them delivered to the JetStream
// stream (when configured) and to in-process subscribers, then marks them published.
//
// - Wake-up (relay-wakeup.ts): LISTEN on a dedicated connection, with polling as the fallback
//   when a notification is missed or the listener is reconnecting.
// - Claim (here): one transaction per batch on its own connection; the row locks ARE the claim.
//   Several relays split the work with SKIP LOCKED; a relay that dies (process, connection,
//   backend) releases its locks with its transaction, and the batch is delivered again.
// - Order: only the oldest undelivered event of an aggregate is claimable, together with the
//   events queued behind it, and one aggregate's events are delivered one after another.
// - Effects (relay-delivery.ts): at least once, deduplicated — JetStream by message id,
//   subscribers by the processed_events record committed with their effect. ADR 0006 has the
//   argument.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { SubscriberRegistry } from './bus.js';
import { createOutboxMetrics, type OutboxMetrics } from './metrics.js';
import type { EventStream } from './nats.js';
import { errorMessage } from '../observability/error-message.js';
import { createDelivery } from './relay-delivery.js';
import { createRelayWakeUp } from './relay-wakeup.js';
import { outboxRepo } from './repo.js';

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

class ClaimLostError extends Error {}

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

  const wakeUp = createRelayWakeUp({ pool, name, logger });
  const deliver = createDelivery({
    db,
    subscribers: options.subscribers,
    stream: options.stream,
    metrics,
    concurrency,
    maxAttempts,
    retry,
    random,
  });

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
        { reason: errorMessage(claim.lost) },
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
      wakeUp.reset();
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
      await wakeUp.idle(errors ? Math.min(30_000, options.pollMs * 2 ** Math.min(errors, 10)) : options.pollMs);
    }
  }

  return {
    name,
    async start() {
      if (started) throw new Error('The outbox relay is already started');
      started = true;
      await wakeUp.listen();
      loopDone = loop();
      logger.info(
        { pollMs: options.pollMs, batchSize: options.batchSize, stream: Boolean(options.stream) },
        'outbox relay running',
      );
    },
    async stop() {
      stopping = true;
      wakeUp.stop();
      await loopDone;
      await wakeUp.close();
    },
    runOnce: runBatch,
    stats: () => ({ ...stats }),
  };
}
