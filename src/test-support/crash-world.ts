// A crash test's world: a fresh database with one store, its menu and its owner, and real
// `brigade start` processes on it (one may be told to kill itself at a named crash point), called
// over real HTTP. Shared by the crash tests in test/; each test tears its world down itself.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { expect } from 'vitest';
import { createModules, type Modules } from '../modules.js';
import { inTransaction } from '../platform/db/index.js';
import { smallCatalogDocument } from './catalog-factories.js';
import { killAll, spawnBrigade, type BrigadeRun as Run } from './brigade-process.js';
import { createTestDatabase, testConfig, testTokens, type TestDatabase } from './harness.js';
import { TEST_PII_ENCRYPTION_KEY } from './config.js';
import { freePort } from './server.js';
import { ALWAYS_OPEN } from './tenancy-factories.js';
import { waitFor } from './wait.js';

export const PASSWORD = 'a long enough password';

const children: ChildProcess[] = [];
const tempDirs: string[] = [];

/**
 * Each test kills its own processes when it finishes (onTestFinished: with concurrent tests an
 * afterEach would kill the other test's); a test file's afterAll calls this as the backstop.
 */
export function killCrashWorlds(): void {
  killAll(children);
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brigade-crash-'));
  tempDirs.push(dir);
  return dir;
}

/** `brigade <args>`, owned by the test (`owned`) and by the file (the backstop above). */
export function brigade(args: string[], env: Record<string, string>, owned: ChildProcess[]): Run {
  const run = spawnBrigade(args, env, owned);
  children.push(run.child);
  return run;
}

/** Everything a crash-test process is started with; `crashAt` only for the first one. */
export function serverEnv(
  place: { url: string; port: number; dataDir: string },
  crashAt?: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: place.url,
    PORT: String(place.port),
    HOST: '127.0.0.1',
    BRIGADE_ROLE: 'all',
    BRIGADE_DATA_DIR: place.dataDir,
    // The same as the in-process test app's, so each opens the data keys the other created.
    PII_ENCRYPTION_KEY: TEST_PII_ENCRYPTION_KEY,
    BRIGADE_DEMO: 'off',
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.CRASH_TEST_LOG_LEVEL ?? 'warn',
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    PAYMENTS_SANDBOX: 'on',
    SANDBOX_SECRET_KEY: 'sk_sandbox_crash_test_key',
    SANDBOX_WEBHOOK_SECRET: 'sandbox-crash-test-webhook-secret',
    SANDBOX_AUTHORIZATION_DELAY_MS: '50',
    PAYMENTS_RECONCILE_AFTER_SECONDS: '1',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    RATE_LIMIT_ANONYMOUS: '1000000/60',
    RATE_LIMIT_USER: '1000000/60',
    RATE_LIMIT_AUTH: '1000000/60',
    ...(crashAt ? { BRIGADE_CRASH_AT: crashAt } : {}),
    ...extra,
  };
}

/**
 * Starts `brigade start` and waits until /health/ready answers 200 (failing early if it dies), or
 * only /health/live when the test has taken a dependency away on purpose.
 */
export async function startServer(
  env: Record<string, string>,
  owned: ChildProcess[],
  until: 'ready' | 'live' = 'ready',
): Promise<Run> {
  const run = brigade(['start'], env, owned);
  const url = `http://127.0.0.1:${env.PORT}/health/${until}`;
  await waitFor(
    `${url} to answer 200`,
    async () => {
      if (run.child.exitCode !== null || run.child.signalCode !== null)
        throw new Error(
          `brigade exited (${run.child.exitCode ?? run.child.signalCode}) before it was ready:\n${run.output()}`,
        );
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      return res?.status === 200;
    },
    60_000,
    100,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${run.output()}`);
  });
  return run;
}

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions that read them
  body: any;
  text: string;
  headers: Record<string, string>;
}

/** One real HTTP call. */
export async function call(
  base: string,
  method: string,
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${url}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body, text, headers: Object.fromEntries(res.headers) };
}

export async function login(base: string, email: string): Promise<string> {
  const res = await call(base, 'POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
  expect(res.status, res.text).toBe(200);
  return res.body.access_token as string;
}

export type CatalogIds = Awaited<ReturnType<Modules['catalog']['api']['idsByRef']>>;

export interface World {
  tdb: TestDatabase;
  modules: Modules;
  shop: { storeId: string; ownerEmail: string; ids: CatalogIds };
  /** The processes this test started (killed when it finishes). */
  owned: ChildProcess[];
  place: { url: string; port: number; dataDir: string };
  base: string;
}

/**
 * A fresh database with one store, its menu and its owner, made through the modules' public APIs
 * on the test database (what the test factories call; there is no public HTTP route for an
 * organization's first store and menu). Torn down when the test finishes. A fault test passes its
 * own server (`database`) so it can stop it.
 */
export async function world(
  onTestFinished: (fn: () => Promise<void> | void) => void,
  options: { database?: TestDatabase } = {},
): Promise<World> {
  const tdb = options.database ?? (await createTestDatabase());
  const owned: ChildProcess[] = [];
  const config = testConfig({ BRIGADE_DATA_DIR: tempDir() });
  const modules = createModules({
    config,
    db: tdb.database.db,
    tokens: testTokens(config),
    logger: pino({ level: 'silent' }),
  });
  onTestFinished(async () => {
    killAll(owned);
    await Promise.all(
      owned.map((child) =>
        child.exitCode === null && child.signalCode === null
          ? new Promise((resolve) => child.once('exit', resolve))
          : undefined,
      ),
    );
    await modules.catalog.close();
    await tdb.drop();
  });
  const db = tdb.database.db;
  const ownerEmail = `owner-${randomBytes(4).toString('hex')}@example.test`;
  const owner = await modules.identity.api.createUser(db, { email: ownerEmail, password: PASSWORD, name: 'Owner' });
  const organization = await inTransaction(db, (trx) =>
    modules.tenancy.api.createOrganization(trx, {
      slug: `crash-${randomBytes(4).toString('hex')}`,
      name: 'Crash Pizza',
      ownerUserId: owner.id,
    }),
  );
  const store = await inTransaction(db, (trx) =>
    modules.tenancy.api.createStore(trx, {
      organizationId: organization.id,
      name: 'Crash Pizza Mitte',
      address: { line1: '1 Main Street', city: 'Berlin', postal_code: '10115', country: 'DE' },
      timezone: 'Europe/Berlin',
      currency: 'EUR',
      opening_hours: ALWAYS_OPEN,
    }),
  );
  await inTransaction(db, (trx) => modules.catalog.api.importCatalog(trx, organization.id, smallCatalogDocument()));
  const ids = await modules.catalog.api.idsByRef(organization.id);
  await inTransaction(db, async (trx) => {
    await modules.catalog.api.publishMenus(trx, {
      organizationId: organization.id,
      storeId: store.id,
      menuIds: [ids.menus['all-day']!],
    });
    await modules.catalog.api.setStoreCatalogSettings(trx, {
      organizationId: organization.id,
      storeId: store.id,
      taxSettings: { prices_include_tax: true, rates: [{ tax_category_id: ids.tax_categories.food!, rate_bps: 1900 }] },
      priceOverrides: [],
    });
  });
  const port = await freePort();
  return {
    tdb,
    modules,
    shop: { storeId: store.id, ownerEmail, ids },
    owned,
    place: { url: tdb.url, port, dataDir: tempDir() },
    base: `http://127.0.0.1:${port}`,
  };
}
