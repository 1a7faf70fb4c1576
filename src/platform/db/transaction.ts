// One place that runs a unit of work in a transaction. Serialization failures and deadlocks
// are retried a few times with jitter (the work must be a pure function of the database
// state, which every service transaction is); after that the error maps to 409.
import type { IsolationLevel, Transaction } from 'kysely';
import { runAsTransactionWork } from './one-connection.js';
import type { Db } from './pool.js';
import type { PlatformTables } from './tables.js';

export type Tx = Transaction<PlatformTables>;

const RETRYABLE = new Set(['40001', '40P01']);

export async function inTransaction<T>(
  db: Db,
  work: (trx: Tx) => Promise<T>,
  options: { isolation?: IsolationLevel; attempts?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      const builder = options.isolation ? db.transaction().setIsolationLevel(options.isolation) : db.transaction();
      return await builder.execute((trx) => runAsTransactionWork(() => work(trx)));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= attempts || code === undefined || !RETRYABLE.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
