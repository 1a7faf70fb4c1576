// The shapes of the reviews tables (migration 0016), for Kysely. Only this module's repos use them.
import type { Generated, Kysely } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';

export type ModerationState = 'published' | 'held' | 'removed';
export type AuthorRole = 'store' | 'customer';
export type Channel = 'pickup' | 'delivery' | 'dine_in';

export interface ReviewRow {
  id: string;
  organization_id: string;
  store_id: string;
  order_id: string;
  author_id: string | null;
  channel: Channel;
  rating: number;
  food_rating: number | null;
  delivery_rating: number | null;
  comment: string | null;
  photos: string[];
  state: ModerationState;
  moderation_reason: string | null;
  moderated_by: string | null;
  moderated_at: Date | null;
  deleted_at: Date | null;
  helpful_count: number;
  report_count: number;
  reply_count: number;
  reply_seq: string;
  revision: number;
  created_at: Date;
  edited_at: Date | null;
}

export interface ReplyRow {
  id: string;
  organization_id: string;
  store_id: string;
  review_id: string;
  parent_id: string | null;
  in_reply_to: string | null;
  depth: number;
  /** bigint: pg hands it over as a string. */
  position: string;
  author_id: string | null;
  author_role: AuthorRole;
  body: string | null;
  state: ModerationState;
  moderation_reason: string | null;
  moderated_by: string | null;
  moderated_at: Date | null;
  deleted_at: Date | null;
  report_count: number;
  reply_count: number;
  created_at: Date;
  edited_at: Date | null;
}

// Types, not interfaces: withTables<T> needs index-signature-compatible records.
export type ReviewsTables = {
  reviews: Omit<
    ReviewRow,
    | 'reply_seq'
    | 'helpful_count'
    | 'report_count'
    | 'reply_count'
    | 'revision'
    | 'edited_at'
    | 'deleted_at'
    | 'moderated_by'
    | 'moderated_at'
  > & {
    reply_seq: Generated<string>;
    helpful_count: Generated<number>;
    report_count: Generated<number>;
    reply_count: Generated<number>;
    revision: Generated<number>;
    edited_at: Generated<Date | null>;
    deleted_at: Generated<Date | null>;
    moderated_by: Generated<string | null>;
    moderated_at: Generated<Date | null>;
  };
  review_revisions: {
    review_id: string;
    revision: number;
    rating: number;
    food_rating: number | null;
    delivery_rating: number | null;
    comment: string | null;
    photos: string[];
    replaced_at: Date;
  };
  review_replies: Omit<
    ReplyRow,
    'report_count' | 'reply_count' | 'edited_at' | 'deleted_at' | 'moderated_by' | 'moderated_at'
  > & {
    report_count: Generated<number>;
    reply_count: Generated<number>;
    edited_at: Generated<Date | null>;
    deleted_at: Generated<Date | null>;
    moderated_by: Generated<string | null>;
    moderated_at: Generated<Date | null>;
  };
  review_votes: { review_id: string; user_id: string; created_at: Date };
  review_reports: {
    target_type: 'review' | 'reply';
    target_id: string;
    reporter_id: string;
    organization_id: string;
    reason: string;
    note: string | null;
    created_at: Date;
  };
  review_rating_tallies: {
    store_id: string;
    shard: number;
    organization_id: string;
    review_count: number;
    rating_sum: string | number;
    count_1: number;
    count_2: number;
    count_3: number;
    count_4: number;
    count_5: number;
  };
};

export type Executor = Kysely<PlatformTables>;
export const tables = (ex: Executor) => ex.withTables<ReviewsTables>();
