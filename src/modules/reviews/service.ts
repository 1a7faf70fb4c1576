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

export function createReviewsService(deps: ReviewsServiceDeps) {
  return {
    ...createReviews(deps),
    ...createReplies(deps),
    ...createModeration(deps),

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
