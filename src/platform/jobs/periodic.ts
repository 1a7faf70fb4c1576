// Periodic maintenance in the worker role. Each run takes a transaction-scoped advisory lock
// named after the task, so with several workers a task runs on one of them at a time.
// (Queued, retried background jobs arrive with pg-boss; this is only for idempotent sweeps.)
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/pool.js';
import type { Tx } from '../db/transaction.js';

export interface PeriodicTask {
  name: string;
  everyMs: number;
  /** Must be idempotent: a crash mid-run simply means the next run does the work. */
  run(trx: Tx): Promise<number>;
}

export interface RunningTasks {
  stop(): Promise<void>;
}

function lockKey(name: string): bigint {
  return createHash('sha256').update(name).digest().readBigInt64BE(0);
}

export async function runOnce(db: Db, task: PeriodicTask): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${lockKey(task.name)}) AS locked`.execute(trx);
    if (!rows[0]?.locked) return null;
    return task.run(trx);
  });
}

export function startPeriodicTasks(db: Db, tasks: PeriodicTask[], logger: Logger): RunningTasks {
  const timers: NodeJS.Timeout[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let stopping = false;

  for (const task of tasks) {
    const tick = () => {
      if (stopping) return;
      const run = runOnce(db, task)
        .then((affected) => {
          if (affected) logger.info({ task: task.name, affected }, 'periodic task ran');
        })
        .catch((error: unknown) => logger.error({ task: task.name, err: error }, 'periodic task failed'))
        .finally(() => inFlight.delete(run));
      inFlight.add(run);
    };
    timers.push(setInterval(tick, task.everyMs).unref());
    tick();
  }

  return {
    async stop() {
      stopping = true;
      timers.forEach(clearInterval);
      await Promise.allSettled([...inFlight]);
    },
  };
}
