// Helpers shared by the event tests (not a test file itself): bounded waiting, a table that
// records subscriber effects, and appending many events quickly.
import { sql } from 'kysely';
import { inTransaction, onAnotherConnection, type Db } from '../platform/db/index.js';
import { createEventAppender } from '../platform/events/index.js';

/** Test events: one type per verb, payload carries the event's position within its aggregate. */
export type TestEvents = {
  'test.widget.made': { n: number; aggregate: string };
  'test.widget.painted': { n: number; aggregate: string };
};

export const testEvents = createEventAppender<TestEvents>();

/** A table in the test database where subscribers record what they did, in commit order. */
export async function createEffectsTable(db: Db): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS test_effects (
    position bigserial PRIMARY KEY,
    subscriber text NOT NULL,
    event_id uuid NOT NULL,
    aggregate text NOT NULL,
    n integer NOT NULL
  )`.execute(db);
}

export interface Effect {
  position: number;
  subscriber: string;
  event_id: string;
  aggregate: string;
  n: number;
}

export async function readEffects(db: Db, subscriber?: string): Promise<Effect[]> {
  const { rows } = subscriber
    ? await sql<Effect>`SELECT position, subscriber, event_id, aggregate, n FROM test_effects WHERE subscriber = ${subscriber} ORDER BY position`.execute(
        db,
      )
    : await sql<Effect>`SELECT position, subscriber, event_id, aggregate, n FROM test_effects ORDER BY position`.execute(
        db,
      );
  return rows;
}

export async function countByState(db: Db): Promise<Record<string, number>> {
  const { rows } = await sql<{
    state: string;
    n: number;
  }>`SELECT state, count(*)::int AS n FROM outbox GROUP BY state`.execute(db);
  return Object.fromEntries(rows.map((row) => [row.state, row.n]));
}

/**
 * Appends `perAggregate` events to each of `aggregates` aggregates from concurrent writers (one
 * per aggregate, `perTransaction` events per commit); event n of an aggregate carries n = 1, 2, ….
 * Returns the appended ids.
 */
export async function appendBurst(
  db: Db,
  options: { aggregates: string[]; perAggregate: number; perTransaction: number; type?: keyof TestEvents },
): Promise<string[]> {
  const ids: string[] = [];
  await Promise.all(
    options.aggregates.map(async (aggregate) => {
      for (let n = 1; n <= options.perAggregate;) {
        const end = Math.min(options.perAggregate, n + options.perTransaction - 1);
        const batch = await inTransaction(db, async (trx) => {
          const appended: string[] = [];
          for (let k = n; k <= end; k++) {
            const { id } = await testEvents.append(trx, {
              type: options.type ?? 'test.widget.made',
              aggregate: { type: 'widget', id: aggregate },
              data: { n: k, aggregate },
            });
            appended.push(id);
          }
          return appended;
        });
        ids.push(...batch);
        n = end + 1;
      }
    }),
  );
  return ids;
}

/** Backends of this database with this application_name (a relay's claim or listener connection). */
export async function backendsNamed(db: Db, applicationName: string): Promise<number[]> {
  // Tests ask this from inside a subscriber's transaction: another client's look, on purpose.
  const { rows } = await onAnotherConnection(() =>
    sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity WHERE application_name = ${applicationName} AND datname = current_database()`.execute(
      db,
    ),
  );
  return rows.map((row) => row.pid);
}

/** Terminates the backends whose application_name is `name` (a relay's claim or listener). */
export async function terminateBackends(db: Db, applicationName: string): Promise<number> {
  const { rows } = await onAnotherConnection(() =>
    sql<{ n: number }>`
    SELECT count(*)::int AS n FROM (
      SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE application_name = ${applicationName} AND datname = current_database() AND pid <> pg_backend_pid()
    ) terminated`.execute(db),
  );
  return rows[0]!.n;
}
