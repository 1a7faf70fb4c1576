// SQL of review replies and reports. Replies are read per parent in position order (positions are
// taken under the review's row lock, so they grow in commit order); the thread view's first
// replies of each level come for many parents in one statement (no N+1).
import { sql } from 'kysely';
import { tables as t, type Executor, type ReplyRow } from './tables.js';

export type NewReply = Omit<
  ReplyRow,
  'report_count' | 'reply_count' | 'edited_at' | 'deleted_at' | 'moderated_by' | 'moderated_at'
>;

/** The parent a reply set is read under: a reply, or the review's top level. */
export interface ParentKey {
  reviewId: string;
  parentId: string | null;
}

export const repliesRepo = {
  async insert(ex: Executor, row: NewReply): Promise<ReplyRow> {
    return (await t(ex).insertInto('review_replies').values(row).returningAll().executeTakeFirstOrThrow()) as ReplyRow;
  },

  async find(ex: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<ReplyRow | null> {
    let query = t(ex).selectFrom('review_replies').selectAll().where('id', '=', id);
    if (options.forUpdate) query = query.forUpdate();
    return ((await query.executeTakeFirst()) as ReplyRow | undefined) ?? null;
  },

  async update(ex: Executor, id: string, change: Partial<ReplyRow>): Promise<ReplyRow> {
    return (await t(ex)
      .updateTable('review_replies')
      .set(change)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()) as ReplyRow;
  },

  async countChild(ex: Executor, parentId: string): Promise<void> {
    await t(ex)
      .updateTable('review_replies')
      .set((eb) => ({ reply_count: eb('reply_count', '+', 1) }))
      .where('id', '=', parentId)
      .execute();
  },

  /** Direct replies under one parent after `afterPosition`, in position order (limit + 1 rows). */
  async children(
    ex: Executor,
    parent: ParentKey,
    page: { afterPosition: string | null; limit: number },
  ): Promise<ReplyRow[]> {
    let query = t(ex)
      .selectFrom('review_replies')
      .selectAll()
      .where('review_id', '=', parent.reviewId)
      .where('parent_id', parent.parentId === null ? 'is' : '=', parent.parentId);
    if (page.afterPosition !== null) query = query.where('position', '>', page.afterPosition);
    return (await query
      .orderBy('position')
      .limit(page.limit + 1)
      .execute()) as ReplyRow[];
  },

  /**
   * The first `perParent + 1` direct replies of each parent, in one statement: the top level of
   * these reviews (`parentIds` null) or the children of these replies.
   */
  async firstChildren(
    ex: Executor,
    scope: { reviewIds: string[]; parentIds: string[] | null },
    perParent: number,
  ): Promise<ReplyRow[]> {
    if (scope.reviewIds.length === 0 || (scope.parentIds !== null && scope.parentIds.length === 0)) return [];
    const under =
      scope.parentIds === null
        ? sql`review_id = ANY(${scope.reviewIds}::uuid[]) AND parent_id IS NULL`
        : sql`review_id = ANY(${scope.reviewIds}::uuid[]) AND parent_id = ANY(${scope.parentIds}::uuid[])`;
    const { rows } = await sql<ReplyRow & { n: string }>`
      SELECT * FROM (
        SELECT r.*, row_number() OVER (PARTITION BY review_id, parent_id ORDER BY position) AS n
        FROM review_replies r WHERE ${under}
      ) ranked WHERE n <= ${perParent + 1} ORDER BY review_id, parent_id, position`.execute(ex);
    return rows;
  },

  /** The moderation queue: a store's held replies, newest first. */
  async held(ex: Executor, storeId: string, page: { afterId: string | null; limit: number }): Promise<ReplyRow[]> {
    let query = t(ex)
      .selectFrom('review_replies')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('state', '=', 'held');
    if (page.afterId !== null) query = query.where('id', '<', page.afterId);
    return (await query
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute()) as ReplyRow[];
  },

  /**
   * One report per account per target; true when this call counted one (the target's
   * report_count moved, in the same statement as the caller's locked read).
   */
  async report(
    ex: Executor,
    input: {
      targetType: 'review' | 'reply';
      targetId: string;
      reporterId: string;
      organizationId: string;
      reason: string;
      note: string | null;
      at: Date;
    },
  ): Promise<boolean> {
    const inserted = await t(ex)
      .insertInto('review_reports')
      .values({
        target_type: input.targetType,
        target_id: input.targetId,
        reporter_id: input.reporterId,
        organization_id: input.organizationId,
        reason: input.reason,
        note: input.note,
        created_at: input.at,
      })
      .onConflict((conflict) => conflict.columns(['target_id', 'reporter_id']).doNothing())
      .returning('reporter_id')
      .executeTakeFirst();
    if (!inserted) return false;
    if (input.targetType === 'review')
      await t(ex)
        .updateTable('reviews')
        .set((eb) => ({ report_count: eb('report_count', '+', 1) }))
        .where('id', '=', input.targetId)
        .execute();
    else
      await t(ex)
        .updateTable('review_replies')
        .set((eb) => ({ report_count: eb('report_count', '+', 1) }))
        .where('id', '=', input.targetId)
        .execute();
    return true;
  },
};
