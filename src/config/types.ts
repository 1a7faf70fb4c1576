// The shape of Brigade's configuration: what the rest of the code may rely on once it is loaded.
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
    /** PEM keys that only verify (the keys before a rotation, until their tokens expire); published in the JWKS. */
    jwtPreviousPublicKeys: string[];
    issuer: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** argon2id cost; the defaults follow OWASP's password storage guidance. */
    passwordHashing: { memoryKib: number; timeCost: number };
  };
  http: {
    /** Bearer token /metrics requires; null: open outside production, refused in production. */
    metricsToken: string | null;
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
  /** The audit log's retention (ADR 0024). */
  audit: { retentionDays: number };
  /** Outgoing webhooks (ADR 0030): networks exempt from the SSRF guard, and how long attempts are kept. */
  webhooks: { allowedNetworks: string[]; attemptRetentionDays: number };
  rateLimits: {
    anonymous: RateLimit;
    user: RateLimit;
    apiKey: RateLimit;
    auth: RateLimit;
    /** Password resets, verification links and sign-up notices per email address (each kind its own count). */
    accountMail: RateLimit;
    /** Password resets and verification links asked for per IP. */
    accountMailIp: RateLimit;
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
  /** Where delivery addresses are geocoded and how courier rides are estimated (delivery/maps). */
  maps: { provider: 'sandbox' | 'nominatim'; nominatimUrl: string; userAgent: string };
  /** A named point at which the process kills itself (crash tests); null always in production. */
  crashAt: string | null;
  /** Envelope encryption of personal data (ADR 0025). */
  personalData: {
    /** PII_ENCRYPTION_KEY: seals the data keys; null in development means "generate and keep in dataDir". */
    masterKey: Buffer | null;
    /** PII_ENCRYPTION_PREVIOUS_KEYS: retired master keys, still tried when opening a data key (rotation). */
    previousKeys: Buffer[];
  };
  /** Delivery of outgoing messages; a channel left null keeps its messages in the sandbox outbox (never in production). */
  messages: {
    smtp: { url: string; from: string } | null;
    twilio: { accountSid: string; authToken: string; from: string; baseUrl: string } | null;
  };
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

/** A rate limit: a token bucket per caller holding `points` requests, refilled at `points` per `seconds`. */
export interface RateLimit {
  points: number;
  seconds: number;
}
