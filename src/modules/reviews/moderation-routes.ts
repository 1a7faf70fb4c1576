// HTTP surface of votes, reports and moderation: helpful votes and reports by anyone signed in;
// the store's staff hide replies and search their reviews; the organization's moderators
// (managers, owners) remove or publish and work the queue of held replies.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems } from '../../platform/http/schema.js';
import { access, RULES } from './access.js';
import { NO_CONTENT, SIGNED, TAGS } from './routes.js';
import {
  HeldRepliesQuery,
  HideBody,
  ModerationBody,
  Reply,
  ReplyPage,
  ReplyParams,
  ReportBody,
  Review,
  ReviewPage,
  ReviewParams,
  SearchQuery,
  StoreParams,
} from './schema.js';
import type { ReviewsService } from './service.js';

const WRITE_PROBLEMS = problems(400, 401, 403, 404, 409, 415, 422, 429);
const VOTE_TEXT = 'Not on one’s own review (422 OWN_REVIEW); only published reviews (409 REVIEW_CLOSED).';
const REPORT_TEXT =
  'Reasons: spam, abuse, off_topic, personal_data, other. Three reports from different accounts hold it for a moderator (a tombstone to others meanwhile); reporting again is a no-op.';

export function moderationRoutes(service: ReviewsService): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    // Staff views show held content: never cached.
    app.addHook('onSend', async (_request, reply) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
    });

    app.put(
      '/reviews/:reviewId/helpful-vote',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'voteReviewHelpful',
          summary: 'Mark a review helpful (one vote per account; again changes nothing)',
          description: VOTE_TEXT,
          tags: TAGS,
          ...SIGNED,
          params: ReviewParams,
          response: { ...NO_CONTENT, ...WRITE_PROBLEMS },
        },
      },
      async (request, reply) => {
        await service.vote(request.principal, request.params.reviewId, true);
        return reply.code(204).send(null);
      },
    );

    app.delete(
      '/reviews/:reviewId/helpful-vote',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'withdrawReviewHelpfulVote',
          summary: 'Withdraw one’s helpful vote',
          description: VOTE_TEXT,
          tags: TAGS,
          ...SIGNED,
          params: ReviewParams,
          response: { ...NO_CONTENT, ...WRITE_PROBLEMS },
        },
      },
      async (request, reply) => {
        await service.vote(request.principal, request.params.reviewId, false);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/reviews/:reviewId/reports',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'reportReview',
          summary: 'Report a review (anyone signed in, once)',
          description: REPORT_TEXT,
          tags: TAGS,
          ...SIGNED,
          params: ReviewParams,
          body: ReportBody,
          response: { ...NO_CONTENT, ...WRITE_PROBLEMS },
        },
      },
      async (request, reply) => {
        await service.report(request.principal, { type: 'review', id: request.params.reviewId }, request.body);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/review-replies/:replyId/reports',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'reportReviewReply',
          summary: 'Report a reply (anyone signed in, once)',
          description: REPORT_TEXT,
          tags: TAGS,
          ...SIGNED,
          params: ReplyParams,
          body: ReportBody,
          response: { ...NO_CONTENT, ...WRITE_PROBLEMS },
        },
      },
      async (request, reply) => {
        await service.report(request.principal, { type: 'reply', id: request.params.replyId }, request.body);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/reviews/:reviewId/moderation',
      {
        config: { access: access(RULES.moderate) },
        schema: {
          operationId: 'moderateReview',
          summary: 'Remove a review with a reason, or publish it (moderators: managers and owners)',
          description:
            '`remove` needs a `reason` (422 REASON_REQUIRED), shown on the tombstone; `publish` releases a held review or restores a removed one. Audited.',
          tags: TAGS,
          ...SIGNED,
          params: ReviewParams,
          body: ModerationBody,
          response: { 200: Review, ...WRITE_PROBLEMS },
        },
      },
      async (request) => service.moderateReview(request.principal, request.params.reviewId, request.body),
    );

    app.post(
      '/review-replies/:replyId/moderation',
      {
        config: { access: access(RULES.moderate) },
        schema: {
          operationId: 'moderateReviewReply',
          summary: 'Remove a reply with a reason, or publish it (moderators: managers and owners)',
          description: 'As for reviews. Audited.',
          tags: TAGS,
          ...SIGNED,
          params: ReplyParams,
          body: ModerationBody,
          response: { 200: Reply, ...WRITE_PROBLEMS },
        },
      },
      async (request) => service.moderateReply(request.principal, request.params.replyId, request.body, 'moderator'),
    );

    app.post(
      '/review-replies/:replyId/hide',
      {
        config: { access: access(RULES.storeVoice) },
        schema: {
          operationId: 'hideReviewReply',
          summary: 'Hide a reply on one of the store’s reviews (the store’s staff)',
          description: 'The reply becomes a tombstone (`removed`, with the reason if given). Audited.',
          tags: TAGS,
          ...SIGNED,
          params: ReplyParams,
          body: HideBody,
          response: { 200: Reply, ...WRITE_PROBLEMS },
        },
      },
      async (request) =>
        service.moderateReply(
          request.principal,
          request.params.replyId,
          { action: 'remove', reason: request.body.reason ?? 'Hidden by the store' },
          'store',
        ),
    );

    app.get(
      '/stores/:storeId/reviews/search',
      {
        config: { access: access(RULES.storeVoice) },
        schema: {
          operationId: 'searchStoreReviews',
          summary: 'Search a store’s reviews in every state (the store’s staff)',
          description:
            '`q`: full-text over the comments (web search syntax: words, "phrases", -not); `status=held` is the moderation queue. Newest first, content shown whatever the state.',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          querystring: SearchQuery,
          response: { 200: ReviewPage, ...problems(400, 401, 403, 404, 429) },
        },
      },
      async (request) => service.search(request.principal, request.params.storeId, request.query),
    );

    app.get(
      '/stores/:storeId/held-review-replies',
      {
        config: { access: access(RULES.moderate) },
        schema: {
          operationId: 'listHeldReviewReplies',
          summary: 'Replies held for a moderator at a store (moderators)',
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          querystring: HeldRepliesQuery,
          response: { 200: ReplyPage, ...problems(400, 401, 403, 404, 429) },
        },
      },
      async (request) => service.heldReplies(request.principal, request.params.storeId, request.query),
    );
  };
}
