// One typed configuration object, read from the environment once at start.
// Every variable is declared in CONFIG_VARIABLES with its default and meaning; the README table
// is written from the same list, so the two cannot drift apart (see `npm run config:table`).
import path from 'node:path';

export type NodeEnv = 'development' | 'test' | 'production';
export type ProcessRole = 'all' | 'api' | 'worker';

export interface Config {
  nodeEnv: NodeEnv;
  role: ProcessRole;
  host: string;
  port: number;
  dataDir: string;
  /** null means: start the embedded PostgreSQL server under dataDir. */
  databaseUrl: string | null;
  embeddedPostgresPort: number;
  database: {
    poolMax: number;
    statementTimeoutMs: number;
    connectTimeoutMs: number;
  };
  redisUrl: string | null;
  auth: {
    /** PEM of an Ed25519 or P-256 private key; null in development means "generate and keep in dataDir". */
    jwtPrivateKey: string | null;
    issuer: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** argon2id cost; the defaults follow OWASP's password storage guidance. */
    passwordHashing: { memoryKib: number; timeCost: number };
  };
  http: {
    corsOrigins: string[] | true | false;
    bodyLimitBytes: number;
    trustProxy: boolean;
    shutdownTimeoutMs: number;
  };
  logLevel: string;
  demo: 'auto' | 'on' | 'off';
  /** null: events go to in-process subscribers only. */
  natsUrl: string | null;
  events: { natsStream: string; relayPollMs: number; relayBatchSize: number };
  /** Live streams (SSE, GraphQL subscriptions): the backstop poll and the keep-alive comment. */
  live: { pollMs: number; heartbeatMs: number };
  idempotency: { ttlHours: number; claimTimeoutSeconds: number };
  rateLimits: {
    anonymous: RateLimit;
    user: RateLimit;
    apiKey: RateLimit;
    auth: RateLimit;
    lockoutAttempts: number;
    lockoutSeconds: number;
  };
  /** 0 disables a limit. */
  pressure: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number; maxRssBytes: number };
  outbound: {
    timeoutMs: number;
    retries: number;
    breakerConsecutiveFailures: number;
    breakerHalfOpenAfterMs: number;
    bulkheadLimit: number;
    bulkheadQueue: number;
  };
  tracing: { enabled: boolean; serviceName: string };
  /** A named point at which the process kills itself (crash tests); null always in production. */
  crashAt: string | null;
  payments: {
    /** Where customers' browsers and providers reach this API (checkout return links, webhook URLs shown to operators). */
    publicUrl: string;
    /** AES-256-GCM key sealing provider credentials at rest; null in development means "generate and keep in dataDir". */
    encryptionKey: Buffer | null;
    /** Transitional payments older than this are compared with their provider by the reconciliation job. */
    reconcileAfterSeconds: number;
    /** The Stripe API's base URL (a local server speaking Stripe's shapes in tests). */
    stripeApiUrl: string;
    sandbox: {
      /** Runs the sandbox processor (worker role) and offers the sandbox provider. Never in production. */
      enabled: boolean;
      /** Where Brigade reaches the sandbox processor's API. */
      url: string;
      /** Where the processor delivers its webhooks. */
      webhookUrl: string;
      /** null in development: generated and kept in dataDir (api and worker processes share it). */
      secretKey: string | null;
      webhookSecret: string | null;
      /** How long the processor takes to authorize a card (asynchronously), and the slow test card. */
      authorizationDelayMs: number;
      slowCardDelayMs: number;
    };
  };
}

/** A rate limit: `points` requests per `seconds`, counted in a fixed window per caller. */
export interface RateLimit {
  points: number;
  seconds: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

interface Variable {
  name: string;
  default: string;
  meaning: string;
}

/** Source of truth for the README configuration table. */
export const CONFIG_VARIABLES: Variable[] = [
  {
    name: 'NODE_ENV',
    default: 'development',
    meaning:
      '`development`, `test` or `production`. Production requires `DATABASE_URL`, `JWT_PRIVATE_KEY` and `PAYMENTS_ENCRYPTION_KEY`, and refuses demo data and the payment sandbox.',
  },
  {
    name: 'BRIGADE_ROLE',
    default: 'all',
    meaning: '`api` serves HTTP, `worker` runs background work, `all` does both in one process.',
  },
  { name: 'HOST', default: '0.0.0.0', meaning: 'Interface the HTTP server binds to.' },
  { name: 'PORT', default: '3000', meaning: 'HTTP port.' },
  {
    name: 'BRIGADE_DATA_DIR',
    default: './.brigade',
    meaning: 'Local folder for the embedded PostgreSQL data and development signing keys.',
  },
  {
    name: 'DATABASE_URL',
    default: '(embedded)',
    meaning: 'PostgreSQL connection string. Unset: an embedded PostgreSQL server is started under the data folder.',
  },
  { name: 'EMBEDDED_PG_PORT', default: '54329', meaning: 'Port of the embedded PostgreSQL server (loopback only).' },
  { name: 'DATABASE_POOL_MAX', default: '10', meaning: 'Maximum connections in the pool per process.' },
  {
    name: 'DATABASE_STATEMENT_TIMEOUT_MS',
    default: '5000',
    meaning: 'Server-side `statement_timeout` for every pooled connection.',
  },
  {
    name: 'DATABASE_CONNECT_TIMEOUT_MS',
    default: '3000',
    meaning: 'How long a request waits to acquire a pooled connection before failing with 503.',
  },
  { name: 'REDIS_URL', default: '(none)', meaning: 'Redis connection string. When set, `/health/ready` checks it.' },
  {
    name: 'JWT_PRIVATE_KEY',
    default: '(generated in dev)',
    meaning:
      'PEM private key (Ed25519 or P-256) that signs access tokens. Required in production; development generates one into the data folder.',
  },
  { name: 'JWT_ISSUER', default: 'brigade', meaning: '`iss` claim of access tokens.' },
  { name: 'ACCESS_TOKEN_TTL_SECONDS', default: '900', meaning: 'Lifetime of an access token.' },
  { name: 'REFRESH_TOKEN_TTL_SECONDS', default: '2592000', meaning: 'Lifetime of a refresh token family (30 days).' },
  {
    name: 'ARGON2_MEMORY_KIB',
    default: '19456',
    meaning: 'argon2id memory cost for password hashes (OWASP minimum: 19456).',
  },
  { name: 'ARGON2_TIME_COST', default: '2', meaning: 'argon2id iterations for password hashes.' },
  {
    name: 'CORS_ORIGINS',
    default: '(dev: any; prod: none)',
    meaning: 'Comma-separated list of allowed browser origins, or `*`.',
  },
  { name: 'BODY_LIMIT_BYTES', default: '1048576', meaning: 'Largest accepted request body.' },
  { name: 'TRUST_PROXY', default: 'false', meaning: '`true` when behind a reverse proxy that sets `X-Forwarded-*`.' },
  {
    name: 'SHUTDOWN_TIMEOUT_MS',
    default: '10000',
    meaning: 'How long a graceful shutdown waits for in-flight requests before closing.',
  },
  {
    name: 'LOG_LEVEL',
    default: 'info',
    meaning: 'pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`.',
  },
  {
    name: 'NATS_URL',
    default: '(none)',
    meaning:
      'NATS server with JetStream. When set, the outbox relay also publishes every event to the stream (subjects `brigade.<event type>`).',
  },
  { name: 'NATS_STREAM', default: 'BRIGADE', meaning: 'JetStream stream the relay publishes to (created if missing).' },
  {
    name: 'OUTBOX_POLL_INTERVAL_MS',
    default: '1000',
    meaning: 'Outbox relay polling fallback; LISTEN/NOTIFY wakes it sooner.',
  },
  { name: 'OUTBOX_BATCH_SIZE', default: '200', meaning: 'Events a relay claims per batch.' },
  {
    name: 'LIVE_POLL_INTERVAL_MS',
    default: '5000',
    meaning:
      'Live order streams re-read their store this often even without a wake-up (the backstop for a lost fan-out message).',
  },
  {
    name: 'LIVE_HEARTBEAT_MS',
    default: '15000',
    meaning: 'A quiet event stream gets a `: heartbeat` comment this often, so proxies keep it open.',
  },
  {
    name: 'IDEMPOTENCY_TTL_HOURS',
    default: '24',
    meaning: 'How long a stored idempotent response is kept (at least 24).',
  },
  {
    name: 'IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS',
    default: '60',
    meaning: 'After this long, a claim whose request died may be taken over by a retry.',
  },
  {
    name: 'RATE_LIMIT_ANONYMOUS',
    default: '60/60',
    meaning:
      'Requests per IP for public calls and failed authentications: `points/seconds`, a fixed window per caller.',
  },
  { name: 'RATE_LIMIT_USER', default: '300/60', meaning: 'Requests per signed-in person (`points/seconds`).' },
  { name: 'RATE_LIMIT_API_KEY', default: '1200/60', meaning: 'Requests per API key (`points/seconds`).' },
  {
    name: 'RATE_LIMIT_AUTH',
    default: '10/60',
    meaning: 'Stricter limit per IP for sign-up, login, refresh and invitation acceptance.',
  },
  {
    name: 'LOGIN_LOCKOUT_ATTEMPTS',
    default: '5',
    meaning: 'Failed logins for one account (within `LOGIN_LOCKOUT_SECONDS`) before it is locked out.',
  },
  { name: 'LOGIN_LOCKOUT_SECONDS', default: '900', meaning: 'How long a lockout lasts.' },
  {
    name: 'PRESSURE_MAX_EVENT_LOOP_DELAY_MS',
    default: '1000',
    meaning: 'Shed load (503 + Retry-After) above this event-loop delay; 0 disables.',
  },
  { name: 'PRESSURE_MAX_HEAP_USED_BYTES', default: '0', meaning: 'Shed load above this heap use; 0 disables.' },
  { name: 'PRESSURE_MAX_RSS_BYTES', default: '0', meaning: 'Shed load above this resident memory; 0 disables.' },
  { name: 'OUTBOUND_TIMEOUT_MS', default: '5000', meaning: 'Timeout of each outbound HTTP attempt.' },
  {
    name: 'OUTBOUND_RETRIES',
    default: '3',
    meaning: 'Retries (exponential backoff with jitter) for idempotent outbound calls.',
  },
  {
    name: 'OUTBOUND_BREAKER_FAILURES',
    default: '5',
    meaning: 'Consecutive failures that open an outbound circuit breaker.',
  },
  {
    name: 'OUTBOUND_BREAKER_HALF_OPEN_MS',
    default: '10000',
    meaning: 'How long an open breaker waits before letting one trial call through.',
  },
  { name: 'OUTBOUND_BULKHEAD_LIMIT', default: '20', meaning: 'Concurrent outbound calls per destination.' },
  {
    name: 'OUTBOUND_BULKHEAD_QUEUE',
    default: '50',
    meaning: 'Outbound calls that may wait for a bulkhead slot before being refused.',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    default: '(none)',
    meaning:
      'When set, OpenTelemetry traces (HTTP, Fastify, pg, ioredis) are exported over OTLP; the other standard `OTEL_*` variables apply.',
  },
  { name: 'OTEL_SERVICE_NAME', default: 'brigade', meaning: 'Service name on traces.' },
  { name: 'OTEL_SDK_DISABLED', default: 'false', meaning: '`true` turns tracing off even with an endpoint.' },
  {
    name: 'PUBLIC_URL',
    default: 'http://localhost:$PORT',
    meaning:
      'Where clients and payment providers reach this API (used in checkout links and the webhook URLs to configure at a provider).',
  },
  {
    name: 'PAYMENTS_ENCRYPTION_KEY',
    default: '(generated in dev)',
    meaning:
      'Base64 of 32 random bytes: the AES-256-GCM key that seals payment provider credentials at rest. Required in production.',
  },
  {
    name: 'PAYMENTS_RECONCILE_AFTER_SECONDS',
    default: '120',
    meaning:
      'Payments stuck this long in a transitional state (capturing, voiding, refunding, awaiting authorization) are compared with their provider and repaired by the reconciliation job.',
  },
  {
    name: 'STRIPE_API_URL',
    default: 'https://api.stripe.com',
    meaning: 'Base URL of the Stripe API (tests point it at a local server that speaks Stripe’s documented shapes).',
  },
  {
    name: 'PAYMENTS_SANDBOX',
    default: 'on (off in production)',
    meaning:
      '`on` runs the sandbox card processor inside the worker (routes under `/sandbox/`) and offers it to stores; refused in production.',
  },
  {
    name: 'SANDBOX_URL',
    default: 'http://127.0.0.1:$PORT',
    meaning: 'Where Brigade reaches the sandbox processor (the worker’s HTTP port when roles run apart).',
  },
  {
    name: 'SANDBOX_WEBHOOK_URL',
    default: 'http://127.0.0.1:$PORT/v1/payments/webhooks/sandbox',
    meaning: 'Where the sandbox processor delivers its signed webhooks (an api node).',
  },
  {
    name: 'SANDBOX_SECRET_KEY',
    default: '(generated in dev)',
    meaning: 'API key of the sandbox processor; generated into the data folder when unset.',
  },
  {
    name: 'SANDBOX_WEBHOOK_SECRET',
    default: '(generated in dev)',
    meaning:
      'Secret the sandbox processor signs webhooks with (Standard Webhooks HMAC); generated into the data folder when unset.',
  },
  {
    name: 'SANDBOX_AUTHORIZATION_DELAY_MS',
    default: '300',
    meaning:
      'How long the sandbox takes to authorize a card after confirmation (it answers at once, then decides in the background).',
  },
  {
    name: 'SANDBOX_SLOW_CARD_DELAY_MS',
    default: '5000',
    meaning: 'Authorization delay of the sandbox’s slow test card.',
  },
  {
    name: 'BRIGADE_CRASH_AT',
    default: '(none)',
    meaning:
      'Testing only: the process kills itself (SIGKILL) when it reaches this named point, e.g. `payments.capture.after-provider`. Refused in production.',
  },
  {
    name: 'BRIGADE_DEMO',
    default: 'auto',
    meaning:
      '`auto` seeds demo data on first start with the embedded database; `on` also with `DATABASE_URL`; `off` never. Refused in production.',
  },
];

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = read(env, name);
  if (raw === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}`);
  }
  return raw;
}

function rateLimit(env: Env, name: string, fallback: RateLimit): RateLimit {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const match = /^(\d+)\/(\d+)$/.exec(raw);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
    throw new ConfigError(name, `must look like points/seconds (e.g. 100/60), got "${raw}"`);
  }
  return { points: Number(match[1]), seconds: Number(match[2]) };
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'test', 'production'] as const, 'development');
  const production = nodeEnv === 'production';

  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  if (production && databaseUrl === null) {
    throw new ConfigError(
      'DATABASE_URL',
      'is required when NODE_ENV=production (the embedded database is for development)',
    );
  }

  const jwtPrivateKey = read(env, 'JWT_PRIVATE_KEY')?.replace(/\\n/g, '\n') ?? null;
  if (production && jwtPrivateKey === null) {
    throw new ConfigError('JWT_PRIVATE_KEY', 'is required when NODE_ENV=production');
  }
  if (jwtPrivateKey !== null && !jwtPrivateKey.includes('PRIVATE KEY')) {
    throw new ConfigError('JWT_PRIVATE_KEY', 'must be a PEM-encoded private key');
  }

  const demo = oneOf(env, 'BRIGADE_DEMO', ['auto', 'on', 'off'] as const, 'auto');
  if (production && demo === 'on') {
    throw new ConfigError(
      'BRIGADE_DEMO',
      'cannot be "on" when NODE_ENV=production: demo accounts have public passwords',
    );
  }

  const encryptionKeyRaw = read(env, 'PAYMENTS_ENCRYPTION_KEY');
  let encryptionKey: Buffer | null = null;
  if (encryptionKeyRaw !== undefined) {
    encryptionKey = Buffer.from(encryptionKeyRaw, 'base64');
    if (encryptionKey.length !== 32)
      throw new ConfigError(
        'PAYMENTS_ENCRYPTION_KEY',
        'must be the base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)',
      );
  } else if (production) {
    throw new ConfigError(
      'PAYMENTS_ENCRYPTION_KEY',
      'is required when NODE_ENV=production (it seals payment provider credentials)',
    );
  }
  const sandboxSetting = oneOf(env, 'PAYMENTS_SANDBOX', ['on', 'off'] as const, production ? 'off' : 'on');
  if (production && sandboxSetting === 'on') {
    throw new ConfigError(
      'PAYMENTS_SANDBOX',
      'cannot be "on" when NODE_ENV=production: the sandbox takes test cards, not money',
    );
  }
  const crashAt = read(env, 'BRIGADE_CRASH_AT') ?? null;
  if (production && crashAt !== null)
    throw new ConfigError('BRIGADE_CRASH_AT', 'is for crash tests and cannot be set when NODE_ENV=production');
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const publicUrl = (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const sandboxUrl = (url(env, 'SANDBOX_URL', ['http:', 'https:']) ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');

  const corsRaw = read(env, 'CORS_ORIGINS');
  let corsOrigins: Config['http']['corsOrigins'];
  if (corsRaw === undefined) corsOrigins = !production;
  else if (corsRaw === '*') corsOrigins = true;
  else
    corsOrigins = corsRaw
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);

  return {
    nodeEnv,
    role: oneOf(env, 'BRIGADE_ROLE', ['all', 'api', 'worker'] as const, 'all'),
    host: read(env, 'HOST') ?? '0.0.0.0',
    port,
    dataDir: path.resolve(read(env, 'BRIGADE_DATA_DIR') ?? '.brigade'),
    databaseUrl,
    embeddedPostgresPort: integer(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
    database: {
      poolMax: integer(env, 'DATABASE_POOL_MAX', 10, 1, 1000),
      statementTimeoutMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5000, 100, 3_600_000),
      connectTimeoutMs: integer(env, 'DATABASE_CONNECT_TIMEOUT_MS', 3000, 100, 600_000),
    },
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    auth: {
      jwtPrivateKey,
      issuer: read(env, 'JWT_ISSUER') ?? 'brigade',
      accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
      refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL_SECONDS', 2_592_000, 300, 31_536_000),
      passwordHashing: {
        memoryKib: integer(env, 'ARGON2_MEMORY_KIB', 19_456, production ? 19_456 : 1024, 4_194_304),
        timeCost: integer(env, 'ARGON2_TIME_COST', 2, 1, 100),
      },
    },
    http: {
      corsOrigins,
      bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
      trustProxy: bool(env, 'TRUST_PROXY', false),
      shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    },
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    demo: production ? 'off' : demo,
    natsUrl: url(env, 'NATS_URL', ['nats:', 'tls:']),
    events: {
      natsStream: read(env, 'NATS_STREAM') ?? 'BRIGADE',
      relayPollMs: integer(env, 'OUTBOX_POLL_INTERVAL_MS', 1000, 10, 60_000),
      relayBatchSize: integer(env, 'OUTBOX_BATCH_SIZE', 200, 1, 10_000),
    },
    live: {
      pollMs: integer(env, 'LIVE_POLL_INTERVAL_MS', 5000, 10, 3_600_000),
      heartbeatMs: integer(env, 'LIVE_HEARTBEAT_MS', 15_000, 10, 3_600_000),
    },
    idempotency: {
      ttlHours: integer(env, 'IDEMPOTENCY_TTL_HOURS', 24, 24, 24 * 30),
      claimTimeoutSeconds: integer(env, 'IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS', 60, 1, 3600),
    },
    rateLimits: {
      anonymous: rateLimit(env, 'RATE_LIMIT_ANONYMOUS', { points: 60, seconds: 60 }),
      user: rateLimit(env, 'RATE_LIMIT_USER', { points: 300, seconds: 60 }),
      apiKey: rateLimit(env, 'RATE_LIMIT_API_KEY', { points: 1200, seconds: 60 }),
      auth: rateLimit(env, 'RATE_LIMIT_AUTH', { points: 10, seconds: 60 }),
      lockoutAttempts: integer(env, 'LOGIN_LOCKOUT_ATTEMPTS', 5, 1, 1000),
      lockoutSeconds: integer(env, 'LOGIN_LOCKOUT_SECONDS', 900, 1, 86_400),
    },
    pressure: {
      maxEventLoopDelayMs: integer(env, 'PRESSURE_MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
      maxHeapUsedBytes: integer(env, 'PRESSURE_MAX_HEAP_USED_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
      maxRssBytes: integer(env, 'PRESSURE_MAX_RSS_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
    },
    outbound: {
      timeoutMs: integer(env, 'OUTBOUND_TIMEOUT_MS', 5000, 10, 600_000),
      retries: integer(env, 'OUTBOUND_RETRIES', 3, 0, 20),
      breakerConsecutiveFailures: integer(env, 'OUTBOUND_BREAKER_FAILURES', 5, 1, 1000),
      breakerHalfOpenAfterMs: integer(env, 'OUTBOUND_BREAKER_HALF_OPEN_MS', 10_000, 10, 3_600_000),
      bulkheadLimit: integer(env, 'OUTBOUND_BULKHEAD_LIMIT', 20, 1, 10_000),
      bulkheadQueue: integer(env, 'OUTBOUND_BULKHEAD_QUEUE', 50, 0, 100_000),
    },
    tracing: {
      enabled: read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined && !bool(env, 'OTEL_SDK_DISABLED', false),
      serviceName: read(env, 'OTEL_SERVICE_NAME') ?? 'brigade',
    },
    crashAt,
    payments: {
      publicUrl,
      encryptionKey,
      reconcileAfterSeconds: integer(env, 'PAYMENTS_RECONCILE_AFTER_SECONDS', 120, 1, 86_400),
      stripeApiUrl: (url(env, 'STRIPE_API_URL', ['http:', 'https:']) ?? 'https://api.stripe.com').replace(/\/+$/, ''),
      sandbox: {
        enabled: sandboxSetting === 'on',
        url: sandboxUrl,
        webhookUrl:
          url(env, 'SANDBOX_WEBHOOK_URL', ['http:', 'https:']) ??
          `http://127.0.0.1:${port}/v1/payments/webhooks/sandbox`,
        secretKey: read(env, 'SANDBOX_SECRET_KEY') ?? null,
        webhookSecret: read(env, 'SANDBOX_WEBHOOK_SECRET') ?? null,
        authorizationDelayMs: integer(env, 'SANDBOX_AUTHORIZATION_DELAY_MS', 300, 0, 600_000),
        slowCardDelayMs: integer(env, 'SANDBOX_SLOW_CARD_DELAY_MS', 5000, 0, 600_000),
      },
    },
  };
}
