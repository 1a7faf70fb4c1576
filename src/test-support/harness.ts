// Per test file: a private database cloned from the migrated template, and a real app on it
// (requests through app.inject — real routing, validation, serialization and SQL).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { inject } from 'vitest';
import { buildApp } from '../app.js';
import type { Config } from '../config/index.js';
import type { AccessTokenIssuer } from '../platform/auth/tokens.js';
import { createDatabase, type Database } from '../platform/db/index.js';
import { createLiveFanout, type LiveFanout } from '../platform/live/index.js';
import { loggerOptions } from '../platform/observability/logger.js';
import { startOutboxWorker } from '../platform/events/index.js';
import { createLateJobSender, startJobs, type JobSender } from '../platform/jobs/queue.js';
import { createDomainEvents, moduleLoops, type DomainEventWiring, type Modules } from '../modules.js';
import { createSandboxProcessor, sandboxKeys, type SandboxProcessor } from '../modules/payments/index.js';
import { testConfig, testTokens } from './config.js';
import { freePort, listenForTests, type Listening } from './server.js';
import { databaseUrl } from './urls.js';

export { testConfig, testTokens } from './config.js';

export interface TestDatabase {
  name: string;
  url: string;
  database: Database;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** An empty database instead of a clone of the migrated template (for migration tests). */
  empty?: boolean;
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = inject('databaseAdminUrl');
  const template = inject('templateDatabase');
  const name = `brigade_t_${template.replace('brigade_tpl_', '')}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(options.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(adminUrl, name);
  const database = createDatabase(
    url,
    { poolMax: 20, statementTimeoutMs: 10_000, connectTimeoutMs: 10_000, strictConnections: true },
    'brigade-test',
  );
  return {
    name,
    url,
    database,
    async drop() {
      await database.close();
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  modules: Modules;
  config: Config;
  tokens: AccessTokenIssuer;
  db: TestDatabase;
  /** The app's live fan-out (PostgreSQL, or Redis when `redis` was given); a second app on the same database gets its own. */
  live: LiveFanout;
  /** The modules' event wiring: startWorker's relay delivers to its bus. */
  events: DomainEventWiring;
  /** Where the app listens (with `sandbox`: the processor and the app call each other over HTTP); null otherwise. */
  url: string | null;
  /** The sandbox processor running with the app (option `sandbox`), e.g. to point its webhooks elsewhere. */
  sandbox: SandboxProcessor | null;
  /**
   * Starts the worker role on the app's database: pg-boss (the modules' jobs, polling fast) and
   * the outbox relay delivering to the modules' subscribers. Stopped by close().
   */
  startWorker(): Promise<{ stop(): Promise<void> }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Passed to buildApp: readiness then checks this Redis client. The caller disconnects it. */
  redis?: Redis | null;
  /** The app's logger (e.g. captureLogs().logger to assert on log lines); default: LOG_LEVEL or silent. */
  logger?: Logger;
  /** The modules' clock (time tests move it). */
  clock?: () => Date;
  /**
   * Runs the payment sandbox processor with the app (its routes and background loops), and
   * listens on a free port that the processor's webhooks and the sandbox provider are pointed at.
   */
  sandbox?: boolean;
}

/** Test values of the sandbox's keys and timing (fast authorizations, fast webhooks). */
function sandboxEnv(port: number): Record<string, string> {
  const base = `http://127.0.0.1:${port}`;
  return {
    PORT: String(port),
    PUBLIC_URL: base,
    SANDBOX_URL: base,
    SANDBOX_WEBHOOK_URL: `${base}/v1/payments/webhooks/sandbox`,
    SANDBOX_SECRET_KEY: 'sk_sandbox_test_key',
    SANDBOX_WEBHOOK_SECRET: 'sandbox-test-webhook-secret',
    SANDBOX_AUTHORIZATION_DELAY_MS: '50',
    SANDBOX_SLOW_CARD_DELAY_MS: '1500',
  };
}

export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const port = options.sandbox ? await freePort() : null;
  const config = testConfig(port === null ? env : { ...sandboxEnv(port), ...env });
  const tokens = testTokens(config);
  const logger = options.logger ?? pino(loggerOptions(config.logLevel));
  // Channels named after the database: test files running at once may share one Redis.
  const live = createLiveFanout({
    pool: db.database.pool,
    redis: options.redis ?? null,
    logger,
    redisPrefix: `brigade:live:${db.name}:`,
  });
  const events = createDomainEvents();
  const jobs = createLateJobSender();
  const keys = options.sandbox ? sandboxKeys(config) : null;
  const sandbox = keys
    ? createSandboxProcessor({
        db: db.database.db,
        logger,
        ...keys,
        webhookUrl: config.payments.sandbox.webhookUrl,
        publicUrl: config.payments.sandbox.url,
        authorizationDelayMs: config.payments.sandbox.authorizationDelayMs,
        slowCardDelayMs: config.payments.sandbox.slowCardDelayMs,
        pollMs: 20,
      })
    : null;
  const { app, modules } = await buildApp({
    config,
    database: db.database,
    logger,
    tokens,
    redis: options.redis ?? null,
    clock: options.clock,
    live,
    events,
    jobs,
    sandboxRoutes: sandbox?.routes,
  });
  let listening: Listening | null = null;
  if (port !== null) {
    listening = await listenForTests(app, port);
    sandbox?.start();
  }
  const workers: Array<{ stop(): Promise<void> }> = [];
  return {
    app,
    modules,
    config,
    tokens,
    db,
    live,
    events,
    url: listening?.url ?? null,
    sandbox,
    async startWorker() {
      const worker = await startTestWorker({ db, config, logger, modules, events, jobs });
      workers.push(worker);
      return worker;
    },
    async close() {
      await sandbox?.stop();
      for (const worker of workers.splice(0)) await worker.stop();
      // The app first: it ends its streams, which listen through the fan-out.
      if (listening) await listening.close();
      else await app.close();
      await live.close();
      await db.drop();
    },
  };
}

/** The worker role for tests: the modules' jobs on pg-boss (polling every half second) and the outbox relay. */
async function startTestWorker(deps: {
  db: TestDatabase;
  config: Config;
  logger: Logger;
  modules: Modules;
  events: DomainEventWiring;
  jobs: JobSender & { attach(jobs: JobSender): void };
}) {
  const definitions = Object.values(deps.modules).flatMap((module) => module.jobs);
  const queue = await startJobs(definitions, {
    connectionString: deps.db.url,
    logger: deps.logger,
    work: true,
    pollingIntervalSeconds: 0.5,
  });
  deps.jobs.attach(queue);
  const outbox = startOutboxWorker({
    config: deps.config,
    database: deps.db.database,
    subscribers: deps.events.bus,
    logger: deps.logger,
  });
  await outbox.ready;
  const loops = moduleLoops(deps.modules);
  for (const loop of loops) loop.start();
  return {
    async stop() {
      for (const loop of loops) await loop.stop();
      await outbox.stop();
      await queue.stop();
    },
  };
}
