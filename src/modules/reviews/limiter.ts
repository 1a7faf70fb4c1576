// The per-author limit on replies: a token bucket per account (the platform's GCRA buckets, in
// Redis when the process has it so every node shares one bucket, else in memory). Threads are
// where abuse gets in; a person writing faster than this is not having a conversation.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BucketLimit } from '../../platform/http/rate-limit-bucket.js';
import { decideFromBucket, RateLimitedError } from '../../platform/http/rate-limit-policy.js';
import { createCounterStore } from '../../platform/http/rate-limit-store.js';

/** Ten replies, then one every six seconds. */
export const DEFAULT_REPLY_LIMIT: BucketLimit = { points: 10, seconds: 60 };

export interface ReplyLimiter {
  /** Takes one reply from the author's bucket; throws RATE_LIMITED (429, Retry-After) when it is spent. */
  take(authorId: string): Promise<void>;
}

export function createReplyLimiter(options: {
  redis: Redis | null;
  logger: Logger;
  limit?: BucketLimit;
  /** Milliseconds since the epoch (tests move it). */
  clock?: () => number;
}): ReplyLimiter {
  const limit = options.limit ?? DEFAULT_REPLY_LIMIT;
  const store = createCounterStore({
    redis: options.redis,
    logger: options.logger,
    storeTimeoutMs: 250,
    clock: options.clock,
  });
  return {
    async take(authorId) {
      const answer = await store.buckets.take(`brigade:reviews:replies:${authorId}`, limit, true);
      if (!answer.allowed) throw new RateLimitedError(decideFromBucket('default', limit, answer));
    },
  };
}

/** No limit (the demo seed, and tests that write thousands of replies on purpose). */
export const unlimitedReplies: ReplyLimiter = { take: async () => undefined };
