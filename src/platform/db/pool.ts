import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Config } from '../../config/index.js';
import { guardedPool } from './one-connection.js';
import type { PlatformTables } from './tables.js';

// int8 (bigint) and numeric come back as strings by default; counts we read are small.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Db = Kysely<PlatformTables>;

export interface Database {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function createDatabase(
  url: string,
  options: Config['database'] & { strictConnections?: boolean },
  applicationName = 'brigade',
): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    idle_in_transaction_session_timeout: options.statementTimeoutMs * 2,
    application_name: applicationName,
  });
  // A connection the server drops (a restart, a failover, `pg_ctl stop -m immediate`) emits
  // 'error' on its client. pg-pool listens only while the client is idle; a client checked out at
  // that moment has no listener and the event would kill the process. Every client gets a listener
  // for its whole life: the query in flight rejects (and maps to 503), the pool discards the
  // client on release, and later requests connect afresh once the server is back.
  pool.on('connect', (client) => client.on('error', () => undefined));
  pool.on('error', () => undefined);
  const db = new Kysely<PlatformTables>({
    dialect: new PostgresDialect({ pool: guardedPool(pool, options.strictConnections ?? false) }),
  });
  return {
    db,
    pool,
    async close() {
      await db.destroy();
    },
  };
}
