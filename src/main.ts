// Process entry for `brigade start`: config, database (embedded or DATABASE_URL), migrations,
// demo data, then the api and/or worker role, and a bounded graceful shutdown.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { createAccessTokenIssuer } from './platform/auth/tokens.js';
import { createDatabase, migrate, type Database } from './platform/db/index.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './platform/db/embedded.js';
import { startJobs, type Jobs } from './platform/jobs/queue.js';
import { createModules } from './modules.js';
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

export async function start(config: Config, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const runtime = await openDatabase(config, logger);
  const closers: Array<() => Promise<void>> = [];
  try {
    const { applied } = await migrate(runtime.database.pool);
    if (applied.length) logger.info({ applied }, 'migrations applied');

    const tokens = createAccessTokenIssuer({
      privateKeyPem: config.auth.jwtPrivateKey,
      dataDir: config.dataDir,
      issuer: config.auth.issuer,
      ttlSeconds: config.auth.accessTokenTtlSeconds,
    });

    const modules = createModules({ config, db: runtime.database.db, tokens });
    const seedDemo = config.demo === 'on' || (config.demo === 'auto' && runtime.embedded !== null);
    if (seedDemo) {
      const seeded = await seedDemoIfEmpty(runtime.database.db, modules);
      if (seeded) logger.info('demo data created');
    }

    const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 }) : null;
    if (redis) {
      // ioredis reconnects by itself; without a listener each failed attempt is an unhandled error event.
      redis.on('error', (error: Error) => logger.warn({ reason: error.message }, 'redis connection error'));
      await redis.connect().catch((error: unknown) => logger.warn({ err: error }, 'redis not reachable at start; readiness will say so'));
      closers.push(async () => {
        redis.disconnect();
      });
    }

    let jobs: Jobs | null = null;
    if (config.role !== 'api') {
      const definitions = Object.values(modules).flatMap((module) => module.jobs);
      jobs = await startJobs(definitions, { connectionString: runtime.url, logger, work: true });
      logger.info({ queues: definitions.map((definition) => definition.name) }, 'worker role running');
    }

    if (config.role !== 'worker') {
      const { app } = await buildApp({ config, database: runtime.database, logger, tokens, redis });
      await app.listen({ host: config.host, port: config.port });
      const where = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
      logger.info(`Brigade API on ${where}  (docs: ${where}/docs)`);
      if (seedDemo) {
        // A plain banner for the person at the terminal; the JSON log lines are for machines.
        process.stdout.write(
          `\nBrigade is running on ${where} (API reference: ${where}/docs)\n` +
            `Demo data: organization "demo-pizzeria"; log in as owner@demo.brigade.test or staff@demo.brigade.test, password demo-password:\n` +
            `  curl -X POST ${where}/v1/auth/login -H 'content-type: application/json' -d '{"email":"owner@demo.brigade.test","password":"demo-password"}'\n\n`,
        );
      }
      closers.unshift(async () => {
        // Stops accepting, lets in-flight requests finish, closes idle keep-alive sockets.
        let timer: NodeJS.Timeout | undefined;
        const drained = app.close();
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            logger.warn({ timeoutMs: config.http.shutdownTimeoutMs }, 'in-flight requests did not finish in time; closing anyway');
            app.server.closeAllConnections();
            resolve();
          }, config.http.shutdownTimeoutMs);
        });
        await Promise.race([drained, timeout]);
        clearTimeout(timer);
      });
    }
    if (jobs) closers.push(() => jobs.stop());
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    await runtime.close();
    throw error;
  }

  return {
    async stop() {
      for (const close of closers) await close().catch((error: unknown) => logger.error({ err: error }, 'error during shutdown'));
      await runtime.close();
    },
  };
}
