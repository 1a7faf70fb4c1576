// Background jobs on pg-boss: PostgreSQL is the queue (SKIP LOCKED), so adding worker
// processes scales the work with no new infrastructure. Modules describe their jobs with
// `JobDefinition`s; this file is the only place that knows pg-boss.
import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Tx } from '../db/index.js';

export interface JobDefinition<Data extends object = object> {
  /** `<context>.<what>`, e.g. `identity.purge-ended-sessions`. */
  name: string;
  /**
   * `standard`: any number queued and running. `singleton`: at most one running at a time
   * (across every worker process). `stately`: at most one queued and one running.
   */
  policy?: 'standard' | 'singleton' | 'stately';
  /** Retries after the first failure, with exponential backoff from `retryDelaySeconds`. */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** A job still running after this long counts as failed (and is retried). */
  expireInSeconds?: number;
  /** Workers in each process (jobs of this queue that one process runs at once). */
  concurrency?: number;
  /** How often an idle worker of this queue looks for jobs (at least 0.5 s); default: the process's setting. */
  pollingIntervalSeconds?: number;
  /** Cron (5 fields, UTC) on which the job is enqueued automatically. */
  cron?: string;
  /** Also enqueued once when a worker starts (a sweep that should not wait for the first cron tick after a restart). */
  runOnStart?: boolean;
  handler(data: Data, job: { id: string; retryCount: number }): Promise<void>;
}

export interface SendOptions {
  singletonKey?: string;
  startAfterSeconds?: number;
}

/** What modules send jobs with. */
export interface JobSender {
  send<Data extends object>(name: string, data: Data, options?: SendOptions): Promise<string | null>;
  /**
   * Enqueues inside the caller's transaction: the job exists only if that transaction commits,
   * so a state change and the step that follows it can never be separated by a crash.
   */
  sendIn<Data extends object>(trx: Tx, name: string, data: Data, options?: SendOptions): Promise<string | null>;
}

export interface Jobs extends JobSender {
  /** Jobs of `name` that exhausted their retries and wait in its dead-letter queue. */
  deadLetterCount(name: string): Promise<number>;
  /** Moves up to `limit` dead jobs of `name` back to its queue, to run again. Returns how many. */
  replayDeadLetters(name: string, limit?: number): Promise<number>;
  stop(): Promise<void>;
}

export interface JobsOptions {
  connectionString: string;
  logger: Logger;
  registry?: Registry;
  /** Worker role: run handlers and cron schedules. The api role only sends. */
  work: boolean;
  /** How often an idle worker looks for new jobs. */
  pollingIntervalSeconds?: number;
}

export const deadLetterQueue = (name: string) => `${name}.dead`;

// Handlers are declared with method syntax, so a JobDefinition<{ orderId: string }> is a
// JobDefinition<object>: each handler types the data its own queue carries.
type AnyDefinition = JobDefinition<object>;

export async function startJobs(definitions: AnyDefinition[], options: JobsOptions): Promise<Jobs> {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    application_name: 'brigade-jobs',
    max: 4,
    // Only workers run pg-boss's maintenance and cron clock; api nodes just enqueue.
    supervise: options.work,
    schedule: options.work,
    ...(options.work ? { monitorStateIntervalSeconds: 30 } : {}),
  });
  boss.on('error', (error) => options.logger.error({ err: error }, 'job queue error'));

  if (options.registry) {
    const depth = new Gauge({
      name: 'jobs_queue_depth',
      help: 'Jobs per queue and state (from pg-boss state monitoring)',
      labelNames: ['queue', 'state'] as const,
      registers: [options.registry],
    });
    boss.on('monitor-states', (states) => {
      for (const [queue, counts] of Object.entries(states.queues)) {
        for (const state of ['created', 'retry', 'active', 'failed'] as const)
          depth.set({ queue, state }, counts[state]);
      }
    });
  }

  await boss.start();
  for (const definition of definitions) {
    await boss.createQueue(deadLetterQueue(definition.name));
    await boss.createQueue(definition.name, {
      name: definition.name,
      policy: definition.policy ?? 'standard',
      retryLimit: definition.retryLimit ?? 3,
      retryDelay: definition.retryDelaySeconds ?? 5,
      retryBackoff: true,
      expireInSeconds: definition.expireInSeconds ?? 15 * 60,
      deadLetter: deadLetterQueue(definition.name),
    });
  }

  if (options.work) {
    for (const definition of definitions) {
      const workOptions = {
        pollingIntervalSeconds: definition.pollingIntervalSeconds ?? options.pollingIntervalSeconds ?? 2,
        batchSize: 1,
      };
      for (let worker = 0; worker < (definition.concurrency ?? 1); worker++) {
        await boss.work<object>(definition.name, { ...workOptions, includeMetadata: true }, async ([job]) => {
          if (!job) return;
          const log = options.logger.child({ job: definition.name, job_id: job.id, attempt: job.retryCount + 1 });
          const started = performance.now();
          try {
            await definition.handler(job.data, { id: job.id, retryCount: job.retryCount });
            log.debug({ ms: Math.round(performance.now() - started) }, 'job done');
          } catch (error) {
            // Rethrown so pg-boss records the failure and schedules the retry.
            log.warn({ err: error }, 'job failed');
            throw error;
          }
        });
      }
      if (definition.cron) await boss.schedule(definition.name, definition.cron);
    }
    for (const definition of definitions) if (definition.runOnStart) await boss.send(definition.name, {});
  }

  const jobOptions = (sendOptions: SendOptions) => ({
    singletonKey: sendOptions.singletonKey,
    startAfter: sendOptions.startAfterSeconds,
  });
  return {
    send: (name, data, sendOptions = {}) => boss.send(name, data, jobOptions(sendOptions)),
    sendIn: (trx, name, data, sendOptions = {}) =>
      boss.send(name, data, {
        ...jobOptions(sendOptions),
        db: {
          executeSql: async (text: string, values: unknown[]) => ({
            rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows,
          }),
        },
      }),
    deadLetterCount: (name) => boss.getQueueSize(deadLetterQueue(name)),
    async replayDeadLetters(name, limit = 100) {
      const dead = await boss.fetch<object>(deadLetterQueue(name), { batchSize: limit });
      for (const job of dead) {
        await boss.send(name, job.data);
        await boss.complete(deadLetterQueue(name), job.id);
      }
      return dead.length;
    },
    async stop() {
      // Graceful: running handlers finish (bounded), then the pool closes.
      await boss.stop({ graceful: true, timeout: 10_000, wait: true });
    },
  };
}

/**
 * A sender for modules built before the queue starts (the queue needs the modules' job
 * definitions first). Sending before `attach` is a bug: it throws rather than dropping the job.
 */
export function createLateJobSender(): JobSender & { attach(jobs: JobSender): void } {
  let target: JobSender | null = null;
  const started = () => {
    if (!target) throw new Error('The job queue has not started in this process (jobs are sent from the worker role)');
    return target;
  };
  return {
    attach(jobs) {
      target = jobs;
    },
    send: (name, data, options) => started().send(name, data, options),
    sendIn: (trx, name, data, options) => started().sendIn(trx, name, data, options),
  };
}
