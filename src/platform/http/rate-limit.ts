// Rate limits per API key, per signed-in person and per IP (anonymous calls), by route group, and
// per-account login lockout. One node keeps its counters in memory; with a Redis client they live
// in Redis, so every node shares one count per caller.
//
// Algorithm, honestly: rate-limiter-flexible 11 has no token bucket. Its limiters count a *fixed
// window per key* that opens at the key's first request: at most `points` requests until the
// window ends `duration` seconds later, then the count starts again (atomic INCR + PEXPIRE in a
// Lua script on Redis). A caller may spend the whole quota at once, and across a window boundary
// up to twice the quota in a short time. Nothing here pretends otherwise: the RateLimit headers
// describe exactly that window (`t` = seconds until this caller's window ends).
//
// Where it runs: in onRequest, before the body is read and long before the handler, so a
// rejected request records nothing downstream. Authenticated calls are counted inside
// authentication (see `guardAuthentication`): right after the principal is known, and a failed
// authentication counts against the caller's IP, so guessing credentials is limited too.
//
// When Redis fails (not ready, an error, or no answer within `storeTimeoutMs`) each node falls
// back to in-memory counters with the same limits: limits keep holding per node (a cluster of N
// nodes then admits up to N times the quota) instead of failing open to no limit at all or
// failing closed and refusing every request because a cache is down. The fallback is counted
// (rate_limit_store_fallbacks_total) and logged at most every 30 s.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RLWrapperTimeouts,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Config, RateLimit } from '../../config.js';
import type { Authenticate } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import { AppError } from './errors.js';
import { problems } from './schema.js';

/** `default` for every route unless it says otherwise; `auth` for login, refresh and sign-up. */
export type RateLimitGroup = 'default' | 'auth';
export type RateLimitSubject = 'anonymous' | 'user' | 'api_key';

/** What the limiter decided for one request; the response headers are written from it. */
export interface RateLimitDecision {
  policy: RateLimitGroup;
  quota: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The limit a route is counted against: `default` when unset, `auth`, or `false` for none. */
    rateLimit?: RateLimitGroup | false;
  }
  interface FastifyRequest {
    rateLimit: RateLimitDecision | null;
  }
  interface FastifyInstance {
    /** Per-account brute-force protection for login; see createRateLimiter. */
    loginLockout: AccountLockout;
  }
}

/**
 * Operational endpoints are never limited: probes, scrapers and the API reference must work
 * whatever a client does. A route can also opt out with `config: { rateLimit: false }`.
 */
const EXEMPT_ROUTES = [/^\/health\//, /^\/metrics$/, /^\/openapi\.json$/, /^\/docs(\/|$)/];

export class RateLimitedError extends AppError {
  constructor(decision: RateLimitDecision) {
    // Never earlier than the reset the headers announce: the same rounded-up figure.
    const retryAfter = Math.max(1, decision.resetSeconds);
    super(
      429,
      'RATE_LIMITED',
      'Too many requests',
      `The limit of ${decision.quota} requests per ${decision.windowSeconds} s is used up; retry in ${retryAfter} s.`,
      undefined,
      { 'retry-after': String(retryAfter) },
    );
  }
}

export class AccountLockedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(
      429,
      'ACCOUNT_LOCKED',
      'Too many requests',
      `Too many failed logins for this account; try again in ${retryAfterSeconds} s.`,
      undefined,
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}

export interface AccountLockout {
  /** Throws ACCOUNT_LOCKED (429 with Retry-After) while the account is locked. */
  assertNotLocked(account: string): Promise<void>;
  /** Counts a failed login; `locked` is true when this very failure locked the account. */
  recordFailure(account: string): Promise<{ locked: boolean; failures: number; lockedSeconds: number }>;
  /** A successful login forgets earlier failures. */
  reset(account: string): Promise<void>;
  /** A stable pseudonym for logs (a hash prefix): never the identifier itself. */
  reference(account: string): string;
}

export interface RateLimiterOptions {
  limits: Config['rateLimits'];
  /** null: counters live in this process's memory (one node). */
  redis: Redis | null;
  logger: Logger;
  /** Prefix of every store key. Tests use a unique one so runs never share counters. */
  keyPrefix?: string;
  /** How long a Redis call may take before this node uses its in-memory counters instead. */
  storeTimeoutMs?: number;
}

interface Bucket {
  group: RateLimitGroup;
  limit: RateLimit;
  limiter: RateLimiterAbstract;
}

function subjectOf(principal: Principal): { subject: RateLimitSubject; id: string } {
  return principal.kind === 'user'
    ? { subject: 'user', id: principal.userId }
    : { subject: 'api_key', id: principal.apiKeyId };
}

function groupOf(request: FastifyRequest): RateLimitGroup | null {
  const configured = request.routeOptions.config?.rateLimit;
  if (configured === false) return null;
  if (configured !== undefined) return configured;
  const url = request.routeOptions.url;
  if (url !== undefined && EXEMPT_ROUTES.some((pattern) => pattern.test(url))) return null;
  // Unmatched URLs (404s) count too: scanning for routes is limited like anything else.
  return 'default';
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function createRateLimiter(options: RateLimiterOptions) {
  const { limits, redis, logger } = options;
  const prefix = options.keyPrefix ?? 'brigade:rl';
  const storeTimeoutMs = options.storeTimeoutMs ?? 250;

  // Counters are registered into the app's registry by registerRateLimits.
  const rejections = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused with 429, by policy (default, auth, account_lockout) and subject',
    labelNames: ['policy', 'subject'] as const,
    registers: [],
  });
  const fallbacks = new Counter({
    name: 'rate_limit_store_fallbacks_total',
    help: 'Rate-limit operations answered from in-process memory because Redis failed or was slow',
    registers: [],
  });
  const lockouts = new Counter({
    name: 'login_lockouts_total',
    help: 'Accounts locked after repeated failed logins',
    registers: [],
  });

  let lastFallbackLog = 0;
  function onFallback(): void {
    fallbacks.inc();
    const now = Date.now();
    if (now - lastFallbackLog > 30_000) {
      lastFallbackLog = now;
      logger.warn('rate limits: Redis failed or is slow; this node counts in memory until it answers again');
    }
  }

  /** The in-memory limiter Redis falls back to; counts and logs each use. */
  class FallbackLimiter extends RateLimiterMemory {
    override consume(...args: Parameters<RateLimiterMemory['consume']>) {
      onFallback();
      return super.consume(...args);
    }
    override penalty(...args: Parameters<RateLimiterMemory['penalty']>) {
      onFallback();
      return super.penalty(...args);
    }
    override get(...args: Parameters<RateLimiterMemory['get']>) {
      onFallback();
      return super.get(...args);
    }
    override block(...args: Parameters<RateLimiterMemory['block']>) {
      onFallback();
      return super.block(...args);
    }
    override delete(...args: Parameters<RateLimiterMemory['delete']>) {
      onFallback();
      return super.delete(...args);
    }
  }

  function limiter(
    opts: IRateLimiterOptions & { keyPrefix: string; points: number },
    blockLocallyWhenSpent: boolean,
  ): RateLimiterAbstract {
    if (!redis) return new RateLimiterMemory(opts);
    const store = new RateLimiterRedis({
      ...opts,
      storeClient: redis,
      // A client that is (re)connecting is not waited for: the fallback answers at once.
      rejectIfRedisNotReady: true,
      // Once a key is over its limit, this node refuses it from memory until the window ends
      // instead of asking Redis again: a flood from one caller costs Redis nothing.
      inMemoryBlockOnConsumed: blockLocallyWhenSpent ? opts.points + 1 : 0,
    });
    return new RLWrapperTimeouts({
      limiter: store,
      timeoutMs: storeTimeoutMs,
      insuranceLimiter: new FallbackLimiter(opts),
    });
  }

  function bucket(group: RateLimitGroup, subject: RateLimitSubject, limit: RateLimit): Bucket {
    return {
      group,
      limit,
      limiter: limiter(
        { keyPrefix: `${prefix}:${group}:${subject}`, points: limit.points, duration: limit.seconds },
        true,
      ),
    };
  }

  const buckets: Record<RateLimitGroup, Record<RateLimitSubject, Bucket>> = {
    default: {
      anonymous: bucket('default', 'anonymous', limits.anonymous),
      user: bucket('default', 'user', limits.user),
      api_key: bucket('default', 'api_key', limits.apiKey),
    },
    // Login, refresh and sign-up are public: in practice only the per-IP bucket is used.
    auth: {
      anonymous: bucket('auth', 'anonymous', limits.auth),
      user: bucket('auth', 'user', limits.auth),
      api_key: bucket('auth', 'api_key', limits.auth),
    },
  };

  function decide(target: Bucket, res: RateLimiterRes, allowed: boolean): RateLimitDecision {
    const resetSeconds = Math.max(0, Math.ceil(res.msBeforeNext / 1000));
    return {
      policy: target.group,
      quota: target.limit.points,
      windowSeconds: target.limit.seconds,
      remaining: allowed ? Math.max(0, res.remainingPoints) : 0,
      resetSeconds: allowed ? resetSeconds : Math.max(1, resetSeconds),
    };
  }

  /** Counts the request against the caller's bucket; throws RATE_LIMITED when it is spent. */
  async function enforce(
    request: FastifyRequest,
    group: RateLimitGroup,
    subject: RateLimitSubject,
    id: string,
  ): Promise<void> {
    const target = buckets[group][subject];
    let rejected: RateLimiterRes | null = null;
    let res: RateLimiterRes;
    try {
      res = await target.limiter.consume(id);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        // Redis and the in-memory fallback both failed (should not happen): let it through.
        request.log.error({ err: rejection }, 'rate limiter failed; request allowed');
        return;
      }
      res = rejected = rejection;
    }
    const decision = decide(target, res, rejected === null);
    request.rateLimit = decision;
    if (rejected !== null) {
      rejections.inc({ policy: group, subject });
      throw new RateLimitedError(decision);
    }
  }

  function guardAuthentication(authenticate: Authenticate): Authenticate {
    return async (credential, request) => {
      const group = groupOf(request);
      let principal: Principal;
      try {
        principal = await authenticate(credential, request);
      } catch (error) {
        // Bad credentials count against the IP, and turn into 429 once that bucket is spent.
        if (group !== null && error instanceof AppError && error.status === 401)
          await enforce(request, group, 'anonymous', request.ip);
        throw error;
      }
      if (group !== null) {
        const { subject, id } = subjectOf(principal);
        await enforce(request, group, subject, id);
      }
      return principal;
    };
  }

  // Login lockout: failures per account in a window of lockoutSeconds; the failure that reaches
  // lockoutAttempts locks the account for lockoutSeconds from that moment. Keys are hashes of the
  // account identifier, so the store never holds an email address.
  const { lockoutAttempts: attempts, lockoutSeconds } = limits;
  const failures = limiter({ keyPrefix: `${prefix}:lockout`, points: attempts, duration: lockoutSeconds }, false);
  const loginLockout: AccountLockout = {
    async assertNotLocked(account) {
      const state = await failures.get(digest(account)).catch((error: unknown) => {
        logger.error({ err: error }, 'login lockout store failed; attempt allowed');
        return null;
      });
      if (state !== null && state.consumedPoints >= attempts) {
        rejections.inc({ policy: 'account_lockout', subject: 'account' });
        throw new AccountLockedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
      }
    },
    async recordFailure(account) {
      const key = digest(account);
      try {
        const state = await failures.penalty(key, 1);
        // Exactly one failure reaches the threshold, even when several race (the count is atomic).
        const locked = state.consumedPoints === attempts;
        if (locked) {
          await failures.block(key, lockoutSeconds);
          lockouts.inc();
        }
        return { locked, failures: state.consumedPoints, lockedSeconds: lockoutSeconds };
      } catch (error) {
        logger.error({ err: error }, 'login lockout store failed; failure not counted');
        return { locked: false, failures: 0, lockedSeconds: lockoutSeconds };
      }
    },
    async reset(account) {
      await failures
        .delete(digest(account))
        .catch((error: unknown) => logger.error({ err: error }, 'login lockout store failed; failures not reset'));
    },
    reference(account) {
      return digest(account).slice(0, 16);
    },
  };

  return { enforce, guardAuthentication, loginLockout, groupOf, metrics: [rejections, fallbacks, lockouts] };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

function writeHeaders(reply: FastifyReply, decision: RateLimitDecision): void {
  const policy = `"${decision.policy}"`;
  reply.header('ratelimit-policy', `${policy};q=${decision.quota};w=${decision.windowSeconds}`);
  reply.header('ratelimit', `${policy};r=${decision.remaining};t=${decision.resetSeconds}`);
  reply.header('x-ratelimit-limit', String(decision.quota));
  reply.header('x-ratelimit-remaining', String(decision.remaining));
  reply.header('x-ratelimit-reset', String(decision.resetSeconds));
}

/**
 * The hooks: limit requests not already counted during authentication (public routes, unmatched
 * URLs), write the headers on every limited response (2xx, problems and 429 alike, hence onSend),
 * list 429 in the OpenAPI responses of limited routes, and expose `app.loginLockout`.
 * Register after registerAccessControl (whose authenticate is wrapped by guardAuthentication)
 * and before the modules.
 */
export function registerRateLimits(app: FastifyInstance, limiter: RateLimiter, registry?: Registry): void {
  for (const metric of limiter.metrics) registry?.registerMetric(metric);
  app.decorateRequest('rateLimit', null);
  app.decorate('loginLockout', limiter.loginLockout);

  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    const exempt =
      route.config?.rateLimit === false ||
      (route.config?.rateLimit === undefined && EXEMPT_ROUTES.some((pattern) => pattern.test(route.url)));
    if (exempt || response === undefined || 429 in response) return;
    route.schema = { ...route.schema, response: { ...response, ...problems(429) } };
  });

  app.addHook('onRequest', async (request) => {
    // (Contexts created before this decorator, like the /docs plugin, see undefined, not null.)
    if (request.rateLimit) return;
    const group = limiter.groupOf(request);
    if (group === null) return;
    const principal = request.principal;
    if (principal) {
      const { subject, id } = subjectOf(principal);
      await limiter.enforce(request, group, subject, id);
    } else {
      await limiter.enforce(request, group, 'anonymous', request.ip);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.rateLimit) writeHeaders(reply, request.rateLimit);
    return payload;
  });
}
