// Who is counted against which limit, and what a decision tells the caller: the route groups
// (`default`, `auth`), the subject a request is counted as (its API key, its signed-in person, or
// its IP when anonymous), the routes never limited, and the RateLimit headers and 429 problem
// written from a decision.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimit } from '../../config/index.js';
import type { Principal } from '../auth/principal.js';
import { AppError } from './errors.js';
import type { BucketAnswer } from './rate-limit-bucket.js';

/** `default` for every route unless it says otherwise; `auth` for login, refresh and sign-up. */
export type RateLimitGroup = 'default' | 'auth';
export type RateLimitSubject = 'anonymous' | 'user' | 'api_key';
/** A route group, or `account_mail` (the mail a request sends to an account: account-mail-limit.ts). */
export type RateLimitPolicy = RateLimitGroup | 'account_mail';

/** What the limiter decided for one request; the response headers are written from it. */
export interface RateLimitDecision {
  policy: RateLimitPolicy;
  quota: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
}

/**
 * Operational endpoints are never limited: probes, scrapers and the API reference must work
 * whatever a client does. A route can also opt out with `config: { rateLimit: false }`.
 */
const EXEMPT_ROUTES = [/^\/health\//, /^\/metrics$/, /^\/openapi\.json$/, /^\/docs(\/|$)/];

/** Exempt unless the route says otherwise (`config.rateLimit`). */
export function exemptByDefault(url: string): boolean {
  return EXEMPT_ROUTES.some((pattern) => pattern.test(url));
}

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

export function subjectOf(principal: Principal): { subject: RateLimitSubject; id: string } {
  return principal.kind === 'user'
    ? { subject: 'user', id: principal.userId }
    : { subject: 'api_key', id: principal.apiKeyId };
}

export function groupOf(request: FastifyRequest): RateLimitGroup | null {
  const configured = request.routeOptions.config?.rateLimit;
  if (configured === false) return null;
  if (configured !== undefined) return configured;
  const url = request.routeOptions.url;
  if (url !== undefined && exemptByDefault(url)) return null;
  // Unmatched URLs (404s) count too: scanning for routes is limited like anything else.
  return 'default';
}

/** The decision on one counted request, from the limiter's answer for the caller's bucket. */
export function decide(
  policy: RateLimitPolicy,
  limit: RateLimit,
  res: RateLimiterRes,
  allowed: boolean,
): RateLimitDecision {
  const resetSeconds = Math.max(0, Math.ceil(res.msBeforeNext / 1000));
  return {
    policy,
    quota: limit.points,
    windowSeconds: limit.seconds,
    remaining: allowed ? Math.max(0, res.remainingPoints) : 0,
    resetSeconds: allowed ? resetSeconds : Math.max(1, resetSeconds),
  };
}

/**
 * The decision on one request from its token bucket (rate-limit-bucket.ts): `remaining` is the
 * whole tokens left, and `resetSeconds` the time until the bucket is full again, when the whole
 * quota is back. A refusal is answered with that same figure as Retry-After (never earlier than the
 * reset the headers announce), though one token, and so one request, returns sooner.
 */
export function decideFromBucket(
  policy: RateLimitDecision['policy'],
  limit: RateLimit,
  answer: BucketAnswer,
): RateLimitDecision {
  const resetSeconds = Math.max(0, Math.ceil(answer.fullInMs / 1000));
  return {
    policy,
    quota: limit.points,
    windowSeconds: limit.seconds,
    remaining: answer.allowed ? answer.remaining : 0,
    resetSeconds: answer.allowed ? resetSeconds : Math.max(1, resetSeconds),
  };
}

export function writeRateLimitHeaders(reply: FastifyReply, decision: RateLimitDecision): void {
  const policy = `"${decision.policy}"`;
  reply.header('ratelimit-policy', `${policy};q=${decision.quota};w=${decision.windowSeconds}`);
  reply.header('ratelimit', `${policy};r=${decision.remaining};t=${decision.resetSeconds}`);
  reply.header('x-ratelimit-limit', String(decision.quota));
  reply.header('x-ratelimit-remaining', String(decision.remaining));
  reply.header('x-ratelimit-reset', String(decision.resetSeconds));
}
