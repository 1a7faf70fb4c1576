// Reviews own guests' verified reviews of fulfilled orders, their threaded replies (the store's
// answer among them), helpful votes, reports, moderation, and each store's rating summary.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db, Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import type { BucketLimit } from '../../platform/http/rate-limit-bucket.js';
import type { LiveFanout } from '../../platform/live/index.js';
import type { OrderFacts, ReviewsServiceDeps } from './deps.js';
import type { ReviewsEvents } from './events.js';
import { reviewsGraphql } from './graphql.js';
import { createReplyLimiter, type ReplyLimiter } from './limiter.js';
import { createListCache } from './list-cache.js';
import { moderationRoutes } from './moderation-routes.js';
import { replyRoutes } from './reply-routes.js';
import { reviewsRepo } from './repo.js';
import { reviewRoutes } from './routes.js';
import { createReviewsService } from './service.js';

export type { ReviewsEvents } from './events.js';
export type { OrderFacts } from './deps.js';
export { unlimitedReplies, type ReplyLimiter } from './limiter.js';
export { REVIEW_WINDOW_MS } from './reviews.js';

export interface ReviewsDeps {
  db: Db;
  events: EventAppender<ReviewsEvents>;
  /** ordering's orderForReview: who may review an order, and since when. */
  ordering: { api: { orderForReview(orderId: string, ex?: Tx): Promise<OrderFacts | null> } };
  tenancy: ReviewsServiceDeps['tenancy'];
  logger: Logger;
  /** Shares the per-author reply buckets between nodes when set. */
  redis?: Redis | null;
  clock?: () => Date;
  /** The per-author reply limit (default: 10, then one every 6 s); or a limiter of one's own. */
  replyLimit?: BucketLimit | ReplyLimiter;
  /** Cross-node "lists changed" announcements, so every node's cached lists forget a write at once. */
  live?: LiveFanout;
}

/** The live topic a review write is announced on (the message carries nothing: readers re-read). */
const LISTS_TOPIC = 'reviews.lists';

export function createReviewsModule(deps: ReviewsDeps) {
  const clock = deps.clock ?? (() => new Date());
  const replies =
    deps.replyLimit && 'take' in deps.replyLimit
      ? deps.replyLimit
      : createReplyLimiter({
          redis: deps.redis ?? null,
          logger: deps.logger,
          limit: deps.replyLimit,
          clock: () => clock().getTime(),
        });
  const lists = createListCache();
  // Every node, this one included, hears the announcement; without a fan-out, other nodes' pages
  // age out within the cache's bound (list-cache.ts).
  deps.live?.subscribe(LISTS_TOPIC, () => lists.clear());
  const announce = () =>
    deps.live
      ?.publish(LISTS_TOPIC, 'changed')
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'review list change not announced'));
  const service = createReviewsService({
    db: deps.db,
    events: deps.events,
    ordering: deps.ordering,
    tenancy: deps.tenancy,
    clock,
    replies,
    onWrite: () => {
      lists.clear();
      void announce();
    },
  });
  const surface: ModuleSurface = {
    routes: async (app) => {
      await app.register(reviewRoutes(service, lists));
      await app.register(replyRoutes(service));
      await app.register(moderationRoutes(service));
    },
    graphqlExtension: reviewsGraphql({ db: deps.db, service }),
    jobs: [],
  };
  return {
    ...surface,
    /** The service itself (the demo seed writes through it; tests drive it concurrently). */
    service,
    api: {
      /** A store's rating summary as the list shows it. */
      ratingSummary: (storeId: string) => service.ratingSummary(storeId),
      /** The summary recomputed from the reviews (the invariant the tallies keep; tests). */
      recountRatings: (storeId: string) => reviewsRepo.recount(deps.db, storeId),
      /** The kept tallies, summed (tests compare it with recountRatings). */
      ratingTallies: (storeId: string) => reviewsRepo.tally(deps.db, storeId),
    },
  };
}

export type ReviewsModule = ReturnType<typeof createReviewsModule>;
