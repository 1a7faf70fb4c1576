// Idempotency keys (API-CONVENTIONS.md, "Idempotency"). A route opts in with
// `config.idempotency: 'optional' | 'required'`; a retry carrying the same `Idempotency-Key`
// then never runs the route twice: it gets the first response back, byte for byte.
//
// Lifecycle of one key, all in the idempotency_keys table:
//   preValidation  the header is checked and the request fingerprinted (before ajv applies
//                  defaults or coerces anything, so the fingerprint is of what the client sent)
//   preHandler     the key is claimed, or the stored response replayed, or the request refused
//                  (409 in progress, 422 reused). Running after authentication and validation
//                  means a request rejected before it executes leaves nothing behind.
//   onSend         the response is stored before it leaves, so a client holding it can only ever
//                  get it replayed; a transient failure releases the claim instead.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { sql, type ColumnType, type Generated, type Kysely } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import type { Principal } from '../auth/principal.js';
import type { PlatformTables } from '../db/index.js';
import { AppError, BadRequestError, UnprocessableError } from './errors.js';
import { problems } from './schema.js';

export type IdempotencyMode = 'optional' | 'required';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Opt in to Idempotency-Key handling. Only for authenticated routes whose response holds no secret. */
    idempotency?: IdempotencyMode;
  }
}

export interface IdempotencyOptions {
  db: Kysely<PlatformTables>;
  /** How long a stored response is replayed (at least 24 h by the conventions). */
  ttlHours: number;
  /**
   * After this long, a claim whose request never finished (the process died) may be taken over.
   * Keep it above the longest a request can run (statement timeout, shutdown grace), or a slow
   * request could have its claim taken over while it still runs.
   */
  claimTimeoutSeconds: number;
  /** The app's Prometheus registry (from registerMetrics). */
  metrics: Registry;
}

type IdempotencyTables = {
  idempotency_keys: {
    caller: string;
    method: string;
    path: string;
    key: string;
    fingerprint: Buffer;
    claim_token: string;
    claimed_at: Generated<Date>;
    completed_at: Date | null;
    response_status: number | null;
    response_headers: ColumnType<Record<string, string> | null, string | null, string | null>;
    response_body: Buffer | null;
    created_at: Generated<Date>;
    expires_at: Date;
  };
};

type Db = Kysely<PlatformTables>;
const tables = (db: Db) => db.withTables<IdempotencyTables>();

/** 1–255 printable ASCII characters (HTTP already strips surrounding whitespace). */
const KEY = /^[\x20-\x7E]{1,255}$/;
const HEADER = 'idempotency-key';
/** Only these response headers are part of what a replay must reproduce. */
const STORED_HEADERS = ['content-type', 'location', 'etag', 'last-modified', 'www-authenticate'] as const;
/** Outcomes whose documented remedy is "retry": storing them would make the retry replay the failure. */
const TRANSIENT_CODES = new Set(['CONCURRENT_UPDATE']);
/** Rounds of claim → read when the row changes under us (released, expired, taken over). */
const CLAIM_ROUNDS = 3;

// --- fingerprint and scope -------------------------------------------------------------------

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace, numbers and strings
 * as JSON.stringify writes them. For JSON input this is RFC 8785 (JCS), so `{"a":1,"b":2}` and
 * `{ "b": 2, "a": 1 }` are the same request.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((name) => record[name] !== undefined)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonicalJson(record[name])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * SHA-256 of the canonical request: the body and, for completeness, the query string (a POST
 * with another query is another request, even though none of ours take one).
 */
export function requestFingerprint(body: unknown, query: unknown = {}): Buffer {
  return createHash('sha256')
    .update(canonicalJson({ body: body ?? null, query: query ?? {} }))
    .digest();
}

/** Keys are per caller: two clients choosing the same key never see each other's responses. */
function callerOf(principal: Principal | null): string {
  if (principal === null) throw new Error('An idempotent route ran without a caller; it must not be public.');
  return principal.kind === 'user' ? `user:${principal.userId}` : `api_key:${principal.apiKeyId}`;
}

/**
 * The route pattern with its parameters filled in, not the pattern alone: a key is the name of
 * one operation on one resource, so the same key sent to two stores' `/v1/stores/{id}/tables`
 * is two operations and must not collide (with the pattern, the second store would get the first
 * store's table replayed, or a 422). Built from the matched route rather than the raw URL, so a
 * trailing slash or the query string does not make a new key.
 */
function concretePath(request: FastifyRequest): string {
  const pattern = request.routeOptions.url ?? request.url.split('?')[0]!;
  const params = (request.params ?? {}) as Record<string, unknown>;
  return pattern
    .replace(/:([A-Za-z0-9_]+)(\([^/]*\))?/g, (_match, name: string) => encodeURIComponent(String(params[name] ?? '')))
    .replace(/\*$/, () => String(params['*'] ?? ''));
}

interface Scope {
  caller: string;
  method: string;
  path: string;
  key: string;
}

// --- storage ---------------------------------------------------------------------------------

type ClaimOutcome =
  | { kind: 'claimed'; token: string }
  | { kind: 'replay'; status: number; headers: Record<string, string>; body: Buffer }
  | { kind: 'in_progress' }
  | { kind: 'reused' };

/**
 * Claims the key, or says why not. The claim is one statement: a new row, or (conditional
 * update under the row lock, so of several concurrent takers exactly one wins) a row that expired
 * or whose claim is older than the timeout. A dead claim is only taken over for the same request;
 * another body is still a reused key.
 */
async function claim(db: Db, scope: Scope, fingerprint: Buffer, options: IdempotencyOptions): Promise<ClaimOutcome> {
  const ttl = sql<Date>`now() + make_interval(hours => ${options.ttlHours})`;
  const staleBefore = sql<Date>`now() - make_interval(secs => ${options.claimTimeoutSeconds})`;
  for (let round = 0; round < CLAIM_ROUNDS; round++) {
    const token = randomUUID();
    const claimed = await tables(db)
      .insertInto('idempotency_keys')
      .values({ ...scope, fingerprint, claim_token: token, expires_at: ttl })
      .onConflict((conflict) =>
        conflict
          .columns(['caller', 'method', 'path', 'key'])
          .doUpdateSet({
            fingerprint: (eb) => eb.ref('excluded.fingerprint'),
            claim_token: (eb) => eb.ref('excluded.claim_token'),
            claimed_at: sql<Date>`now()`,
            created_at: sql<Date>`now()`,
            expires_at: (eb) => eb.ref('excluded.expires_at'),
            completed_at: null,
            response_status: null,
            response_headers: null,
            response_body: null,
          })
          .where((eb) =>
            eb.or([
              eb('idempotency_keys.expires_at', '<=', sql<Date>`now()`),
              eb.and([
                eb('idempotency_keys.completed_at', 'is', null),
                eb('idempotency_keys.claimed_at', '<=', staleBefore),
                eb('idempotency_keys.fingerprint', '=', eb.ref('excluded.fingerprint')),
              ]),
            ]),
          ),
      )
      .returning('claim_token')
      .executeTakeFirst();
    if (claimed?.claim_token === token) return { kind: 'claimed', token };

    const row = await tables(db)
      .selectFrom('idempotency_keys')
      .select([
        'fingerprint',
        'completed_at',
        'response_status',
        'response_headers',
        'response_body',
        sql<boolean>`expires_at <= now()`.as('expired'),
        sql<boolean>`claimed_at <= ${staleBefore}`.as('stale'),
      ])
      .where((eb) => eb.and({ ...scope }))
      .executeTakeFirst();
    // Released (a 5xx), purged, expired or gone stale since the claim: claim again.
    if (row === undefined || row.expired) continue;
    if (!row.fingerprint.equals(fingerprint)) return { kind: 'reused' };
    if (row.completed_at !== null && row.response_status !== null && row.response_body !== null) {
      return {
        kind: 'replay',
        status: row.response_status,
        headers: row.response_headers ?? {},
        body: row.response_body,
      };
    }
    if (!row.stale) return { kind: 'in_progress' };
  }
  // The row kept changing under us: someone else is busy with this key right now.
  return { kind: 'in_progress' };
}

/** Stores the response, if the claim is still ours (it is, unless we outlived the claim timeout). */
async function complete(
  db: Db,
  scope: Scope,
  token: string,
  options: IdempotencyOptions,
  response: { status: number; headers: Record<string, string>; body: Buffer },
): Promise<boolean> {
  const result = await tables(db)
    .updateTable('idempotency_keys')
    .set({
      completed_at: sql<Date>`now()`,
      response_status: response.status,
      response_headers: JSON.stringify(response.headers),
      response_body: response.body,
      // Kept at least ttlHours from when the response exists, not from when the key was claimed.
      expires_at: sql<Date>`now() + make_interval(hours => ${options.ttlHours})`,
    })
    .where((eb) => eb.and({ ...scope }))
    .where('claim_token', '=', token)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

async function release(db: Db, scope: Scope, token: string): Promise<void> {
  await tables(db)
    .deleteFrom('idempotency_keys')
    .where((eb) => eb.and({ ...scope }))
    .where('claim_token', '=', token)
    .where('completed_at', 'is', null)
    .execute();
}

/**
 * Deletes expired keys in batches (short statements, no long lock queue behind a big delete);
 * returns how many went. For the scheduled purge job; accepts a transaction as well as the pool.
 */
export async function purgeExpiredIdempotencyKeys(db: Db, batchSize = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await sql`
      DELETE FROM idempotency_keys
      WHERE ctid = ANY (ARRAY(SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT ${batchSize}))`.execute(
      db,
    );
    const deleted = Number(result.numAffectedRows ?? 0n);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

// --- HTTP ------------------------------------------------------------------------------------

const keyHeaderSchema = (mode: IdempotencyMode) => ({
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: KEY.source,
  description:
    (mode === 'required' ? 'Required. ' : '') +
    'A unique value per operation (a UUID is a good choice), reused only to retry that same operation. ' +
    'A retry with the same key and body gets the first response replayed with `Idempotent-Replayed: true`; ' +
    'while the first is still running it gets 409 IDEMPOTENCY_IN_PROGRESS; with another body, 422 IDEMPOTENCY_KEY_REUSED. ' +
    'Keys are per caller and per path, and kept at least 24 hours.',
});

/**
 * Documents the header and the idempotency problems on an opted-in route, so the OpenAPI
 * document cannot drift from the behaviour. The header's presence and shape are checked in
 * preValidation (with the dedicated codes), before the schema would report them.
 */
function documented(schema: FastifySchema, mode: IdempotencyMode): FastifySchema {
  const headers = (schema.headers ?? { type: 'object', properties: {} }) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  const required = [...(headers.required ?? []), ...(mode === 'required' ? [HEADER] : [])];
  const response = { ...((schema.response ?? {}) as Record<string, { description?: string }>) };
  const add = (status: number, text: string) => {
    const existing = response[status];
    response[status] = existing
      ? { ...existing, description: `${existing.description ?? 'Problem'}; or ${text}` }
      : { ...problems(status)[status], description: text };
  };
  add(409, 'IDEMPOTENCY_IN_PROGRESS: a request with this Idempotency-Key is still running; retry shortly');
  add(422, 'IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used with another request body');
  const status400 = response[400];
  if (status400)
    response[400] = {
      ...status400,
      description: `${status400.description ?? 'Problem'}; IDEMPOTENCY_KEY_REQUIRED, INVALID_IDEMPOTENCY_KEY`,
    };
  return {
    ...schema,
    headers: {
      ...headers,
      properties: { ...headers.properties, [HEADER]: keyHeaderSchema(mode) },
      ...(required.length > 0 ? { required } : {}),
    },
    response,
  };
}

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
      case 'claimed':
        held.set(request, { scope, token: outcome.token });
        return;
      case 'replay':
        replays.inc({ route });
        request.log.info({ idempotency_key: scope.key, status: outcome.status }, 'idempotent response replayed');
        return reply
          .code(outcome.status)
          .headers(outcome.headers)
          .header('idempotent-replayed', 'true')
          .send(outcome.body);
      case 'in_progress':
        refusals.inc({ route, code: 'IDEMPOTENCY_IN_PROGRESS' });
        throw new AppError(
          409,
          'IDEMPOTENCY_IN_PROGRESS',
          'Conflict',
          'A request with this Idempotency-Key is still running; retry shortly.',
          undefined,
          { 'retry-after': '1' },
        );
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
    try {
      const body = bodyBytes(payload);
      const headers = storedHeaders(reply);
      if (body === null || isTransient(reply.statusCode, headers, body)) {
        await release(db, scope, token);
      } else if (!(await complete(db, scope, token, options, { status: reply.statusCode, headers, body }))) {
        request.log.warn(
          { idempotency_key: scope.key },
          'idempotency claim was taken over before the response was stored',
        );
      }
    } catch (error) {
      // The outcome stands and the client gets it; the key stays claimed until the claim times
      // out, after which a retry runs again.
      request.log.error({ err: error, idempotency_key: scope.key }, 'could not record the idempotent response');
    }
    return payload;
  });
}
