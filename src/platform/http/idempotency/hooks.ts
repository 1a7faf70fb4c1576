// Idempotency keys (API-CONVENTIONS.md, "Idempotency"). A route opts in with
// `config.idempotency: 'optional' | 'required'`; a retry carrying the same `Idempotency-Key`
// then never runs the route twice: it gets the first response back, byte for byte.
//
// Lifecycle of one key, all in the idempotency_keys table (ADR 0018 for the atomic phases):
//   preValidation  the header is checked and the request fingerprinted (before ajv applies
//                  defaults or coerces anything, so the fingerprint is of what the client sent)
//   preHandler     the key is claimed, or the stored response replayed, or the request refused
//                  (409 in progress, 422 reused). Running after authentication and validation
//                  means a request rejected before it executes leaves nothing behind.
//   handler        a route whose write must never run twice records a recovery point in its own
//                  transaction (`request.idempotency.commitIn`); a retry that takes over a dead
//                  claim gets it back as `request.idempotency.recovered` and resumes from it.
//   onSend         the response is stored before it leaves, so a client holding it can only ever
//                  get it replayed; a transient failure releases the claim instead.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import type { CrashPoint } from '../../crash-points.js';
import { isSealed, PLATFORM_HOLDER, type PersonalDataVault } from '../../crypto/personal-data.js';
import type { PlatformTables } from '../../db/index.js';
import { AppError, BadRequestError, UnprocessableError } from '../errors.js';
import { documented, HEADER, KEY, type IdempotencyMode } from './documentation.js';
import { callerOf, concretePath, requestFingerprint, type Scope } from './fingerprint.js';
import { claim, complete, recordRecoveryPoint, release, type KeyTimes, type RecoveryPoint } from './keys.js';
import { createLateWrites } from './late-writes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Opt in to Idempotency-Key handling. Only for authenticated routes whose response holds no secret. */
    idempotency?: IdempotencyMode;
  }
  interface FastifyRequest {
    /** The key this request holds, on an opted-in route called with one; otherwise null. */
    idempotency: IdempotencyClaim | null;
  }
}

/** What a handler sees of the key its request holds. */
export interface IdempotencyClaim {
  readonly key: string;
  /** Set when this request took over a dead one that had committed: resume from here, don't redo. */
  readonly recovered: RecoveryPoint | null;
  /**
   * Records the recovery point in the business transaction `trx`, so the point exists exactly
   * when the write does. Throws 409 IDEMPOTENCY_IN_PROGRESS when another request has taken the
   * claim over (this one outlived the claim timeout), which rolls the write back.
   */
  commitIn(trx: Kysely<PlatformTables>, point: RecoveryPoint): Promise<void>;
}

export interface IdempotencyOptions extends KeyTimes {
  db: Kysely<PlatformTables>;
  /** The app's Prometheus registry (from registerMetrics). */
  metrics: Registry;
  /** Crash tests stop the process at `idempotency.before-store`: committed, not yet answered. */
  crash?: CrashPoint;
  /**
   * Seals stored response bodies with the platform's personal data key (ADR 0025): a placed
   * order's response holds its delivery details, a sign-up's the person's email and name.
   * Without it bodies are stored as sent.
   */
  vault?: PersonalDataVault;
}

/** A stored body's sealing context: the key's whole scope, so a body copied to another row does not open. */
const bodyContext = (scope: { caller: string; method: string; path: string; key: string }) =>
  `idempotent-response:${scope.caller}:${scope.method}:${scope.path}:${scope.key}`;

/** Only these response headers are part of what a replay must reproduce. */
const STORED_HEADERS = ['content-type', 'location', 'etag', 'last-modified', 'www-authenticate'] as const;
/** Outcomes whose documented remedy is "retry": storing them would make the retry replay the failure. */
const TRANSIENT_CODES = new Set(['CONCURRENT_UPDATE']);

const inProgress = () =>
  new AppError(
    409,
    'IDEMPOTENCY_IN_PROGRESS',
    'Conflict',
    'A request with this Idempotency-Key is still running; retry shortly.',
    undefined,
    { 'retry-after': '1' },
  );

function storedHeaders(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}

function bodyBytes(payload: unknown): Buffer | null {
  if (payload === null || payload === undefined) return Buffer.alloc(0);
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  if (Buffer.isBuffer(payload)) return payload;
  return null; // a stream: not something we can store and replay
}

/** 5xx (the business transaction rolled back), 429, and conflicts whose remedy is "retry". */
function isTransient(status: number, headers: Record<string, string>, body: Buffer): boolean {
  if (status >= 500 || status === 429) return true;
  if (status !== 409 || !headers['content-type']?.startsWith('application/problem+json')) return false;
  try {
    const problem = JSON.parse(body.toString('utf8')) as { code?: unknown };
    return typeof problem.code === 'string' && TRANSIENT_CODES.has(problem.code);
  } catch {
    return false;
  }
}

interface Pending {
  key: string;
  fingerprint: Buffer;
}
interface Held {
  scope: Scope;
  token: string;
}

export function registerIdempotency(app: FastifyInstance, options: IdempotencyOptions): void {
  const { db } = options;
  const crash = options.crash ?? (() => undefined);
  const pending = new WeakMap<FastifyRequest, Pending>();
  const held = new WeakMap<FastifyRequest, Held>();
  const replays = new Counter({
    name: 'idempotency_replays_total',
    help: 'Responses replayed for a retried Idempotency-Key',
    labelNames: ['route'] as const,
    registers: [options.metrics],
  });
  const refusals = new Counter({
    name: 'idempotency_conflicts_total',
    help: 'Idempotent requests refused: the key was in progress (409) or reused with another body (422)',
    labelNames: ['route', 'code'] as const,
    registers: [options.metrics],
  });

  const late = createLateWrites({ logger: app.log, giveUpAfterMs: options.claimTimeoutSeconds * 1000 });
  app.addHook('onClose', async () => late.close());

  app.decorateRequest('idempotency', null);

  app.addHook('onRoute', (route) => {
    const mode = route.config?.idempotency;
    if (mode === undefined) return;
    if (route.config?.access === undefined || route.config.access === 'public') {
      // The key space is per caller; an anonymous route would share keys between strangers.
      throw new Error(`${String(route.method)} ${route.url}: only authenticated routes may opt in to idempotency keys`);
    }
    route.schema = documented(route.schema ?? {}, mode);
  });

  app.addHook('preValidation', async (request) => {
    const mode = request.routeOptions.config.idempotency;
    if (mode === undefined) return;
    const key = request.headers[HEADER];
    if (key === undefined) {
      if (mode === 'required') {
        throw new BadRequestError(
          'IDEMPOTENCY_KEY_REQUIRED',
          'This operation needs an Idempotency-Key header (a UUID per operation is a good choice).',
          [{ path: `/headers/${HEADER}`, message: 'is required' }],
        );
      }
      return;
    }
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new BadRequestError(
        'INVALID_IDEMPOTENCY_KEY',
        'Idempotency-Key must be 1 to 255 printable ASCII characters.',
        [{ path: `/headers/${HEADER}`, message: 'must be 1 to 255 printable ASCII characters' }],
      );
    }
    // Now, before validation applies defaults and coercions to the body in place.
    pending.set(request, { key, fingerprint: requestFingerprint(request.body, request.query) });
  });

  app.addHook('preHandler', async (request, reply) => {
    const waiting = pending.get(request);
    if (waiting === undefined) return;
    pending.delete(request);
    const scope: Scope = {
      caller: callerOf(request.principal),
      method: request.method,
      path: concretePath(request),
      key: waiting.key,
    };
    const route = request.routeOptions.url ?? 'unmatched';
    const outcome = await claim(db, scope, waiting.fingerprint, options);
    switch (outcome.kind) {
      case 'claimed': {
        const { token, recovered } = outcome;
        held.set(request, { scope, token });
        request.idempotency = {
          key: scope.key,
          recovered,
          async commitIn(trx, point) {
            if (!(await recordRecoveryPoint(trx, scope, token, point))) throw inProgress();
          },
        };
        if (recovered !== null) request.log.info({ idempotency_key: scope.key }, 'resuming from a recovery point');
        return;
      }
      case 'replay': {
        replays.inc({ route });
        // Bodies stored before sealing was switched on are plain JSON, never the sealed format.
        const body =
          options.vault && isSealed(outcome.body)
            ? Buffer.from(await options.vault.open(db, PLATFORM_HOLDER, outcome.body, bodyContext(scope)), 'base64')
            : outcome.body;
        request.log.info({ idempotency_key: scope.key, status: outcome.status }, 'idempotent response replayed');
        return reply.code(outcome.status).headers(outcome.headers).header('idempotent-replayed', 'true').send(body);
      }
      case 'in_progress':
        refusals.inc({ route, code: 'IDEMPOTENCY_IN_PROGRESS' });
        throw inProgress();
      case 'reused':
        refusals.inc({ route, code: 'IDEMPOTENCY_KEY_REUSED' });
        throw new UnprocessableError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used with another request body; use a new key for a new operation.',
        );
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claimHeld = held.get(request);
    if (claimHeld === undefined) return payload;
    held.delete(request);
    const { scope, token } = claimHeld;
    crash('idempotency.before-store');
    const body = bodyBytes(payload);
    const headers = storedHeaders(reply);
    const record =
      body === null || isTransient(reply.statusCode, headers, body)
        ? () => release(db, scope, token)
        : async () => {
            const stored = options.vault
              ? await options.vault.seal(db, PLATFORM_HOLDER, body.toString('base64'), bodyContext(scope))
              : body;
            if (!(await complete(db, scope, token, options, { status: reply.statusCode, headers, body: stored })))
              request.log.warn(
                { idempotency_key: scope.key },
                'idempotency claim was taken over before the response was stored',
              );
          };
    try {
      await record();
    } catch (error) {
      // The outcome stands and the client gets it. The database is likely away: the write is
      // tried again in the background, so the key is free (or replayable) soon after it returns.
      request.log.error({ err: error, idempotency_key: scope.key }, 'could not record the idempotent response yet');
      late.add(scope, record);
    }
    return payload;
  });
}
