// HTTP surface of a review: post one for an order, read a store's list (with its rating summary)
// and one review's thread, edit or delete one's own. Schemas in, one service call, schema out.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems, NO_CONTENT } from '../../platform/http/schema.js';
import {
  CreateReviewBody,
  EditReviewBody,
  OrderParams,
  Review,
  ReviewList,
  ReviewListQuery,
  ReviewParams,
  ReviewThread,
  StoreParams,
} from './schema.js';
import type { ListCache } from './list-cache.js';
import type { ReviewsService } from './service.js';

export const SIGNED = { security: [{ bearer: [] }] };
export const TAGS = ['reviews'];
export { NO_CONTENT };

export function reviewRoutes(service: ReviewsService, lists: ListCache): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/orders/:orderId/review',
      {
        config: { access: 'signed_in', idempotency: 'optional' },
        schema: {
          operationId: 'createReview',
          summary: 'Review a fulfilled order (its customer, once, within 30 days)',
          description:
            'One review per order: a second is 409 REVIEW_EXISTS; before the order is fulfilled (picked up, delivered or completed) 409 ORDER_NOT_COMPLETED; after 30 days 409 REVIEW_WINDOW_CLOSED. `delivery_rating` only on delivery orders (422 DELIVERY_RATING_NOT_APPLICABLE). Someone else’s order is 404. A comment with blocklisted words starts `held` for a moderator.',
          tags: TAGS,
          ...SIGNED,
          params: OrderParams,
          body: CreateReviewBody,
          response: { 201: Review, ...problems(400, 401, 403, 404, 409, 415, 422, 429) },
        },
      },
      async (request, reply) => {
        const review = await service.postReview(request.principal, request.params.orderId, request.body);
        return reply.code(201).header('location', `/v1/reviews/${review.id}`).send(review);
      },
    );

    app.get(
      '/stores/:storeId/reviews',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'listStoreReviews',
          summary: 'A store’s published reviews with its rating summary (anyone)',
          description:
            'Newest first, or `?sort=helpful`; `?rating=` keeps one star rating. Keyset-paginated. `rating_summary` counts every published review of the store (not only this page) and moves in the transaction of each review.',
          tags: TAGS,
          params: StoreParams,
          querystring: ReviewListQuery,
          response: { 200: ReviewList, ...problems(400, 404, 429) },
        },
      },
      async (request, reply) => {
        const { storeId } = request.params;
        const { sort = 'newest', rating, limit = 20, cursor = '' } = request.query;
        // The same answer for every reader: cached as the bytes the route's schema serializes.
        const body = await lists.get(`${storeId} ${sort} ${rating ?? ''} ${limit} ${cursor}`, async () =>
          Buffer.from(reply.serialize(await service.listStoreReviews(storeId, request.query)) as string),
        );
        return reply.header('content-type', 'application/json; charset=utf-8').send(body as never); // prebuilt bytes: no serialization
      },
    );

    app.get(
      '/reviews/:reviewId',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'getReview',
          summary: 'A review with its thread: the first replies of each level (anyone)',
          description:
            'Up to 10 replies to the review and 3 under each reply, three levels deep, each node with `reply_count` and a `replies_cursor` for the rest (GET /v1/reviews/{reviewId}/replies?parent=). Removed, held and deleted content shows as a tombstone.',
          tags: TAGS,
          params: ReviewParams,
          response: { 200: ReviewThread, ...problems(400, 404, 429) },
        },
      },
      async (request) => service.reviewThread(request.principal, request.params.reviewId),
    );

    app.patch(
      '/reviews/:reviewId',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'editReview',
          summary: 'Edit one’s review within 48 hours (its author; earlier versions are kept)',
          description:
            '403 NOT_YOUR_REVIEW for anyone else’s; 409 EDIT_WINDOW_CLOSED after 48 hours, REVIEW_DELETED, REVIEW_REMOVED.',
          tags: TAGS,
          ...SIGNED,
          params: ReviewParams,
          body: EditReviewBody,
          response: { 200: Review, ...problems(400, 401, 403, 404, 409, 415, 422, 429) },
        },
      },
      async (request) => service.editReview(request.principal, request.params.reviewId, request.body),
    );

    app.delete(
      '/reviews/:reviewId',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'deleteReview',
          summary: 'Delete one’s review (its author): it stays as a tombstone, its replies in place',
          tags: TAGS,
          ...SIGNED,
          params: ReviewParams,
          response: { ...NO_CONTENT, ...problems(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        await service.deleteReview(request.principal, request.params.reviewId);
        return reply.code(204).send(null);
      },
    );
  };
}
