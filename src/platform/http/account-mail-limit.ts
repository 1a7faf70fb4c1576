// Limits on the mail a request makes Brigade send to an account (a password reset, a new
// verification link, the notice that someone tried to sign up with the address): per email
// address, so nobody can bury one inbox, and per IP, so one client cannot walk a list of
// addresses. They are token buckets in the same store as the request limits (memory, or Redis
// with its in-memory fallback); keys are hashes, so the store never holds an email address. A
// store failure never blocks the request: it is logged and the request goes on.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Config, RateLimit } from '../../config/index.js';
import type { BucketAnswer } from './rate-limit-bucket.js';
import { decideFromBucket, RateLimitedError } from './rate-limit-policy.js';
import type { CounterStore } from './rate-limit-store.js';

export const ACCOUNT_MAIL_PURPOSES = ['password_reset', 'email_verification', 'sign_up_notice'] as const;
export type AccountMailPurpose = (typeof ACCOUNT_MAIL_PURPOSES)[number];

export interface AccountMailLimit {
  /**
   * Counts one mail of `purpose` to `email` asked for by the request's IP. Throws RATE_LIMITED
   * (429 with Retry-After, and RateLimit headers describing the spent limit) when the IP's or the
   * address's budget is used up. Unknown addresses are counted like known ones: the answer must
   * not tell them apart.
   */
  consume(request: FastifyRequest, purpose: AccountMailPurpose, email: string): Promise<void>;
  /** Counts one mail to `email` if its budget allows; false (nothing thrown) when it is spent. */
  allow(purpose: AccountMailPurpose, email: string): Promise<boolean>;
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function createAccountMailLimit(options: {
  limits: Pick<Config['rateLimits'], 'accountMail' | 'accountMailIp'>;
  keyPrefix: string;
  store: CounterStore;
  logger: Logger;
  /** Counts each refusal (policy account_mail, subject email or ip). */
  rejections: Counter<'policy' | 'subject'>;
}): AccountMailLimit {
  const { limits, store, logger, rejections } = options;
  const ipPrefix = `${options.keyPrefix}:account_mail:ip`;
  const emailPrefix = (purpose: AccountMailPurpose) => `${options.keyPrefix}:account_mail:${purpose}:email`;

  /** The bucket's answer, or null when the store failed (the mail is then allowed). */
  async function take(key: string, limit: RateLimit): Promise<BucketAnswer | null> {
    try {
      return await store.buckets.take(key, limit, true);
    } catch (error) {
      logger.error({ err: error }, 'account mail limit store failed; mail allowed');
      return null;
    }
  }

  return {
    async consume(request, purpose, email) {
      const checks = [
        { subject: 'ip', key: `${ipPrefix}:${digest(request.ip)}`, limit: limits.accountMailIp },
        {
          subject: 'email',
          key: `${emailPrefix(purpose)}:${digest(email.toLowerCase())}`,
          limit: limits.accountMail,
        },
      ];
      // The IP first: a client walking a list of addresses spends its own budget, not theirs.
      for (const check of checks) {
        const answer = await take(check.key, check.limit);
        if (answer === null || answer.allowed) continue;
        const decision = decideFromBucket('account_mail', check.limit, answer);
        request.rateLimit = decision;
        rejections.inc({ policy: 'account_mail', subject: check.subject });
        throw new RateLimitedError(decision);
      }
    },
    async allow(purpose, email) {
      const answer = await take(`${emailPrefix(purpose)}:${digest(email.toLowerCase())}`, limits.accountMail);
      return answer === null || answer.allowed;
    },
  };
}
