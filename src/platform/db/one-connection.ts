// A unit of work holds one connection. Asking the pool for a second one from inside a transaction
// (a read on `db` where `trx` was meant) works while the pool has room, and deadlocks when it does
// not: every such transaction waits for a connection the others hold, until the connect timeout,
// and the requests answer 503 under exactly the load they should survive. inTransaction marks its
// work; with `strict` (the test suite), a connection asked for inside it is refused at once, so
// the mistake fails a test instead of a Friday evening.
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { PostgresPool } from 'kysely';

const insideTransaction = new AsyncLocalStorage<true>();

export function runAsTransactionWork<T>(work: () => Promise<T>): Promise<T> {
  return insideTransaction.run(true, work);
}

/**
 * For a deliberate second connection inside a transaction (a test that plays another client
 * while a transaction is open): runs `work` as if outside it.
 */
export function onAnotherConnection<T>(work: () => Promise<T>): Promise<T> {
  return insideTransaction.exit(work);
}

/** What Kysely connects through: the pool, refusing a second connection inside a transaction when strict. */
export function guardedPool(pool: pg.Pool, strict: boolean): PostgresPool {
  if (!strict) return pool;
  return {
    async connect() {
      if (insideTransaction.getStore())
        throw new Error('A second pooled connection was asked for inside a transaction: pass the transaction instead.');
      return pool.connect();
    },
    end: () => pool.end(),
  };
}
