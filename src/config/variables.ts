// Every variable with its default and meaning: the README table is written from this list
// (`npm run config:table`), and a test keeps the two in step.
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
      '`development`, `test` or `production`. Production requires `DATABASE_URL`, `JWT_PRIVATE_KEY`, `PAYMENTS_ENCRYPTION_KEY` and `PII_ENCRYPTION_KEY`, and refuses demo data and the payment sandbox.',
  },
  {
    name: 'BRIGADE_ROLE',
    default: 'all',
    meaning: '`api` serves HTTP, `worker` runs background work, `all` does both in one process.',
  },
  {
    name: 'HOST',
    default: '0.0.0.0 (demo data: 127.0.0.1)',
    meaning:
      'Interface the HTTP server binds to. A server that seeds the demo organization (whose passwords are public) binds `127.0.0.1` unless `HOST` is set.',
  },
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
  {
    name: 'JWT_PREVIOUS_PUBLIC_KEYS',
    default: '(none)',
    meaning:
      'PEM public keys (one or more blocks, concatenated) that still verify access tokens but sign none: the keys before a rotation, kept until their tokens expire. All are published at `/.well-known/jwks.json`.',
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
    name: 'METRICS_TOKEN',
    default: '(none)',
    meaning:
      'Bearer token `/metrics` requires (`Authorization: Bearer <token>`, at least 32 characters). Unset: `/metrics` is open in development and test, and refused (401) in production.',
  },
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
    name: 'AUDIT_RETENTION_DAYS',
    default: '400',
    meaning: 'Audit log entries older than this are purged (hourly, by the worker); at least 1.',
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
      'Requests per IP for public calls and failed authentications: `points/seconds`, a token bucket per caller (a burst of `points`, refilled continuously at `points` per `seconds`).',
  },
  { name: 'RATE_LIMIT_USER', default: '300/60', meaning: 'Requests per signed-in person (`points/seconds`).' },
  { name: 'RATE_LIMIT_API_KEY', default: '1200/60', meaning: 'Requests per API key (`points/seconds`).' },
  {
    name: 'RATE_LIMIT_AUTH',
    default: '10/60',
    meaning:
      'Stricter limit per IP for sign-up, login, refresh, invitation acceptance, email verification and password reset.',
  },
  {
    name: 'RATE_LIMIT_ACCOUNT_MAIL',
    default: '5/3600',
    meaning:
      'Password-reset mails, verification links and sign-up notices per email address, each kind counted on its own (`points/seconds`).',
  },
  {
    name: 'RATE_LIMIT_ACCOUNT_MAIL_IP',
    default: '20/3600',
    meaning: 'Password resets and verification resends asked for per IP (`points/seconds`).',
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
  {
    name: 'WEBHOOKS_ALLOWED_NETWORKS',
    default: '(none)',
    meaning:
      'Comma-separated CIDRs that webhook URLs may reach despite the SSRF guard (development and tests, e.g. `127.0.0.0/8`).',
  },
  {
    name: 'WEBHOOK_ATTEMPT_RETENTION_DAYS',
    default: '30',
    meaning: 'How long webhook delivery attempts are kept before the retention job deletes them.',
  },
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
    name: 'PII_ENCRYPTION_KEY',
    default: '(generated in dev)',
    meaning:
      'Base64 of 32 random bytes: the master key that seals the per-organization data keys encrypting personal data (names, emails, phones, delivery details). Required in production (ADR 0025).',
  },
  {
    name: 'PII_ENCRYPTION_PREVIOUS_KEYS',
    default: '(none)',
    meaning:
      'Comma-separated retired `PII_ENCRYPTION_KEY` values: they still open data keys sealed before a rotation, until `brigade pii:rotate-master` has re-sealed them.',
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
    name: 'MAPS_PROVIDER',
    default: 'sandbox',
    meaning:
      'Geocodes delivery addresses: `sandbox` knows the demo addresses only (no network); `nominatim` asks a Nominatim server. Courier rides are estimated from the great-circle distance either way.',
  },
  {
    name: 'NOMINATIM_URL',
    default: 'https://nominatim.openstreetmap.org',
    meaning: 'The Nominatim server (`MAPS_PROVIDER=nominatim`); the public one allows about one request a second.',
  },
  {
    name: 'MAPS_USER_AGENT',
    default: 'Brigade (self-hosted restaurant backend)',
    meaning: 'User-Agent sent to the maps provider (Nominatim’s usage policy asks for one naming the application).',
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
    name: 'SMTP_URL',
    default: '(none: sandbox outbox)',
    meaning:
      'Where emails are sent, e.g. `smtps://user:pass@smtp.example.com:465`. Unset: emails stay in the sandbox outbox (`GET /sandbox/v1/messages`) outside production, and wait unsent in production.',
  },
  { name: 'SMTP_FROM', default: 'Brigade <no-reply@brigade.invalid>', meaning: 'The `From` of every email.' },
  {
    name: 'TWILIO_ACCOUNT_SID',
    default: '(none: sandbox outbox)',
    meaning: 'Twilio account that sends SMS, with `TWILIO_AUTH_TOKEN` and `TWILIO_FROM` (all three or none).',
  },
  {
    name: 'TWILIO_AUTH_TOKEN',
    default: '(none)',
    meaning: 'Twilio auth token (HTTP basic auth with the account SID).',
  },
  {
    name: 'TWILIO_FROM',
    default: '(none)',
    meaning: 'Sender of SMS: an E.164 number, or a Messaging Service SID (`MG…`).',
  },
  {
    name: 'TWILIO_BASE_URL',
    default: 'https://api.twilio.com',
    meaning: 'Base URL of the Twilio API (tests point it at a local server that speaks its API).',
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
