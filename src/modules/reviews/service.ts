// Business rules of reviews, composed: the review itself (reviews.ts), its thread (replies.ts,
// thread.ts), and votes, reports and moderation (moderation.ts).
import type { Principal } from '../../platform/auth/principal.js';
import { NotFoundError } from '../../platform/http/errors.js';
import type { ReviewsServiceDeps } from './deps.js';
import { createModeration } from './moderation.js';
import { presentReview } from './present.js';
import { createReplies } from './replies.js';
import { reviewsRepo } from './repo.js';
import { createReviews, viewerOf } from './reviews.js';
import { threadsOf } from './thread.js';

export type { ReviewsServiceDeps } from './deps.js';

/** What only reads: everything else the service does writes, and tells `deps.onWrite`. */
type Reads = 'listStoreReviews' | 'ratingSummary' | 'listReplies' | 'search' | 'heldReplies';

export function createReviewsService(deps: ReviewsServiceDeps) {
  const composed = { ...createReviews(deps), ...createReplies(deps), ...createModeration(deps) };
  // After the write (committed, or failed): cached lists of this process forget what they showed.
  const written =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await write(...args);
      } finally {
        deps.onWrite?.();
      }
    };
  // Every method not in Reads must be listed here (a Pick of them all), so a new write cannot
  // slip past the cache's invalidation.
  const writes: Pick<typeof composed, Exclude<keyof typeof composed, Reads>> = {
    postReview: written(composed.postReview),
    postReviewIn: written(composed.postReviewIn),
    editReview: written(composed.editReview),
    deleteReview: written(composed.deleteReview),
    postReply: written(composed.postReply),
    postReplyIn: written(composed.postReplyIn),
    editReply: written(composed.editReply),
    deleteReply: written(composed.deleteReply),
    vote: written(composed.vote),
    report: written(composed.report),
    moderateReview: written(composed.moderateReview),
    moderateReply: written(composed.moderateReply),
  };
  return {
    ...composed,
    ...writes,

    /** A review with the first replies of each level and every node's cursor for the rest. */
    async reviewThread(principal: Principal | null, reviewId: string) {
      const row = await reviewsRepo.find(deps.db, reviewId);
      if (!row) throw new NotFoundError('review');
      const threads = await threadsOf(deps.db, [row], (review) => viewerOf(principal, review));
      return { ...presentReview(row, viewerOf(principal, row)), ...threads.get(row.id)! };
    },
  };
}

export type ReviewsService = ReturnType<typeof createReviewsService>;
