// A guest's review of a fulfilled order: posted once by the order's customer within 30 days of
// fulfilment, edited by its author within 48 hours (each version kept), deleted as a tombstone.
// The store's rating summary moves in the same transaction (tally.ts).
import { v7 as uuidv7 } from 'uuid';
import { requireUser, type Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Tx } from '../../platform/db/index.js';
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../../platform/http/errors.js';
import { decodeCursor, isUuid, toPage } from '../../platform/http/schema.js';
import { moderates, userIdOf } from './access.js';
import type { ReviewsServiceDeps } from './deps.js';
import { reviewAggregate } from './events.js';
import { presentReview, type Viewer } from './present.js';
import { reviewsRepo as repo } from './repo.js';
import type { CreateReviewBody, EditReviewBody, Review, ReviewListQuery } from './schema.js';
import { isBlocked, tidy } from './screening.js';
import { followReview, presentSummary } from './tally.js';
import type { ReviewRow } from './tables.js';

const DAY = 86_400_000;
/** How long after fulfilment an order may be reviewed. */
export const REVIEW_WINDOW_MS = 30 * DAY;
/** How long its author may edit a review or reply. */
export const EDIT_WINDOW_MS = 2 * DAY;

export const viewerOf = (principal: Principal | null, row: { organization_id: string; store_id: string }): Viewer => ({
  userId: userIdOf(principal),
  moderator: moderates(principal, row),
});

export function createReviews(deps: ReviewsServiceDeps) {
  const { db, events, clock } = deps;

  /** The author's own review, locked; 404 when there is none, 403 when it is someone else's. */
  async function ownReview(trx: Parameters<typeof repo.find>[0], principal: Principal | null, reviewId: string) {
    const user = requireUser(principal);
    const row = await repo.find(trx, reviewId, { forUpdate: true });
    if (!row) throw new NotFoundError('review');
    if (row.author_id !== user.userId)
      throw new ForbiddenError('Only its author may change a review.', 'NOT_YOUR_REVIEW');
    if (row.deleted_at !== null) throw new ConflictError('REVIEW_DELETED', 'This review was deleted.');
    return row;
  }

  /** postReview inside the caller's transaction (the demo seed reviews orders it wrote in it). */
  async function postReviewIn(
    trx: Tx,
    principal: Principal | null,
    orderId: string,
    body: CreateReviewBody,
  ): Promise<Review> {
    const user = requireUser(principal);
    const now = clock();
    const order = await deps.ordering.api.orderForReview(orderId, trx);
    // Someone else's order is not found: its existence is not the caller's to know (BOLA).
    if (!order || order.customer_id !== user.userId) throw new NotFoundError('order');
    if (order.fulfilled_at === null)
      throw new ConflictError('ORDER_NOT_COMPLETED', 'An order can be reviewed once it has been fulfilled.');
    if (now.getTime() - order.fulfilled_at.getTime() > REVIEW_WINDOW_MS)
      throw new ConflictError('REVIEW_WINDOW_CLOSED', 'Orders can be reviewed within 30 days of fulfilment.');
    if (body.delivery_rating !== undefined && order.channel !== 'delivery')
      throw new UnprocessableError('DELIVERY_RATING_NOT_APPLICABLE', 'Only delivery orders have a delivery rating.', [
        { path: '/body/delivery_rating', message: 'only for delivery orders' },
      ]);
    const comment = tidy(body.comment);
    const row = await repo.insert(trx, {
      id: uuidv7(),
      organization_id: order.organization_id,
      store_id: order.store_id,
      order_id: order.id,
      author_id: user.userId,
      channel: order.channel,
      rating: body.rating,
      food_rating: body.food_rating ?? null,
      delivery_rating: body.delivery_rating ?? null,
      comment,
      photos: body.photos ?? [],
      state: isBlocked(comment) ? 'held' : 'published',
      moderation_reason: isBlocked(comment) ? 'Held for review: blocklisted words' : null,
      created_at: now,
    });
    if (!row) throw new ConflictError('REVIEW_EXISTS', 'This order already has its review.');
    await followReview(trx, null, row);
    await events.append(trx, {
      type: 'reviews.review.created',
      aggregate: reviewAggregate(row.id),
      subject: `review/${row.id}`,
      data: {
        organization_id: row.organization_id,
        store_id: row.store_id,
        review_id: row.id,
        order_id: row.order_id,
        rating: row.rating,
        state: row.state === 'held' ? 'held' : 'published',
      },
    });
    return presentReview(row, viewerOf(principal, row));
  }

  return {
    async postReview(principal: Principal | null, orderId: string, body: CreateReviewBody): Promise<Review> {
      return inTransaction(db, (trx) => postReviewIn(trx, principal, orderId, body));
    },

    postReviewIn,

    async editReview(principal: Principal | null, reviewId: string, body: EditReviewBody): Promise<Review> {
      const now = clock();
      return inTransaction(db, async (trx) => {
        const before = await ownReview(trx, principal, reviewId);
        if (now.getTime() - before.created_at.getTime() > EDIT_WINDOW_MS)
          throw new ConflictError('EDIT_WINDOW_CLOSED', 'A review can be edited within 48 hours of posting.');
        if (before.state === 'removed')
          throw new ConflictError('REVIEW_REMOVED', 'A moderator removed this review; it cannot be edited.');
        if (body.delivery_rating !== undefined && body.delivery_rating !== null && before.channel !== 'delivery')
          throw new UnprocessableError(
            'DELIVERY_RATING_NOT_APPLICABLE',
            'Only delivery orders have a delivery rating.',
            [{ path: '/body/delivery_rating', message: 'only for delivery orders' }],
          );
        await repo.keepRevision(trx, before, now);
        const comment = body.comment === undefined ? before.comment : tidy(body.comment);
        const change: Partial<ReviewRow> = {
          rating: body.rating ?? before.rating,
          food_rating: body.food_rating === undefined ? before.food_rating : body.food_rating,
          delivery_rating: body.delivery_rating === undefined ? before.delivery_rating : body.delivery_rating,
          comment,
          photos: body.photos ?? before.photos,
          revision: before.revision + 1,
          edited_at: now,
        };
        // An edit that brings in blocklisted words goes back to a moderator.
        if (before.state === 'published' && isBlocked(comment)) {
          change.state = 'held';
          change.moderation_reason = 'Held for review: blocklisted words';
        }
        const after = await repo.update(trx, reviewId, change);
        await followReview(trx, before, after);
        return presentReview(after, viewerOf(principal, after));
      });
    },

    /** The author deletes: a tombstone (content cleared), replies stay; the summary lets it go. */
    async deleteReview(principal: Principal | null, reviewId: string): Promise<void> {
      const now = clock();
      await inTransaction(db, async (trx) => {
        const before = await ownReview(trx, principal, reviewId);
        const after = await repo.update(trx, reviewId, { deleted_at: now, comment: null, photos: [] });
        await followReview(trx, before, after);
      });
    },

    async listStoreReviews(storeId: string, query: ReviewListQuery) {
      const limit = query.limit ?? 20;
      const sort = query.sort ?? 'newest';
      const fields = sort === 'helpful' ? (['id', 'h'] as const) : (['id'] as const);
      const key = decodeCursor(
        query.cursor,
        fields,
        (k: Record<string, string>) => isUuid(k.id!) && (sort === 'newest' || /^\d{1,10}$/.test(k.h ?? '')),
      ) as { id: string; h?: string } | null;
      const [rows, tally] = await Promise.all([
        repo.listLive(db, {
          storeId,
          sort,
          rating: query.rating ?? null,
          after: key ? { id: key.id, helpful: Number(key.h ?? 0) } : null,
          limit,
        }),
        repo.tally(db, storeId),
      ]);
      // Reviews only exist at stores (a foreign key): the store is looked up only when there are none.
      if (rows.length === 0 && tally.review_count === 0 && !(await deps.tenancy.api.findStore(storeId)))
        throw new NotFoundError('store');
      const viewer: Viewer = { userId: null, moderator: false };
      const page = toPage(
        rows,
        limit,
        (row) => presentReview(row, viewer),
        (row): Record<string, string> =>
          sort === 'helpful' ? { id: row.id, h: String(row.helpful_count) } : { id: row.id },
      );
      return { ...page, rating_summary: presentSummary(tally) };
    },

    async ratingSummary(storeId: string) {
      return presentSummary(await repo.tally(db, storeId));
    },
  };
}
