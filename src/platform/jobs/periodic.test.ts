import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/harness.js';
import { runOnce, startPeriodicTasks, type PeriodicTask } from './periodic.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** A promise plus the function that settles it. */
function signal() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A task whose run blocks until released, so a test controls exactly when it overlaps another. */
function blockingTask(name: string) {
  const started = signal();
  const release = signal();
  let runs = 0;
  const task: PeriodicTask = {
    name,
    everyMs: 60_000,
    async run() {
      runs++;
      started.resolve();
      await release.promise;
      return 7;
    },
  };
  return { task, started: started.promise, release: release.resolve, runs: () => runs };
}

describe('periodic tasks', () => {
  it('when two runs of the same task overlap, then exactly one runs and the other steps aside', async () => {
    const sweep = blockingTask('test.sweep-expired-carts');
    const first = runOnce(db.database.db, sweep.task);
    await sweep.started;

    // The first run holds the task's lock inside its open transaction right now.
    const second = await runOnce(db.database.db, sweep.task);
    expect(second).toBeNull();

    sweep.release();
    expect(await first).toBe(7);
    expect(sweep.runs()).toBe(1);
  });

  it('when the running task finishes, then the next run takes the lock again', async () => {
    const sweep = blockingTask('test.sweep-again');
    sweep.release();
    expect(await runOnce(db.database.db, sweep.task)).toBe(7);
    expect(await runOnce(db.database.db, sweep.task)).toBe(7);
    expect(sweep.runs()).toBe(2);
  });

  it('when a run fails, then its lock is released with the transaction', async () => {
    let attempts = 0;
    const flaky: PeriodicTask = {
      name: 'test.flaky',
      everyMs: 60_000,
      async run() {
        attempts++;
        if (attempts === 1) throw new Error('first run fails');
        return 1;
      },
    };
    await expect(runOnce(db.database.db, flaky)).rejects.toThrow('first run fails');
    await expect(runOnce(db.database.db, flaky)).resolves.toBe(1);
  });

  it('when two different tasks overlap, then neither blocks the other', async () => {
    const carts = blockingTask('test.carts');
    const first = runOnce(db.database.db, carts.task);
    await carts.started;
    const other = blockingTask('test.tokens');
    other.release();
    expect(await runOnce(db.database.db, other.task)).toBe(7);
    carts.release();
    expect(await first).toBe(7);
  });

  it('when eight workers start the same task at once, then one runs and seven step aside', async () => {
    const sweep = blockingTask('test.stampede');
    const stepAside = signal();
    let settled = 0;
    const runs = Array.from({ length: 8 }, () =>
      runOnce(db.database.db, sweep.task).then((result) => {
        if (++settled === 7) stepAside.resolve();
        return result;
      }),
    );
    // The holder cannot finish before it is released, so these seven are the ones that found the lock taken.
    await stepAside.promise;
    expect(sweep.runs()).toBe(1);
    sweep.release();
    const results = await Promise.all(runs);
    expect(results.filter((result) => result === 7)).toHaveLength(1);
    expect(results.filter((result) => result === null)).toHaveLength(7);
  });

  it('when the worker stops, then it waits for the run in flight to finish', async () => {
    const sweep = blockingTask('test.stop');
    const running = startPeriodicTasks(db.database.db, [sweep.task], pino({ level: 'silent' }));
    await sweep.started;
    let stopped = false;
    const stopping = running.stop().then(() => {
      stopped = true;
    });
    // A turn of the event loop: enough for a stop() that does not wait to have finished.
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    sweep.release();
    await stopping;
    expect(stopped).toBe(true);
    expect(sweep.runs()).toBe(1);
  });
});
