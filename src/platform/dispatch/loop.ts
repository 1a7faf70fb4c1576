// The loop that sends due messages (webhooks, emails, SMS): lease a batch, send each outside any
// transaction, repeat while there is work, then idle until the next poll or a wake-up. What
// "lease" and "send" mean belongs to the queue; the loop only paces it. A lease is a time-bound
// hold in the queue's table, so a sender killed mid-send lets its messages go when the lease
// ends and another sends them again (at least once).
import type pg from 'pg';
import type { Logger } from 'pino';
import { createRelayWakeUp, type RelayWakeUp } from '../events/relay-wakeup.js';
import { errorMessage } from '../observability/error-message.js';

export interface DispatchQueue<Job> {
  /** Holds up to `limit` due jobs for this sender and returns them. */
  lease(limit: number): Promise<Job[]>;
  /** Sends one leased job and records the outcome (a failed send is recorded, not thrown). */
  send(job: Job): Promise<void>;
}

export interface DispatchLoop {
  readonly name: string;
  start(): void;
  /** Look for work now rather than at the next poll (after a commit that made some). */
  wake(): void;
  /** Sends until nothing is due; resolves with how many jobs it sent. For tests and the CLI. */
  drain(): Promise<number>;
  /** Lets the batch in flight finish. */
  stop(): Promise<void>;
}

export interface DispatchLoopOptions<Job> {
  name: string;
  queue: DispatchQueue<Job>;
  logger: Logger;
  /** How long an idle loop waits before looking again. */
  pollMs?: number;
  /** Jobs sent at once. */
  concurrency?: number;
  /** LISTEN on this channel (a NOTIFY in the transaction that made work wakes the loop at commit). */
  listen?: { pool: pg.Pool; channel: string };
}

export function createDispatchLoop<Job>(options: DispatchLoopOptions<Job>): DispatchLoop {
  const { queue, logger, name } = options;
  const pollMs = options.pollMs ?? 500;
  const concurrency = options.concurrency ?? 8;
  let running: Promise<void> | null = null;
  let stopping = false;
  let woken = false;
  let wakeUp: (() => void) | null = null;
  let listener: RelayWakeUp | null = null;

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopping) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  function wake() {
    woken = true;
    wakeUp?.();
  }

  /** One batch: leased, then sent `concurrency` at a time. Resolves with the batch's size. */
  async function round(): Promise<number> {
    const jobs = await queue.lease(concurrency * 4);
    let next = 0;
    const lane = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        await queue
          .send(job)
          .catch((error: unknown) =>
            logger.error({ err: error, loop: name }, 'a send could not record its outcome; its lease lets it go'),
          );
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
    return jobs.length;
  }

  async function run() {
    let failures = 0;
    while (!stopping) {
      woken = false;
      try {
        const sent = await round();
        failures = 0;
        if (sent === 0) await idle(pollMs);
      } catch (error) {
        // The database is likely away: back off, and keep the process up.
        failures++;
        logger.warn({ reason: errorMessage(error), loop: name }, 'could not lease messages; trying again shortly');
        await idle(Math.min(30_000, pollMs * 2 ** failures));
      }
    }
  }

  return {
    name,
    start() {
      if (running !== null) return;
      if (options.listen) {
        listener = createRelayWakeUp({ ...options.listen, name, logger, onWake: wake });
        void listener.listen();
      }
      running = run();
    },
    wake,
    async drain() {
      let total = 0;
      for (let sent = await round(); sent > 0; sent = await round()) total += sent;
      return total;
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      listener?.stop();
      await running;
      await listener?.close();
    },
  };
}
