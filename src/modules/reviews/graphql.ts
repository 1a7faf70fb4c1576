// Reviews in the storefront GraphQL: a store's reviews and rating summary, and any review's
// thread, read-only and public like the rest of /graphql. Replies come through per-request batch
// loaders, one query per thread level for the whole page (no N+1).
import { GraphQLError } from 'graphql';
import type { IResolvers } from 'mercurius';
import type { Db } from '../../platform/db/index.js';
import type { GraphqlExtension } from '../../platform/http/graphql.js';
import { isUuid } from '../../platform/http/schema.js';
import { batchLoader, perRequest } from './batch-loader.js';
import { presentReply, presentReview, type Viewer } from './present.js';
import { repliesRepo } from './reply-repo.js';
import { reviewsRepo } from './repo.js';
import type { Reply, Review } from './schema.js';
import type { ReviewsService } from './service.js';
import type { ReplyRow } from './tables.js';

const SDL = /* GraphQL */ `
  enum ReviewStatus {
    published
    held
    removed
    deleted
  }

  enum ReplyAuthorRole {
    store
    customer
  }

  type RatingSummary {
    "Mean overall rating, two decimals; null without reviews."
    average: Float
    count: Int!
    "Reviews with 1, 2, 3, 4 and 5 stars."
    histogram: [Int!]!
  }

  type ReviewPage {
    nodes: [Review!]!
    nextCursor: String
    hasMore: Boolean!
  }

  type Review {
    id: ID!
    status: ReviewStatus!
    "true: removed, held or deleted; no content shown."
    tombstone: Boolean!
    rating: Int
    foodRating: Int
    deliveryRating: Int
    comment: String
    photos: [String!]!
    helpfulCount: Int!
    replyCount: Int!
    createdAt: String!
    editedAt: String
    "The first replies to the review (at most 20), oldest first."
    replies(first: Int): [Reply!]!
  }

  type Reply {
    id: ID!
    depth: Int!
    authorRole: ReplyAuthorRole!
    status: ReviewStatus!
    tombstone: Boolean!
    body: String
    inReplyTo: ID
    replyCount: Int!
    createdAt: String!
    "The first direct replies (at most 20), oldest first; empty at the depth cap."
    replies(first: Int): [Reply!]!
  }

  extend type Store {
    "Published reviews, newest first (or sort: helpful); at most 50 a page."
    reviews(first: Int, after: String, rating: Int, sort: String): ReviewPage!
    ratingSummary: RatingSummary!
  }

  extend type Query {
    "A review by id (a tombstone when removed or deleted); null when there is none."
    review(id: ID!): Review
  }
`;

const ANONYMOUS: Viewer = { userId: null, moderator: false };
const badInput = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

function bounded(first: number | null | undefined, fallback: number, max: number): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > max) throw badInput(`\`first\` must be between 1 and ${max}.`);
  return first;
}

/** The first `first` children of each parent, for all parents asked in one tick. */
function childLoaders(db: Db) {
  const byFirst = new Map<string, (key: string) => Promise<ReplyRow[] | undefined>>();
  return (kind: 'review' | 'reply', first: number) => {
    const name = `${kind}:${first}`;
    let loader = byFirst.get(name);
    if (!loader) {
      loader = batchLoader<string, ReplyRow[]>(async (keys) => {
        // keys: review ids (top level) or "reviewId/replyId" (a reply's children).
        const pairs = keys.map((key) => key.split('/') as [string, string?]);
        const reviewIds = [...new Set(pairs.map(([reviewId]) => reviewId))];
        const parentIds = kind === 'review' ? null : pairs.map(([, replyId]) => replyId!);
        const rows = await repliesRepo.firstChildren(db, { reviewIds, parentIds }, first - 1);
        const grouped = new Map<string, ReplyRow[]>();
        for (const row of rows) {
          const key = kind === 'review' ? row.review_id : `${row.review_id}/${row.parent_id}`;
          grouped.set(key, [...(grouped.get(key) ?? []), row]);
        }
        return grouped;
      });
      byFirst.set(name, loader);
    }
    return loader;
  };
}

export function reviewsGraphql(deps: { db: Db; service: ReviewsService }): GraphqlExtension {
  const loaders = perRequest(() => childLoaders(deps.db));
  const present = (row: ReplyRow) => presentReply(row, ANONYMOUS);
  const resolvers: IResolvers = {
    Query: {
      async review(_root: unknown, args: { id: string }): Promise<Review | null> {
        if (!isUuid(args.id)) return null;
        const row = await reviewsRepo.find(deps.db, args.id);
        return row ? presentReview(row, ANONYMOUS) : null;
      },
    },
    Store: {
      async reviews(
        store: { id: string },
        args: { first?: number | null; after?: string | null; rating?: number | null; sort?: string | null },
      ) {
        const sort = args.sort ?? 'newest';
        if (sort !== 'newest' && sort !== 'helpful') throw badInput('`sort` is newest or helpful.');
        if (args.rating != null && (!Number.isInteger(args.rating) || args.rating < 1 || args.rating > 5))
          throw badInput('`rating` is 1 to 5.');
        if (args.after != null && args.after.length > 512) throw badInput('`after` is not a cursor.');
        const page = await deps.service.listStoreReviews(store.id, {
          limit: bounded(args.first, 20, 50),
          cursor: args.after ?? undefined,
          rating: args.rating ?? undefined,
          sort,
        });
        return { nodes: page.data, nextCursor: page.next_cursor, hasMore: page.has_more };
      },
      async ratingSummary(store: { id: string }) {
        const summary = await deps.service.ratingSummary(store.id);
        const h = summary.histogram;
        return { average: summary.average, count: summary.count, histogram: [h[1], h[2], h[3], h[4], h[5]] };
      },
    },
    Review: {
      foodRating: (review: Review) => review.food_rating,
      deliveryRating: (review: Review) => review.delivery_rating,
      helpfulCount: (review: Review) => review.helpful_count,
      replyCount: (review: Review) => review.reply_count,
      createdAt: (review: Review) => review.created_at,
      editedAt: (review: Review) => review.edited_at,
      async replies(review: Review, args: { first?: number | null }, context: object) {
        const first = bounded(args.first, 10, 20);
        return ((await loaders(context)('review', first)(review.id)) ?? []).slice(0, first).map(present);
      },
    },
    Reply: {
      authorRole: (reply: Reply) => reply.author_role,
      inReplyTo: (reply: Reply) => reply.in_reply_to,
      replyCount: (reply: Reply) => reply.reply_count,
      createdAt: (reply: Reply) => reply.created_at,
      async replies(reply: Reply, args: { first?: number | null }, context: object) {
        const first = bounded(args.first, 3, 20);
        if (reply.depth >= 3) return [];
        const rows = (await loaders(context)('reply', first)(`${reply.review_id}/${reply.id}`)) ?? [];
        return rows.slice(0, first).map(present);
      },
    },
  };
  return { typeDefs: SDL, resolvers };
}
