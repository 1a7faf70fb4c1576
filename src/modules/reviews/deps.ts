// What reviews need from outside: the database, the outbox, the facts of an order (ordering),
// the store (tenancy), a clock, and the per-author reply limit.
import type { Db, Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import type { ReviewsEvents } from './events.js';
import type { ReplyLimiter } from './limiter.js';
import type { Channel } from './tables.js';

/** What a review needs to know of its order (ordering's orderForReview). */
export interface OrderFacts {
  id: string;
  organization_id: string;
  store_id: string;
  customer_id: string | null;
  channel: Channel;
  status: string;
  fulfilled_at: Date | null;
}

export interface ReviewsServiceDeps {
  db: Db;
  events: EventAppender<ReviewsEvents>;
  ordering: { api: { orderForReview(orderId: string, ex?: Tx): Promise<OrderFacts | null> } };
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  clock: () => Date;
  replies: ReplyLimiter;
  /**
   * Called after every write through the service (the list cache forgets its pages). A write in
   * a caller's transaction (postReviewIn, postReplyIn) calls it before that commits: a read in
   * between may keep the old page for the cache's TTL.
   */
  onWrite?: () => void;
}
