// Request and response schemas of the review routes: one source for validation, serialization,
// TypeScript types and the OpenAPI document. Threads are at most three levels deep, so the
// thread view is three explicit levels rather than a recursive schema.
import { Type, type Static, type TSchema } from 'typebox';
import { Count, Int, Page, PaginationQuery, Timestamp, Token, Uuid } from '../../platform/http/schema.js';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Longest review comment or reply body, in characters (the migration checks it too). */
export const MAX_TEXT = 2000;
/** Deepest reply level; a reply to a reply at this depth attaches beside it (ADR 0028). */
export const MAX_DEPTH = 3;

/**
 * Plain text a person writes: no control characters but newlines and tabs (PostgreSQL refuses
 * NUL, and nothing a guest writes needs the others). Clients render it as text, never as HTML.
 */
const PersonText = (maxLength: number, description: string) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$',
    description,
  });

const Stars = (description: string) => Int(1, 5, { description });
const PhotoUrl = Type.String({
  format: 'uri',
  maxLength: 2048,
  pattern: '^https://[^\\s]+$',
  description: 'An https URL of a photo the guest uploaded elsewhere',
});
const Photos = Type.Array(PhotoUrl, { maxItems: 4, description: 'Up to four photo URLs' });

export const OrderParams = Type.Object({ orderId: Uuid }, closed);
export const StoreParams = Type.Object({ storeId: Uuid }, closed);
export const ReviewParams = Type.Object({ reviewId: Uuid }, closed);
export const ReplyParams = Type.Object({ replyId: Uuid }, closed);

export const CreateReviewBody = Type.Object(
  {
    rating: Stars('Overall, 1 to 5 stars'),
    food_rating: Type.Optional(Stars('The food, 1 to 5')),
    delivery_rating: Type.Optional(Stars('The delivery, 1 to 5 (delivery orders only)')),
    comment: Type.Optional(PersonText(MAX_TEXT, 'What the guest says, plain text')),
    photos: Type.Optional(Photos),
  },
  closed,
);
export type CreateReviewBody = Static<typeof CreateReviewBody>;

export const EditReviewBody = Type.Object(
  {
    rating: Type.Optional(Stars('Overall, 1 to 5 stars')),
    food_rating: Type.Optional(Nullable(Stars('The food, 1 to 5; null clears it'))),
    delivery_rating: Type.Optional(Nullable(Stars('The delivery, 1 to 5; null clears it'))),
    comment: Type.Optional(Nullable(PersonText(MAX_TEXT, 'Plain text; null clears it'))),
    photos: Type.Optional(Photos),
  },
  { ...closed, minProperties: 1 },
);
export type EditReviewBody = Static<typeof EditReviewBody>;

export const SORTS = ['newest', 'helpful'] as const;
export const ReviewListQuery = Type.Object(
  {
    ...PaginationQuery,
    sort: Type.Optional(
      Type.Union([Type.Literal('newest'), Type.Literal('helpful')], {
        description: '`newest` (default) or `helpful` (most helpful votes first)',
      }),
    ),
    rating: Type.Optional(Stars('Only reviews with this overall rating')),
  },
  closed,
);
export type ReviewListQuery = Static<typeof ReviewListQuery>;

export const STATES = ['published', 'held', 'removed', 'deleted'] as const;
export type ShownState = (typeof STATES)[number];
const State = Type.Union(
  [Type.Literal('published'), Type.Literal('held'), Type.Literal('removed'), Type.Literal('deleted')],
  {
    description:
      '`published`; `held` (waiting for a moderator: reports or the blocklist); `removed` by a moderator or hidden by the store; `deleted` by its author. Anything but published shows as a tombstone (no content) to everyone but its author and the store’s moderators.',
  },
);

export const Review = Type.Object({
  id: Uuid,
  store_id: Uuid,
  order_id: Uuid,
  channel: Type.Union([Type.Literal('pickup'), Type.Literal('delivery'), Type.Literal('dine_in')]),
  status: State,
  tombstone: Type.Boolean({ description: 'true: the content is not shown (see status)' }),
  rating: Nullable(Int(1, 5)),
  food_rating: Nullable(Int(1, 5)),
  delivery_rating: Nullable(Int(1, 5)),
  comment: Nullable(Type.String({ maxLength: MAX_TEXT })),
  photos: Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 4 }),
  mine: Type.Boolean({
    description: 'The caller wrote it (public reads carry no credentials: false there)',
  }),
  moderation_reason: Nullable(Type.String({ maxLength: 500 })),
  helpful_count: Count(),
  reply_count: Count({ description: 'Replies in the whole thread' }),
  created_at: Timestamp,
  edited_at: Nullable(Timestamp),
});
export type Review = Static<typeof Review>;

export const RatingSummary = Type.Object({
  average: Nullable(Type.Number({ minimum: 1, maximum: 5, description: 'Mean overall rating, two decimals' })),
  count: Count({ description: 'Published reviews' }),
  histogram: Type.Object({ 1: Count(), 2: Count(), 3: Count(), 4: Count(), 5: Count() }),
});
export type RatingSummary = Static<typeof RatingSummary>;

export const ReviewList = Type.Object({
  data: Type.Array(Review, { maxItems: 100 }),
  next_cursor: Nullable(Token()),
  has_more: Type.Boolean(),
  rating_summary: RatingSummary,
});

export const ReviewPage = Page(Review);

const replyFields = {
  id: Uuid,
  review_id: Uuid,
  parent_reply_id: Nullable(Uuid),
  in_reply_to: Nullable(Type.Union([Uuid], { description: 'The reply this one answers (kept at the depth cap)' })),
  depth: Int(1, MAX_DEPTH, { description: '1: a reply to the review; 2: to a reply; capped at 3' }),
  author_role: Type.Union([Type.Literal('store'), Type.Literal('customer')], {
    description: '`store`: the restaurant’s answer (written by its staff)',
  }),
  status: State,
  tombstone: Type.Boolean(),
  body: Nullable(Type.String({ maxLength: MAX_TEXT })),
  mine: Type.Boolean(),
  moderation_reason: Nullable(Type.String({ maxLength: 500 })),
  reply_count: Count({ description: 'Direct replies to this one' }),
  created_at: Timestamp,
  edited_at: Nullable(Timestamp),
};
export const Reply = Type.Object(replyFields);
export type Reply = Static<typeof Reply>;
export const ReplyPage = Page(Reply);

const more = {
  replies_cursor: Nullable(Token({ description: 'More direct replies: GET …/replies?parent=<id>&cursor=' })),
};
const ThreadLevel3 = Type.Object(replyFields);
const ThreadLevel2 = Type.Object({ ...replyFields, replies: Type.Array(ThreadLevel3, { maxItems: 100 }), ...more });
const ThreadLevel1 = Type.Object({ ...replyFields, replies: Type.Array(ThreadLevel2, { maxItems: 100 }), ...more });
export type ThreadLevel3 = Static<typeof ThreadLevel3>;
export type ThreadLevel2 = Static<typeof ThreadLevel2>;
export type ThreadLevel1 = Static<typeof ThreadLevel1>;

export const ReviewThread = Type.Object({
  ...Review.properties,
  replies: Type.Array(ThreadLevel1, { maxItems: 100 }),
  replies_cursor: Nullable(Token({ description: 'More replies to the review: GET …/replies?cursor=' })),
});

export const ReplyBody = Type.Object(
  {
    body: PersonText(MAX_TEXT, 'Plain text'),
    parent_reply_id: Type.Optional(Uuid),
  },
  closed,
);
export const EditReplyBody = Type.Object({ body: PersonText(MAX_TEXT, 'Plain text') }, closed);

export const RepliesQuery = Type.Object(
  {
    ...PaginationQuery,
    parent: Type.Optional(
      Type.Union([Uuid], { description: 'A reply’s id: its direct replies; absent: the review’s' }),
    ),
  },
  closed,
);
export type RepliesQuery = Static<typeof RepliesQuery>;

export const REPORT_REASONS = ['spam', 'abuse', 'off_topic', 'personal_data', 'other'] as const;
export const ReportBody = Type.Object(
  {
    reason: Type.Union([
      Type.Literal('spam'),
      Type.Literal('abuse'),
      Type.Literal('off_topic'),
      Type.Literal('personal_data'),
      Type.Literal('other'),
    ]),
    note: Type.Optional(PersonText(500, 'What is wrong with it')),
  },
  closed,
);

export const ModerationBody = Type.Object(
  {
    action: Type.Union([Type.Literal('remove'), Type.Literal('publish')], {
      description: '`remove` (a tombstone with the reason) or `publish` (release a held one, or restore)',
    }),
    reason: Type.Optional(PersonText(500, 'Required to remove; shown on the tombstone')),
  },
  closed,
);
export const HideBody = Type.Object({ reason: Type.Optional(PersonText(500, 'Shown on the tombstone')) }, closed);

export const SearchQuery = Type.Object(
  {
    ...PaginationQuery,
    q: Type.Optional(PersonText(200, 'Words to find in the comments (web search syntax)')),
    status: Type.Optional(
      Type.Union([Type.Literal('published'), Type.Literal('held'), Type.Literal('removed')], {
        description: 'Only reviews in this moderation state (`held`: the moderation queue)',
      }),
    ),
  },
  closed,
);
export type SearchQuery = Static<typeof SearchQuery>;

export const HeldRepliesQuery = Type.Object(PaginationQuery, closed);
