// Process entry for `brigade start`: config, database (embedded or DATABASE_URL), migrations,
// demo data, then the api and/or worker role, and a bounded graceful shutdown.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp, buildOpsApp } from './app.js';
import type { Config } from './config/index.js';
import { createAccessTokenIssuer } from './platform/auth/tokens.js';
import { createDatabase, migrate, type Database } from './platform/db/index.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './platform/db/embedded.js';
import { createLateJobSender, startJobs, type JobDefinition } from './platform/jobs/queue.js';
import { createOutboxMetrics, outboxJobs, startOutboxWorker } from './platform/events/index.js';
import { auditJobs } from './platform/audit/index.js';
import { purgeExpiredIdempotencyKeys } from './platform/http/idempotency/index.js';
import { createLiveFanout } from './platform/live/index.js';
import { createMetricsRegistry } from './platform/observability/metrics.js';
import { createDomainEvents, createModules, moduleLoops } from './modules.js';
import { createSandboxProcessor, sandboxKeys } from './modules/payments/index.js';
import { seedDemoIfEmpty } from './demo/seed.js';

export interface Runtime {
  url: string;
  database: Database;
  embedded: EmbeddedServer | null;
  close(): Promise<void>;
}

/** Database connection for any command: embedded server when DATABASE_URL is unset. */
export async function openDatabase(config: Config, logger: Logger): Promise<Runtime> {
  let embedded: EmbeddedServer | null = null;
  let url = config.databaseUrl;
  if (url === null) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort, logger });
    url = embedded.url;
    logger.info({ dataDir: config.dataDir, port: config.embeddedPostgresPort }, 'embedded PostgreSQL running');
  }
  const database = createDatabase(url, config.database, `brigade-${config.role}`);
  return {
    url,
    database,
    embedded,
    async close() {
      await database.close();
      await embedded?.stop();
    },
  };
}

/** Stops what `start` started, in reverse dependency order, each step bounded by its own logic. */
type Closer = { name: string; close(): Promise<void> };

export async function start(config: Config, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const runtime = await openDatabase(config, logger);
  // Filled as parts start; closed in the order listed here: the sandbox processor's loops, then
  // stop taking requests (open streams end), then background delivery, then jobs (which may still
  // announce), then connections.
  const closing: Record<'sandbox' | 'http' | 'outbox' | 'jobs' | 'modules' | 'live' | 'redis', Closer | null> = {
    sandbox: null,
    http: null,
    outbox: null,
    jobs: null,
    modules: null,
    live: null,
    redis: null,
  };
  const closeAll = async () => {
    for (const closer of Object.values(closing)) {
      if (closer)
        await closer
          .close()
          .catch((error: unknown) => logger.error({ err: error, part: closer.name }, 'error during shutdown'));
    }
    await runtime.close();
  };

  try {
    const { applied } = await migrate(runtime.database.pool);
    if (applied.length) logger.info({ applied }, 'migrations applied');

    const tokens = createAccessTokenIssuer({
      privateKeyPem: config.auth.jwtPrivateKey,
      verifyOnlyKeysPem: config.auth.jwtPreviousPublicKeys,
      dataDir: config.dataDir,
      issuer: config.auth.issuer,
      ttlSeconds: config.auth.accessTokenTtlSeconds,
    });
    const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 }) : null;
    if (redis) {
      // ioredis reconnects by itself; without a listener each failed attempt is an unhandled error event.
      redis.on('error', (error: Error) => logger.warn({ reason: error.message }, 'redis connection error'));
      await redis
        .connect()
        .catch((error: unknown) => logger.warn({ err: error }, 'redis not reachable at start; readiness will say so'));
      closing.redis = { name: 'redis', close: async () => redis.disconnect() };
    }

    const registry = createMetricsRegistry();
    const events = createDomainEvents();
    // Every role: workers publish too (an expiry job's transition reaches the api nodes' streams).
    // Only a node with a live stream opens a listening connection.
    const live = createLiveFanout({ pool: runtime.database.pool, redis, logger });
    closing.live = { name: 'live fan-out', close: () => live.close() };
    // Modules send jobs from the worker's subscribers; the queue starts below, once it knows their jobs.
    const jobSender = createLateJobSender();
    const modules = createModules({
      config,
      db: runtime.database.db,
      pool: runtime.database.pool,
      tokens,
      events,
      logger,
      redis,
      live,
      jobs: jobSender,
      registry,
    });
    closing.modules = { name: 'modules', close: () => modules.catalog.close() };

    const seedDemo = config.demo === 'on' || (config.demo === 'auto' && runtime.embedded !== null);
    if (seedDemo && (await seedDemoIfEmpty(runtime.database.db, modules))) logger.info('demo data created');

    if (config.role !== 'api') {
      const outboxMetrics = createOutboxMetrics(registry);
      const definitions = [
        ...Object.values(modules).flatMap((module) => module.jobs),
        ...outboxJobs({ db: runtime.database.db, metrics: outboxMetrics, logger }),
        idempotencyPurgeJob(runtime.database.db, logger),
        ...auditJobs({ db: runtime.database.db, retentionDays: config.audit.retentionDays, logger }),
      ];
      const jobs = await startJobs(definitions, { connectionString: runtime.url, logger, registry, work: true });
      jobSender.attach(jobs);
      closing.jobs = { name: 'jobs', close: () => jobs.stop() };
      const outbox = startOutboxWorker({
        config,
        database: runtime.database,
        subscribers: events.bus,
        logger,
        metrics: outboxMetrics,
      });
      const loops = moduleLoops(modules);
      for (const loop of loops) loop.start();
      closing.outbox = {
        name: 'outbox relay and senders',
        close: async () => {
          for (const loop of loops) await loop.stop();
          await outbox.stop();
        },
      };
      logger.info(
        { queues: definitions.map((definition) => definition.name), nats: config.natsUrl !== null },
        'worker role running',
      );
    }

    // The payment sandbox is "the card processor" of development: it runs with the worker.
    const keys = sandboxKeys(config);
    const sandbox =
      keys && config.role !== 'api'
        ? createSandboxProcessor({
            db: runtime.database.db,
            logger: logger.child({ component: 'sandbox-processor' }),
            ...keys,
            webhookUrl: config.payments.sandbox.webhookUrl,
            publicUrl: config.payments.sandbox.url,
            authorizationDelayMs: config.payments.sandbox.authorizationDelayMs,
            slowCardDelayMs: config.payments.sandbox.slowCardDelayMs,
          })
        : null;
    const sandboxRoutes = sandbox?.routes;

    // The api role serves the API; a worker alone still answers health checks and /metrics.
    const app =
      config.role === 'worker'
        ? await buildOpsApp({ config, database: runtime.database, logger, redis, registry, sandboxRoutes })
        : (
            await buildApp({
              config,
              database: runtime.database,
              logger,
              tokens,
              redis,
              registry,
              modules,
              sandboxRoutes,
            })
          ).app;
    await app.listen({ host: config.host, port: config.port });
    closing.http = { name: 'http', close: () => drain(app, config.http.shutdownTimeoutMs, logger) };
    if (sandbox) {
      sandbox.start();
      closing.sandbox = { name: 'sandbox processor', close: () => sandbox.stop() };
    }

    const where = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
    if (config.role === 'worker') {
      logger.info(`Brigade worker; health and metrics on ${where}`);
    } else {
      logger.info(`Brigade API on ${where}  (docs: ${where}/docs)`);
      if (seedDemo) {
        // A plain banner for the person at the terminal; the JSON log lines are for machines.
        process.stdout.write(
          `\nBrigade is running on ${where} (API reference: ${where}/docs)\n` +
            `Demo data: organization "demo-pizzeria"; log in as owner@demo.brigade.test or staff@demo.brigade.test, password demo-password:\n` +
            `  curl -X POST ${where}/v1/auth/login -H 'content-type: application/json' -d '{"email":"owner@demo.brigade.test","password":"demo-password"}'\n\n`,
        );
      }
    }
  } catch (error) {
    await closeAll();
    throw error;
  }

  return { stop: closeAll };
}

/** Stops accepting, lets in-flight requests finish (bounded), closes idle keep-alive sockets. */
async function drain(app: FastifyInstance, timeoutMs: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      logger.warn({ timeoutMs }, 'in-flight requests did not finish in time; closing anyway');
      app.server.closeAllConnections();
      resolve();
    }, timeoutMs);
  });
  await Promise.race([app.close(), timeout]);
  clearTimeout(timer);
}

/** Expired idempotency keys go every 15 minutes; keys live at least their TTL. */
function idempotencyPurgeJob(db: Database['db'], logger: Logger): JobDefinition {
  return {
    name: 'platform.purge-idempotency-keys',
    policy: 'singleton',
    cron: '*/15 * * * *',
    handler: async () => {
      const purged = await purgeExpiredIdempotencyKeys(db);
      if (purged > 0) logger.info({ purged }, 'expired idempotency keys purged');
    },
  };
}
