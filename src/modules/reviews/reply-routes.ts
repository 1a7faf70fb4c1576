// HTTP surface of a review's thread: reply (anyone signed in; staff answer for the store), page
// through one parent's replies, edit or delete one's own reply.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems } from '../../platform/http/schema.js';
import { NO_CONTENT, SIGNED, TAGS } from './routes.js';
import { EditReplyBody, RepliesQuery, Reply, ReplyBody, ReplyPage, ReplyParams, ReviewParams } from './schema.js';
import type { ReviewsService } from './service.js';

export function replyRoutes(service: ReviewsService): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/reviews/:reviewId/replies',
      {
        config: { access: 'signed_in', idempotency: 'optional' },
        schema: {
          operationId: 'createReviewReply',
          summary: 'Reply in a review’s thread (anyone signed in; the store’s staff answer as the restaurant)',
          description:
            'Without `parent_reply_id` the reply answers the review (depth 1); with it, that reply (depth + 1). Depth is capped at 3: a reply to a depth-3 reply hangs beside it at depth 3 and keeps `in_reply_to`. A reply by the store’s staff is `author_role: "store"`. Plain text, at most 2000 characters; limited per author (429 RATE_LIMITED). 409 REVIEW_CLOSED / REPLY_CLOSED when the review or reply is held, removed or deleted. Blocklisted words start the reply `held`.',
          tags: TAGS,
          ...SIGNED,
          params: ReviewParams,
          body: ReplyBody,
          response: { 201: Reply, ...problems(400, 401, 403, 404, 409, 415, 429) },
        },
      },
      async (request, reply) => {
        const created = await service.postReply(request.principal, request.params.reviewId, request.body);
        return reply
          .code(201)
          .header('location', `/v1/reviews/${created.review_id}/replies?parent=${created.id}`)
          .send(created);
      },
    );

    app.get(
      '/reviews/:reviewId/replies',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'listReviewReplies',
          summary: 'Direct replies to a review or to one of its replies, in thread order (anyone)',
          description:
            '`?parent=<replyId>` for a reply’s answers; without it, the replies to the review. Keyset-paginated per parent, oldest first; positions grow in commit order, so paging stays exact while people reply (no duplicates, no gaps; new replies come at the end).',
          tags: TAGS,
          params: ReviewParams,
          querystring: RepliesQuery,
          response: { 200: ReplyPage, ...problems(400, 404, 429) },
        },
      },
      async (request) => service.listReplies(request.principal, request.params.reviewId, request.query),
    );

    app.patch(
      '/review-replies/:replyId',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'editReviewReply',
          summary: 'Edit one’s reply within 48 hours (its author)',
          description: '403 NOT_YOUR_REPLY for anyone else’s; 409 EDIT_WINDOW_CLOSED, REPLY_DELETED, REPLY_REMOVED.',
          tags: TAGS,
          ...SIGNED,
          params: ReplyParams,
          body: EditReplyBody,
          response: { 200: Reply, ...problems(400, 401, 403, 404, 409, 415, 429) },
        },
      },
      async (request) => service.editReply(request.principal, request.params.replyId, request.body),
    );

    app.delete(
      '/review-replies/:replyId',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'deleteReviewReply',
          summary: 'Delete one’s reply (its author): a tombstone in place, its answers stay',
          tags: TAGS,
          ...SIGNED,
          params: ReplyParams,
          response: { ...NO_CONTENT, ...problems(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        await service.deleteReply(request.principal, request.params.replyId);
        return reply.code(204).send(null);
      },
    );
  };
}
