// SQL of reviews, their revisions, helpful votes and the store's rating tallies. Every function
// takes the executor (the pool or a transaction) first, so services decide what runs where.
import { sql } from 'kysely';
import { tables as t, type Executor, type ReviewRow } from './tables.js';

/** Live = shown in the store's list and counted in its summary. */
const LIVE = sql<boolean>`state = 'published' AND deleted_at IS NULL`;
/**
 * A review row's columns, without the generated `search` vector: the hot public list never
 * shows it, and it is the widest column to send and parse (selectAll would bring it).
 */
const ROW_COLUMNS = [
  'id',
  'organization_id',
  'store_id',
  'order_id',
  'author_id',
  'channel',
  'rating',
  'food_rating',
  'delivery_rating',
  'comment',
  'photos',
  'state',
  'moderation_reason',
  'moderated_by',
  'moderated_at',
  'deleted_at',
  'helpful_count',
  'report_count',
  'reply_count',
  'reply_seq',
  'revision',
  'created_at',
  'edited_at',
] as const satisfies ReadonlyArray<keyof ReviewRow>;
/** Tallies a store's rating summary is split over (migration 0016). */
export const TALLY_SHARDS = 8;

export type NewReview = Omit<
  ReviewRow,
  | 'helpful_count'
  | 'report_count'
  | 'reply_count'
  | 'reply_seq'
  | 'revision'
  | 'edited_at'
  | 'deleted_at'
  | 'moderated_by'
  | 'moderated_at'
>;

export interface ListFilter {
  storeId: string;
  sort: 'newest' | 'helpful';
  rating: number | null;
  after: { id: string; helpful: number } | null;
  limit: number;
}

export interface Tally {
  review_count: number;
  rating_sum: number;
  counts: [number, number, number, number, number];
}

export const reviewsRepo = {
  /** Null when the order already has its review (the unique order_id decides races). */
  async insert(ex: Executor, row: NewReview): Promise<ReviewRow | null> {
    const inserted = await t(ex)
      .insertInto('reviews')
      .values(row)
      .onConflict((conflict) => conflict.column('order_id').doNothing())
      .returningAll()
      .executeTakeFirst();
    return (inserted as ReviewRow | undefined) ?? null;
  },

  async find(ex: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<ReviewRow | null> {
    let query = t(ex).selectFrom('reviews').selectAll().where('id', '=', id);
    if (options.forUpdate) query = query.forUpdate();
    return ((await query.executeTakeFirst()) as ReviewRow | undefined) ?? null;
  },

  async findMany(ex: Executor, ids: string[]): Promise<ReviewRow[]> {
    if (ids.length === 0) return [];
    return (await t(ex).selectFrom('reviews').selectAll().where('id', 'in', ids).execute()) as ReviewRow[];
  },

  async update(ex: Executor, id: string, change: Partial<ReviewRow>): Promise<ReviewRow> {
    return (await t(ex)
      .updateTable('reviews')
      .set(change)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()) as ReviewRow;
  },

  /** Keeps the version an edit replaces (history). */
  async keepRevision(ex: Executor, row: ReviewRow, at: Date): Promise<void> {
    await t(ex)
      .insertInto('review_revisions')
      .values({
        review_id: row.id,
        revision: row.revision,
        rating: row.rating,
        food_rating: row.food_rating,
        delivery_rating: row.delivery_rating,
        comment: row.comment,
        photos: row.photos,
        replaced_at: at,
      })
      .execute();
  },

  async revisionCount(ex: Executor, id: string): Promise<number> {
    const row = await t(ex)
      .selectFrom('review_revisions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('review_id', '=', id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /** A page of a store's live reviews (limit + 1 rows), newest or most helpful first, by the partial indexes. */
  async listLive(ex: Executor, filter: ListFilter): Promise<ReviewRow[]> {
    let query = t(ex).selectFrom('reviews').select(ROW_COLUMNS).where('store_id', '=', filter.storeId).where(LIVE);
    if (filter.rating !== null) query = query.where('rating', '=', filter.rating);
    const after = filter.after;
    if (filter.sort === 'helpful') {
      if (after) query = query.where(sql<boolean>`(helpful_count, id) < (${after.helpful}::int, ${after.id}::uuid)`);
      query = query.orderBy('helpful_count', 'desc').orderBy('id', 'desc');
    } else {
      if (after) query = query.where('id', '<', after.id);
      query = query.orderBy('id', 'desc');
    }
    return (await query.limit(filter.limit + 1).execute()) as ReviewRow[];
  },

  /** Staff search: every state, full-text over the comments, newest first. */
  async search(
    ex: Executor,
    filter: { storeId: string; q: string | null; state: string | null; afterId: string | null; limit: number },
  ): Promise<ReviewRow[]> {
    let query = t(ex).selectFrom('reviews').selectAll().where('store_id', '=', filter.storeId);
    if (filter.q !== null) query = query.where(sql<boolean>`search @@ websearch_to_tsquery('simple', ${filter.q})`);
    if (filter.state !== null) query = query.where('state', '=', filter.state as ReviewRow['state']);
    if (filter.afterId !== null) query = query.where('id', '<', filter.afterId);
    return (await query
      .orderBy('id', 'desc')
      .limit(filter.limit + 1)
      .execute()) as ReviewRow[];
  },

  /**
   * Moves the store's summary by one review's rating: `+1` counts it, `-1` takes it out. One
   * statement on a shard chosen by the caller, so concurrent reviews spread over the shards.
   */
  async adjustTally(
    ex: Executor,
    input: { storeId: string; organizationId: string; shard: number; rating: number; delta: 1 | -1 },
  ): Promise<void> {
    const { delta, rating } = input;
    const c = (star: number) => (rating === star ? delta : 0);
    await sql`
      INSERT INTO review_rating_tallies AS t
        (store_id, shard, organization_id, review_count, rating_sum, count_1, count_2, count_3, count_4, count_5)
      VALUES (${input.storeId}, ${input.shard}, ${input.organizationId}, ${delta}, ${delta * rating},
              ${c(1)}, ${c(2)}, ${c(3)}, ${c(4)}, ${c(5)})
      ON CONFLICT (store_id, shard) DO UPDATE SET
        review_count = t.review_count + excluded.review_count,
        rating_sum = t.rating_sum + excluded.rating_sum,
        count_1 = t.count_1 + excluded.count_1,
        count_2 = t.count_2 + excluded.count_2,
        count_3 = t.count_3 + excluded.count_3,
        count_4 = t.count_4 + excluded.count_4,
        count_5 = t.count_5 + excluded.count_5`.execute(ex);
  },

  async tally(ex: Executor, storeId: string): Promise<Tally> {
    const { rows } = await sql<{
      n: string;
      total: string;
      c1: string;
      c2: string;
      c3: string;
      c4: string;
      c5: string;
    }>`
      SELECT coalesce(sum(review_count), 0) AS n, coalesce(sum(rating_sum), 0) AS total,
             coalesce(sum(count_1), 0) AS c1, coalesce(sum(count_2), 0) AS c2, coalesce(sum(count_3), 0) AS c3,
             coalesce(sum(count_4), 0) AS c4, coalesce(sum(count_5), 0) AS c5
      FROM review_rating_tallies WHERE store_id = ${storeId}`.execute(ex);
    const row = rows[0]!;
    return {
      review_count: Number(row.n),
      rating_sum: Number(row.total),
      counts: [Number(row.c1), Number(row.c2), Number(row.c3), Number(row.c4), Number(row.c5)],
    };
  },

  /** The summary computed from the reviews themselves (tests and the invariant it keeps). */
  async recount(ex: Executor, storeId: string): Promise<Tally> {
    const rows = await t(ex)
      .selectFrom('reviews')
      .select(['rating', (eb) => eb.fn.countAll<string>().as('n')])
      .where('store_id', '=', storeId)
      .where(LIVE)
      .groupBy('rating')
      .execute();
    const counts: Tally['counts'] = [0, 0, 0, 0, 0];
    for (const row of rows) counts[row.rating - 1] = Number(row.n);
    return {
      review_count: counts.reduce((a, b) => a + b, 0),
      rating_sum: counts.reduce((sum, n, index) => sum + n * (index + 1), 0),
      counts,
    };
  },

  /** Takes the next reply position under the review's row lock (commit order: exact keyset paging). */
  async takeReplyPosition(ex: Executor, reviewId: string): Promise<string> {
    const row = await t(ex)
      .updateTable('reviews')
      .set({ reply_seq: sql`reply_seq + 1`, reply_count: sql`reply_count + 1` })
      .where('id', '=', reviewId)
      .returning('reply_seq')
      .executeTakeFirstOrThrow();
    return String(row.reply_seq);
  },

  /** One helpful vote per account; true when this call counted one. */
  async vote(ex: Executor, reviewId: string, userId: string, at: Date): Promise<boolean> {
    const inserted = await t(ex)
      .insertInto('review_votes')
      .values({ review_id: reviewId, user_id: userId, created_at: at })
      .onConflict((conflict) => conflict.columns(['review_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    if (!inserted) return false;
    await t(ex)
      .updateTable('reviews')
      .set((eb) => ({ helpful_count: eb('helpful_count', '+', 1) }))
      .where('id', '=', reviewId)
      .execute();
    return true;
  },

  async unvote(ex: Executor, reviewId: string, userId: string): Promise<boolean> {
    const deleted = await t(ex)
      .deleteFrom('review_votes')
      .where('review_id', '=', reviewId)
      .where('user_id', '=', userId)
      .returning('user_id')
      .executeTakeFirst();
    if (!deleted) return false;
    await t(ex)
      .updateTable('reviews')
      .set((eb) => ({ helpful_count: eb('helpful_count', '-', 1) }))
      .where('id', '=', reviewId)
      .execute();
    return true;
  },
};
