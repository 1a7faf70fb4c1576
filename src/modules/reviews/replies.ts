// Replies in a review's thread: by its author, other signed-in guests, or the store's staff (the
// restaurant's answer). Depth is capped at MAX_DEPTH: a reply to a reply at the cap hangs beside
// it (same parent) and names the one it answers in `in_reply_to`. Positions are taken under the
// review's row lock, so they grow in commit order and paging per parent is exact (ADR 0028).
import { v7 as uuidv7 } from 'uuid';
import { recordAudit } from '../../platform/audit/index.js';
import { requireUser, type Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Tx } from '../../platform/db/index.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/http/errors.js';
import { decodeCursor, toPage, type PageOf } from '../../platform/http/schema.js';
import { speaksForStore } from './access.js';
import type { ReviewsServiceDeps } from './deps.js';
import { reviewAggregate } from './events.js';
import { presentReply } from './present.js';
import { repliesRepo } from './reply-repo.js';
import { reviewsRepo } from './repo.js';
import { EDIT_WINDOW_MS, viewerOf } from './reviews.js';
import { MAX_DEPTH, type Reply, type RepliesQuery } from './schema.js';
import { isBlocked, tidy } from './screening.js';
import type { ReplyRow } from './tables.js';

const emptyReply = () => new ValidationError([{ path: '/body/body', message: 'must contain some text' }]);
const POSITION = /^\d{1,18}$/;
const live = (row: { state: string; deleted_at: Date | null }) => row.state === 'published' && row.deleted_at === null;

export const positionCursor = (row: ReplyRow): Record<string, string> => ({ p: String(row.position) });
export const decodePosition = (cursor: string | undefined): string | null =>
  decodeCursor(cursor, ['p'] as const, (key) => POSITION.test(key.p))?.p ?? null;

export function createReplies(deps: ReviewsServiceDeps) {
  const { db, events, clock } = deps;

  async function ownReply(trx: Tx, principal: Principal | null, replyId: string) {
    const user = requireUser(principal);
    const row = await repliesRepo.find(trx, replyId, { forUpdate: true });
    if (!row) throw new NotFoundError('reply');
    if (row.author_id !== user.userId)
      throw new ForbiddenError('Only its author may change a reply.', 'NOT_YOUR_REPLY');
    if (row.deleted_at !== null) throw new ConflictError('REPLY_DELETED', 'This reply was deleted.');
    return row;
  }

  /**
   * postReply inside the caller's transaction, without the per-author budget (the caller takes
   * it: postReply before its transaction; the demo seed writes a handful in its own).
   */
  async function postReplyIn(
    trx: Tx,
    principal: Principal | null,
    reviewId: string,
    body: { body: string; parent_reply_id?: string },
  ): Promise<Reply> {
    const user = requireUser(principal);
    const text = tidy(body.body);
    if (text === null) throw emptyReply();
    const now = clock();
    const review = await reviewsRepo.find(trx, reviewId);
    if (!review) throw new NotFoundError('review');
    if (!live(review))
      throw new ConflictError('REVIEW_CLOSED', 'This review takes no replies (held, removed or deleted).');
    let parentId: string | null = null;
    let inReplyTo: string | null = null;
    let depth = 1;
    if (body.parent_reply_id !== undefined) {
      const parent = await repliesRepo.find(trx, body.parent_reply_id);
      if (!parent || parent.review_id !== reviewId) throw new NotFoundError('reply');
      if (!live(parent))
        throw new ConflictError('REPLY_CLOSED', 'That reply takes no answers (held, removed or deleted).');
      inReplyTo = parent.id;
      // At the cap the answer hangs beside the reply it answers, keeping the thread's shape.
      if (parent.depth >= MAX_DEPTH) {
        parentId = parent.parent_id;
        depth = parent.depth;
      } else {
        parentId = parent.id;
        depth = parent.depth + 1;
      }
    }
    const store = speaksForStore(principal, review);
    const blocked = isBlocked(text);
    // Locks the review row: replies of one review take positions one after the other.
    const position = await reviewsRepo.takeReplyPosition(trx, reviewId);
    const row = await repliesRepo.insert(trx, {
      id: uuidv7(),
      organization_id: review.organization_id,
      store_id: review.store_id,
      review_id: reviewId,
      parent_id: parentId,
      in_reply_to: inReplyTo,
      depth,
      position,
      author_id: user.userId,
      author_role: store ? 'store' : 'customer',
      body: text,
      state: blocked ? 'held' : 'published',
      moderation_reason: blocked ? 'Held for review: blocklisted words' : null,
      created_at: now,
    });
    if (parentId !== null) await repliesRepo.countChild(trx, parentId);
    if (store)
      await recordAudit(trx, {
        organizationId: review.organization_id,
        storeId: review.store_id,
        action: 'reviews.reply.posted',
        target: { type: 'review_reply', id: row.id },
        after: { review_id: reviewId, parent_reply_id: parentId, depth, state: row.state },
      });
    await events.append(trx, {
      type: 'reviews.review.replied',
      aggregate: reviewAggregate(reviewId),
      subject: `review/${reviewId}/replies/${row.id}`,
      data: {
        organization_id: review.organization_id,
        store_id: review.store_id,
        review_id: reviewId,
        reply_id: row.id,
        parent_reply_id: parentId,
        in_reply_to: inReplyTo,
        depth,
        author_role: row.author_role,
        state: blocked ? 'held' : 'published',
      },
    });
    return presentReply(row, viewerOf(principal, review));
  }

  return {
    async postReply(
      principal: Principal | null,
      reviewId: string,
      body: { body: string; parent_reply_id?: string },
    ): Promise<Reply> {
      const user = requireUser(principal);
      if (tidy(body.body) === null) throw emptyReply();
      // Before the transaction: a spent budget costs the database nothing.
      await deps.replies.take(user.userId);
      return inTransaction(db, (trx) => postReplyIn(trx, principal, reviewId, body));
    },

    postReplyIn,

    /** Direct replies of the review (no `parent`) or of one of its replies, in thread order. */
    async listReplies(principal: Principal | null, reviewId: string, query: RepliesQuery): Promise<PageOf<Reply>> {
      const limit = query.limit ?? 20;
      const after = decodePosition(query.cursor);
      const review = await reviewsRepo.find(db, reviewId);
      if (!review) throw new NotFoundError('review');
      if (query.parent !== undefined) {
        const parent = await repliesRepo.find(db, query.parent);
        if (!parent || parent.review_id !== reviewId) throw new NotFoundError('reply');
      }
      const rows = await repliesRepo.children(
        db,
        { reviewId, parentId: query.parent ?? null },
        { afterPosition: after, limit },
      );
      const viewer = viewerOf(principal, review);
      return toPage(rows, limit, (row) => presentReply(row, viewer), positionCursor);
    },

    async editReply(principal: Principal | null, replyId: string, body: { body: string }): Promise<Reply> {
      const now = clock();
      const text = tidy(body.body);
      if (text === null) throw emptyReply();
      return inTransaction(db, async (trx) => {
        const before = await ownReply(trx, principal, replyId);
        if (now.getTime() - before.created_at.getTime() > EDIT_WINDOW_MS)
          throw new ConflictError('EDIT_WINDOW_CLOSED', 'A reply can be edited within 48 hours of posting.');
        if (before.state === 'removed')
          throw new ConflictError('REPLY_REMOVED', 'This reply was removed; it cannot be edited.');
        const held = before.state === 'published' && isBlocked(text);
        const after = await repliesRepo.update(trx, replyId, {
          body: text,
          edited_at: now,
          ...(held ? { state: 'held' as const, moderation_reason: 'Held for review: blocklisted words' } : {}),
        });
        return presentReply(after, viewerOf(principal, after));
      });
    },

    /** The author deletes: a tombstone in place, its answers stay where they are. */
    async deleteReply(principal: Principal | null, replyId: string): Promise<void> {
      const now = clock();
      await inTransaction(db, async (trx) => {
        await ownReply(trx, principal, replyId);
        await repliesRepo.update(trx, replyId, { deleted_at: now, body: null });
      });
    },
  };
}
