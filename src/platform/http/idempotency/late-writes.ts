// Claim bookkeeping that could not be written when the response left, because the database was
// away at that moment (a restart, a failover). Without this the key would stay claimed until the
// claim timeout (a minute by default), and every retry would be told 409 IDEMPOTENCY_IN_PROGRESS
// long after the database came back. Each write is tried again until it succeeds or its claim is
// stale anyway; the writes are conditional on the claim token, so a late one never overwrites a
// newer holder. Kept in memory: if the process dies too, the claim timeout is the backstop.
import type { FastifyBaseLogger } from 'fastify';

export interface LateWrites {
  add(what: { key: string }, write: () => Promise<unknown>): void;
  /** Writes still waiting (for tests and shutdown logs). */
  size(): number;
  close(): void;
}

interface Waiting {
  key: string;
  write: () => Promise<unknown>;
  giveUpAt: number;
}

export function createLateWrites(options: {
  logger: FastifyBaseLogger;
  /** Past this, the claim is stale and a retry takes it over anyway. */
  giveUpAfterMs: number;
  retryEveryMs?: number;
}): LateWrites {
  const waiting: Waiting[] = [];
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  // `timer` stays set while a round runs, so an add() during it waits for the next round.
  const round = async () => {
    for (const entry of waiting.splice(0)) {
      if (Date.now() > entry.giveUpAt) {
        options.logger.warn({ idempotency_key: entry.key }, 'gave up recording an idempotency claim; it goes stale');
        continue;
      }
      try {
        await entry.write();
      } catch {
        waiting.push(entry);
      }
    }
    timer = null;
    schedule();
  };
  const schedule = () => {
    if (closed || timer !== null || waiting.length === 0) return;
    timer = setTimeout(() => void round(), options.retryEveryMs ?? 500);
    timer.unref();
  };

  return {
    add(what, write) {
      if (closed) return;
      waiting.push({ key: what.key, write, giveUpAt: Date.now() + options.giveUpAfterMs });
      schedule();
    },
    size: () => waiting.length,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
