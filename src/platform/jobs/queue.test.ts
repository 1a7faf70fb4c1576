import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/harness.js';
import { waitFor } from '../../test-support/wait.js';
import { inTransaction } from '../db/index.js';
import { startJobs, type JobDefinition, type Jobs } from './queue.js';

const logger = pino({ level: 'silent' });

/** A promise the test opens by hand, to hold handlers inside a job while it looks. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

let db: TestDatabase;
const running: Jobs[] = [];

async function jobs(definitions: JobDefinition[], work = true) {
  const started = await startJobs(definitions, {
    connectionString: db.url,
    logger,
    registry: new Registry(),
    work,
    pollingIntervalSeconds: 0.5,
  });
  running.push(started);
  return started;
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const started of running) await started.stop();
  await db.drop();
});

describe('jobs', () => {
  it('when a job is sent, then a worker runs it with its data', async () => {
    const seen: Array<{ orderId: string }> = [];
    const queue = await jobs([
      { name: 'test.deliver', handler: async (data: { orderId: string }) => void seen.push(data) },
    ]);
    await queue.send('test.deliver', { orderId: 'o-1' });
    await waitFor('the jobs to get there', () => seen.length === 1);
    expect(seen).toEqual([{ orderId: 'o-1' }]);
  });

  it('when a job is sent inside a transaction, then it runs only if the transaction commits', async () => {
    const seen: string[] = [];
    const queue = await jobs([
      { name: 'test.transactional', handler: async (data: { n: string }) => void seen.push(data.n) },
    ]);
    await inTransaction(db.database.db, async (trx) => {
      await queue.sendIn(trx, 'test.transactional', { n: 'committed' });
    });
    await inTransaction(db.database.db, async (trx) => {
      await queue.sendIn(trx, 'test.transactional', { n: 'rolled back' });
      throw new Error('roll back');
    }).catch(() => undefined);
    await queue.send('test.transactional', { n: 'after' });
    await waitFor('the committed job and the one after it', () => seen.length === 2);
    expect(seen.sort()).toEqual(['after', 'committed']);
  });

  it('when a handler fails, then the job is retried and its attempts are counted', async () => {
    const attempts: number[] = [];
    const queue = await jobs([
      {
        name: 'test.flaky',
        retryLimit: 3,
        retryDelaySeconds: 1,
        handler: async (_data, job) => {
          attempts.push(job.retryCount);
          if (attempts.length < 3) throw new Error('not yet');
        },
      },
    ]);
    await queue.send('test.flaky', {});
    await waitFor('the jobs to get there', () => attempts.length === 3, 30_000);
    expect(attempts).toEqual([0, 1, 2]);
  });

  it('when retries run out, then the job lands in the dead-letter queue and can be replayed', async () => {
    let failures = 0;
    let healed = false;
    const done: string[] = [];
    const queue = await jobs([
      {
        name: 'test.doomed',
        retryLimit: 0,
        handler: async (data: { n: string }) => {
          if (!healed) {
            failures++;
            throw new Error('always');
          }
          done.push(data.n);
        },
      },
    ]);
    await queue.send('test.doomed', { n: 'a' });
    await waitFor('the jobs to get there', async () => (await queue.deadLetterCount('test.doomed')) === 1);
    expect(failures).toBe(1);

    healed = true;
    expect(await queue.replayDeadLetters('test.doomed')).toBe(1);
    await waitFor('the jobs to get there', () => done.length === 1);
    expect(done).toEqual(['a']);
  });

  it('when a queue has two workers, then two jobs run at the same time', async () => {
    const hold = gate();
    let active = 0;
    let peak = 0;
    const queue = await jobs([
      {
        name: 'test.parallel',
        concurrency: 2,
        handler: async () => {
          active++;
          peak = Math.max(peak, active);
          await hold.opened;
          active--;
        },
      },
    ]);
    await queue.send('test.parallel', {});
    await queue.send('test.parallel', {});
    await waitFor('the jobs to get there', () => peak === 2);
    hold.open();
    await waitFor('the jobs to get there', () => active === 0);
  });

  it('when a queue is a singleton, then its jobs never run at the same time, even with several workers', async () => {
    const hold = gate();
    let active = 0;
    let peak = 0;
    let finished = 0;
    const definition: JobDefinition = {
      name: 'test.singleton',
      policy: 'singleton',
      concurrency: 2,
      handler: async () => {
        active++;
        peak = Math.max(peak, active);
        await hold.opened;
        active--;
        finished++;
      },
    };
    // Two worker processes' worth of workers on one queue.
    const first = await jobs([definition]);
    await jobs([definition]);
    await first.send('test.singleton', {});
    await first.send('test.singleton', {});
    await waitFor('the jobs to get there', () => active === 1);
    // The second job is queued but must not start while the first holds the singleton.
    const { rows } = await db.database.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'test.singleton' AND state = 'active'",
    );
    expect(rows[0]?.n).toBe(1);
    hold.open();
    await waitFor('the jobs to get there', () => finished === 2);
    expect(peak).toBe(1);
  });

  it('when the api role starts jobs, then it can send but runs no handler', async () => {
    let ran = false;
    const worker = await jobs([{ name: 'test.api-side', handler: async () => void (ran = true) }], false);
    expect(await worker.send('test.api-side', {})).toEqual(expect.any(String));
    const { rows } = await db.database.pool.query<{ state: string }>(
      "SELECT state FROM pgboss.job WHERE name = 'test.api-side'",
    );
    expect(rows.map((row) => row.state)).toEqual(['created']);
    expect(ran).toBe(false);
  });
});
