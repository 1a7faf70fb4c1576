// buildApp: the platform plugins plus every module's routes. Used by the server and by tests,
// so what the tests exercise is exactly what runs.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from './config/index.js';
import { registerAuditLog } from './platform/audit/index.js';
import { registerAccessControl } from './platform/auth/access.js';
import { createPersonalDataVault, personalDataKeysFrom } from './platform/crypto/personal-data.js';
import { registerJwks } from './platform/auth/jwks.js';
import type { AccessTokenIssuer } from './platform/auth/tokens.js';
import { pendingMigrations, type Database } from './platform/db/index.js';
import { registerOpenApi } from './platform/http/docs.js';
import { introspectionAllowed } from './platform/http/graphql.js';
import { UnauthenticatedError } from './platform/http/errors.js';
import { registerHealth, type ReadinessCheck } from './platform/http/health.js';
import { createCrashPoints } from './platform/crash-points.js';
import { registerIdempotency } from './platform/http/idempotency/index.js';
import { registerLoadShedding } from './platform/http/load-shedding.js';
import { createRateLimiter, registerRateLimits } from './platform/http/rate-limit.js';
import { createServer } from './platform/http/server.js';
import type { JobSender } from './platform/jobs/queue.js';
import type { LiveFanout } from './platform/live/index.js';
import { registerSandboxMessages } from './platform/messages/index.js';
import { metricsAccess, registerMetrics } from './platform/observability/metrics.js';
import { createModules, type DomainEventWiring, type Modules } from './modules.js';
import { version } from './version.js';

export interface AppDeps {
  config: Config;
  database: Database;
  logger: Logger;
  tokens: AccessTokenIssuer;
  redis?: Redis | null;
  /** The process's metrics registry; a fresh one when omitted (tests). */
  registry?: Registry;
  /** The process's modules (wired to its event bus); built here when omitted (tests). */
  modules?: Modules;
  /** The modules' clock when built here (tests). */
  clock?: () => Date;
  /** Cross-node fan-out for live streams, given to the modules built here; its creator closes it (after the app). */
  live?: LiveFanout;
  /** The job sender given to the modules built here (a test worker attaches a queue to it). */
  jobs?: JobSender;
  /** The event wiring given to the modules built here (a test worker's relay delivers to its bus). */
  events?: DomainEventWiring;
  /** The payment sandbox processor's routes (/sandbox/…), when this process runs it. */
  sandboxRoutes?: FastifyPluginAsync;
}

export interface BuiltApp {
  app: FastifyInstance;
  modules: Modules;
}

function readinessChecks(deps: Pick<AppDeps, 'database' | 'redis'>): Record<string, ReadinessCheck> {
  // Checks throw short, fixed messages: readiness is public, connection details are not.
  const checks: Record<string, ReadinessCheck> = {
    database: async () => {
      await deps.database.pool.query('SELECT 1').catch(() => {
        throw new Error('database not reachable');
      });
    },
    migrations: async () => {
      const pending = await pendingMigrations(deps.database.pool).catch(() => {
        throw new Error('could not read the schema version');
      });
      if (pending > 0) throw new Error(`${pending} migration(s) pending: run "brigade migrate"`);
    },
  };
  const redis = deps.redis;
  if (redis) {
    checks.redis = async () => {
      const answer = await redis.ping().catch(() => null);
      if (answer !== 'PONG') throw new Error('redis not answering');
    };
  }
  return checks;
}

export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const app = await createServer(deps.config, deps.logger);
  const ownModules = deps.modules === undefined;
  const modules =
    deps.modules ??
    createModules({
      config: deps.config,
      db: deps.database.db,
      pool: deps.database.pool,
      tokens: deps.tokens,
      logger: deps.logger,
      redis: deps.redis ?? null,
      clock: deps.clock,
      live: deps.live,
      jobs: deps.jobs,
      events: deps.events,
    });
  // Modules built here are closed with the app; a process that passed its own closes them itself.
  if (ownModules) app.addHook('onClose', async () => modules.catalog.close());

  // An overloaded process answers 503 before doing any work, authentication included.
  await registerLoadShedding(app, deps.config.pressure);
  // Authenticated callers are counted against their own limit as soon as they are known.
  const rateLimiter = createRateLimiter({
    limits: deps.config.rateLimits,
    redis: deps.redis ?? null,
    logger: deps.logger,
  });
  // First, so every route registered after it is checked for an access rule.
  const authenticate = rateLimiter.guardAuthentication(modules.identity.authenticate);
  registerAccessControl(app, { authenticate });
  await registerOpenApi(app, version);
  const metrics = registerMetrics(app, deps.registry, metricsAccess(deps.config));
  // Before the modules: limits public routes, writes the RateLimit headers, provides the login lockout.
  registerRateLimits(app, rateLimiter, metrics);
  // Before the modules, so opted-in routes get its hooks and their OpenAPI header.
  registerIdempotency(app, {
    db: deps.database.db,
    // Stored responses carry personal data (a placed order's delivery details): sealed (ADR 0025).
    vault: createPersonalDataVault(personalDataKeysFrom({ ...deps.config.personalData, dataDir: deps.config.dataDir })),
    ...deps.config.idempotency,
    metrics,
    crash: createCrashPoints(deps.config.crashAt),
  });
  registerHealth(app, readinessChecks(deps));
  registerJwks(app, deps.tokens);
  // Before the modules: its hook gives their writes the caller, request id and IP to audit.
  registerAuditLog(app, { db: deps.database.db });

  for (const module of Object.values(modules)) {
    await app.register(module.routes, { prefix: '/v1' });
  }
  // Storefront GraphQL (mercurius) at /graphql, public; its plugin marks its own routes so. Other
  // modules' GraphQL (ordering's subscription) joins it here: the app composes, so no module
  // imports another for it. Subscriptions check their callers with the same authenticate as HTTP.
  const graphqlExtensions = Object.values(modules).flatMap((module) =>
    module.graphqlExtension ? [module.graphqlExtension] : [],
  );
  await app.register(modules.catalog.graphql, {
    extensions: graphqlExtensions,
    authenticate,
    introspection: introspectionAllowed(deps.config.nodeEnv),
  });
  // The outbox of messages Brigade would have mailed, tokens included: never in production.
  if (deps.config.nodeEnv !== 'production') await registerSandboxMessages(app, { db: deps.database.db });
  if (deps.sandboxRoutes) await app.register(deps.sandboxRoutes);
  await app.ready();
  return { app, modules };
}

/**
 * What a worker-only process serves: liveness, readiness and /metrics (jobs, outbox lag),
 * so it can be probed and scraped like an api node, and the payment sandbox when it runs. No API routes.
 */
export async function buildOpsApp(
  deps: Pick<AppDeps, 'config' | 'database' | 'logger' | 'redis' | 'registry' | 'sandboxRoutes'>,
): Promise<FastifyInstance> {
  const app = await createServer(deps.config, deps.logger);
  registerAccessControl(app, {
    authenticate: async () => {
      throw new UnauthenticatedError('A worker serves no authenticated routes.');
    },
  });
  registerMetrics(app, deps.registry, metricsAccess(deps.config));
  registerHealth(app, readinessChecks(deps));
  // The sandbox processor lives in the worker: it is what api nodes call as "the card processor".
  if (deps.sandboxRoutes) await app.register(deps.sandboxRoutes);
  await app.ready();
  return app;
}
