// One typed configuration object, read from the environment once at start; production refuses
// the development conveniences (embedded database, generated keys, demo data, the payment sandbox).
import { createPublicKey } from 'node:crypto';
import path from 'node:path';
import { isIP } from 'node:net';
import { bool, ConfigError, integer, oneOf, rateLimit, read, url, type Env } from './read-env.js';
import { personalDataKeys } from './personal-data.js';
import type { Config } from './types.js';

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
  const jwtPreviousPublicKeys = pemBlocks(env, 'JWT_PREVIOUS_PUBLIC_KEYS');
  const metricsToken = read(env, 'METRICS_TOKEN') ?? null;
  if (metricsToken !== null && metricsToken.length < 32)
    throw new ConfigError('METRICS_TOKEN', 'must be at least 32 characters (e.g. `openssl rand -hex 32`)');

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
  const personalData = personalDataKeys(env, production);
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
    // Demo accounts have public passwords: a server holding them listens on loopback unless told otherwise.
    host: read(env, 'HOST') ?? (demoDataSeeded(demo, databaseUrl, production) ? '127.0.0.1' : '0.0.0.0'),
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
      jwtPreviousPublicKeys,
      issuer: read(env, 'JWT_ISSUER') ?? 'brigade',
      accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
      refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL_SECONDS', 2_592_000, 300, 31_536_000),
      passwordHashing: {
        memoryKib: integer(env, 'ARGON2_MEMORY_KIB', 19_456, production ? 19_456 : 1024, 4_194_304),
        timeCost: integer(env, 'ARGON2_TIME_COST', 2, 1, 100),
      },
    },
    http: {
      metricsToken,
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
    audit: { retentionDays: integer(env, 'AUDIT_RETENTION_DAYS', 400, 1, 36_500) },
    webhooks: {
      allowedNetworks: cidrs(env, 'WEBHOOKS_ALLOWED_NETWORKS'),
      attemptRetentionDays: integer(env, 'WEBHOOK_ATTEMPT_RETENTION_DAYS', 30, 1, 3650),
    },
    rateLimits: {
      anonymous: rateLimit(env, 'RATE_LIMIT_ANONYMOUS', { points: 60, seconds: 60 }),
      user: rateLimit(env, 'RATE_LIMIT_USER', { points: 300, seconds: 60 }),
      apiKey: rateLimit(env, 'RATE_LIMIT_API_KEY', { points: 1200, seconds: 60 }),
      auth: rateLimit(env, 'RATE_LIMIT_AUTH', { points: 10, seconds: 60 }),
      accountMail: rateLimit(env, 'RATE_LIMIT_ACCOUNT_MAIL', { points: 5, seconds: 3600 }),
      accountMailIp: rateLimit(env, 'RATE_LIMIT_ACCOUNT_MAIL_IP', { points: 20, seconds: 3600 }),
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
    maps: {
      provider: oneOf(env, 'MAPS_PROVIDER', ['sandbox', 'nominatim'] as const, 'sandbox'),
      nominatimUrl: (url(env, 'NOMINATIM_URL', ['http:', 'https:']) ?? 'https://nominatim.openstreetmap.org').replace(
        /\/+$/,
        '',
      ),
      userAgent: read(env, 'MAPS_USER_AGENT') ?? 'Brigade (self-hosted restaurant backend)',
    },
    tracing: {
      enabled: read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined && !bool(env, 'OTEL_SDK_DISABLED', false),
      serviceName: read(env, 'OTEL_SERVICE_NAME') ?? 'brigade',
    },
    crashAt,
    personalData,
    messages: messageDelivery(env),
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

/** SMTP and Twilio settings: each channel all or nothing. */
function messageDelivery(env: Env): Config['messages'] {
  const smtpUrl = url(env, 'SMTP_URL', ['smtp:', 'smtps:']);
  const sid = read(env, 'TWILIO_ACCOUNT_SID');
  const token = read(env, 'TWILIO_AUTH_TOKEN');
  const from = read(env, 'TWILIO_FROM');
  const given = [sid, token, from].filter((value) => value !== undefined).length;
  if (given !== 0 && given !== 3)
    throw new ConfigError('TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN and TWILIO_FROM must be set together');
  const twilioBase = url(env, 'TWILIO_BASE_URL', ['http:', 'https:']) ?? 'https://api.twilio.com';
  return {
    smtp:
      smtpUrl === null ? null : { url: smtpUrl, from: read(env, 'SMTP_FROM') ?? 'Brigade <no-reply@brigade.invalid>' },
    twilio:
      given === 3
        ? { accountSid: sid!, authToken: token!, from: from!, baseUrl: twilioBase.replace(/\/+$/, '') }
        : null,
  };
}

/** Whether the process seeds the demo organization (its rule in main.ts: on, or auto on the embedded database). */
function demoDataSeeded(demo: 'auto' | 'on' | 'off', databaseUrl: string | null, production: boolean): boolean {
  return !production && (demo === 'on' || (demo === 'auto' && databaseUrl === null));
}

/** A comma-separated list of CIDRs (`127.0.0.0/8, ::1/128`); empty when unset. */
function cidrs(env: Env, name: string): string[] {
  const list = (read(env, name) ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of list) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const bits = Number(prefix);
    if (family === 0 || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128))
      throw new ConfigError(name, `holds "${entry}", which is not a CIDR such as 127.0.0.0/8`);
  }
  return list;
}

/** Every PEM block (public or private key) in a variable, escaped newlines allowed; each must parse as a key. */
function pemBlocks(env: Env, name: string): string[] {
  const raw = read(env, name)?.replace(/\\n/g, '\n');
  if (raw === undefined) return [];
  const blocks = raw.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
  if (blocks.length === 0) throw new ConfigError(name, 'must hold one or more PEM-encoded public keys');
  for (const block of blocks) {
    try {
      createPublicKey(block);
    } catch {
      throw new ConfigError(name, 'holds a PEM block that is not a public or private key');
    }
  }
  return blocks;
}
