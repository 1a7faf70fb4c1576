// Rate limits per API key, per signed-in person and per IP (anonymous calls), by route group, and
// per-account login lockout. The parts: rate-limit-policy.ts says who is counted against which
// limit and what the caller is told; rate-limit-bucket.ts is the algorithm (a token bucket per
// caller); rate-limit-store.ts keeps the buckets (memory, or Redis with an in-memory fallback);
// login-lockout.ts locks accounts.
//
// Where it runs: in onRequest, before the body is read and long before the handler, so a
// rejected request records nothing downstream. Authenticated calls are counted inside
// authentication (see `guardAuthentication`): right after the principal is known, and a failed
// authentication counts against the caller's IP, so guessing credentials is limited too.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Config, RateLimit } from '../../config/index.js';
import type { Authenticate } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import { AppError } from './errors.js';
import { createAccountMailLimit, type AccountMailLimit } from './account-mail-limit.js';
import { createLoginLockout, type AccountLockout } from './login-lockout.js';
import {
  decideFromBucket,
  exemptByDefault,
  groupOf,
  RateLimitedError,
  subjectOf,
  writeRateLimitHeaders,
  type RateLimitDecision,
  type RateLimitGroup,
  type RateLimitSubject,
} from './rate-limit-policy.js';
import type { BucketAnswer } from './rate-limit-bucket.js';
import { createCounterStore } from './rate-limit-store.js';
import { problems } from './schema.js';

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
    /** Per-address and per-IP limits on mail sent to accounts (password reset, verification). */
    accountMailLimit: AccountMailLimit;
  }
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
  /** Milliseconds since the epoch, for the token buckets; Date.now unless a test moves time. */
  clock?: () => number;
}

interface Bucket {
  group: RateLimitGroup;
  limit: RateLimit;
  /** The store key prefix of this group and subject's buckets. */
  keyPrefix: string;
}

export function createRateLimiter(options: RateLimiterOptions) {
  const { limits, redis, logger } = options;
  const prefix = options.keyPrefix ?? 'brigade:rl';
  const storeTimeoutMs = options.storeTimeoutMs ?? 250;

  // Counters are registered into the app's registry by registerRateLimits.
  const rejections = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused with 429, by policy (default, auth, account_lockout, account_mail) and subject',
    labelNames: ['policy', 'subject'] as const,
    registers: [],
  });
  const store = createCounterStore({ redis, logger, storeTimeoutMs, clock: options.clock });
  const { fallbacks } = store;
  const { loginLockout, lockouts } = createLoginLockout({ limits, keyPrefix: prefix, store, logger, rejections });
  const accountMailLimit = createAccountMailLimit({ limits, keyPrefix: prefix, store, logger, rejections });

  function bucket(group: RateLimitGroup, subject: RateLimitSubject, limit: RateLimit): Bucket {
    return { group, limit, keyPrefix: `${prefix}:${group}:${subject}` };
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

  /** Counts the request against the caller's bucket; throws RATE_LIMITED when it is spent. */
  async function enforce(
    request: FastifyRequest,
    group: RateLimitGroup,
    subject: RateLimitSubject,
    id: string,
  ): Promise<void> {
    const target = buckets[group][subject];
    let answer: BucketAnswer;
    try {
      answer = await store.buckets.take(`${target.keyPrefix}:${id}`, target.limit, true);
    } catch (error) {
      // Redis and the in-memory fallback both failed (should not happen): let it through.
      request.log.error({ err: error }, 'rate limiter failed; request allowed');
      return;
    }
    const decision = decideFromBucket(target.group, target.limit, answer);
    request.rateLimit = decision;
    if (!answer.allowed) {
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

  return {
    enforce,
    guardAuthentication,
    loginLockout,
    accountMailLimit,
    groupOf,
    metrics: [rejections, fallbacks, lockouts],
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

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
  app.decorate('accountMailLimit', limiter.accountMailLimit);

  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    const exempt =
      route.config?.rateLimit === false || (route.config?.rateLimit === undefined && exemptByDefault(route.url));
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
    if (request.rateLimit) writeRateLimitHeaders(reply, request.rateLimit);
    return payload;
  });
}
