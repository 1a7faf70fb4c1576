// Helpful votes, reports, and moderation. Reports past the threshold hold the content for a
// moderator; the store's staff hide replies on their store's reviews; the organization's
// moderators (managers, owners) remove with a reason or publish again. Removed content stays as a
// tombstone so threads keep their shape. Every moderation act is audited with its actor, in the
// transaction of the change.
import { recordAudit } from '../../platform/audit/index.js';
import { assertMayActAt, requireUser, type Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Tx } from '../../platform/db/index.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/http/errors.js';
import { decodeCursor, toPage, type PageOf } from '../../platform/http/schema.js';
import { RULES, userIdOf } from './access.js';
import type { ReviewsServiceDeps } from './deps.js';
import { presentReply, presentReview, type Viewer } from './present.js';
import { repliesRepo } from './reply-repo.js';
import { reviewsRepo } from './repo.js';
import type { Reply, Review, SearchQuery } from './schema.js';
import { REPORT_THRESHOLD, tidy } from './screening.js';
import { followReview } from './tally.js';
import type { ModerationState } from './tables.js';

type Decision = { action: 'remove' | 'publish'; reason?: string };
const place = (row: { organization_id: string; store_id: string }) => ({
  organizationId: row.organization_id,
  storeId: row.store_id,
});
const staffViewer = (principal: Principal | null): Viewer => ({ userId: userIdOf(principal), moderator: true });

function decided(decision: Decision, actorId: string | null, now: Date) {
  const reason = tidy(decision.reason);
  if (decision.action === 'remove' && reason === null)
    throw new UnprocessableError('REASON_REQUIRED', 'Say why it is removed: the tombstone shows the reason.', [
      { path: '/body/reason', message: 'is required to remove' },
    ]);
  return {
    state: (decision.action === 'remove' ? 'removed' : 'published') as ModerationState,
    moderation_reason: decision.action === 'remove' ? reason : null,
    moderated_by: actorId,
    moderated_at: now,
  };
}

export function createModeration(deps: ReviewsServiceDeps) {
  const { db, clock } = deps;

  async function liveReview(trx: Tx, reviewId: string) {
    const row = await reviewsRepo.find(trx, reviewId, { forUpdate: true });
    if (!row) throw new NotFoundError('review');
    return row;
  }

  return {
    /** One helpful vote per account (a second is a no-op); not on one's own review. */
    async vote(principal: Principal | null, reviewId: string, helpful: boolean): Promise<void> {
      const user = requireUser(principal);
      await inTransaction(db, async (trx) => {
        const review = await liveReview(trx, reviewId);
        if (review.state !== 'published' || review.deleted_at !== null)
          throw new ConflictError('REVIEW_CLOSED', 'Only published reviews take votes.');
        if (review.author_id === user.userId)
          throw new UnprocessableError('OWN_REVIEW', 'Authors cannot vote for their own review.');
        if (helpful) await reviewsRepo.vote(trx, reviewId, user.userId, clock());
        else await reviewsRepo.unvote(trx, reviewId, user.userId);
      });
    },

    /** Anyone signed in reports once per review or reply; at the threshold it is held. */
    async report(
      principal: Principal | null,
      target: { type: 'review' | 'reply'; id: string },
      body: { reason: string; note?: string },
    ): Promise<void> {
      const user = requireUser(principal);
      const now = clock();
      await inTransaction(db, async (trx) => {
        const row =
          target.type === 'review'
            ? await reviewsRepo.find(trx, target.id, { forUpdate: true })
            : await repliesRepo.find(trx, target.id, { forUpdate: true });
        if (!row) throw new NotFoundError(target.type);
        const counted = await repliesRepo.report(trx, {
          targetType: target.type,
          targetId: target.id,
          reporterId: user.userId,
          organizationId: row.organization_id,
          reason: body.reason,
          note: tidy(body.note),
          at: now,
        });
        if (!counted || row.state !== 'published' || row.report_count + 1 < REPORT_THRESHOLD) return;
        const hold = { state: 'held' as const, moderation_reason: 'Held for review: reported', moderated_at: now };
        if (target.type === 'review') {
          const before = await reviewsRepo.find(trx, target.id);
          const after = await reviewsRepo.update(trx, target.id, hold);
          await followReview(trx, before, after);
        } else await repliesRepo.update(trx, target.id, hold);
        await recordAudit(trx, {
          organizationId: row.organization_id,
          storeId: row.store_id,
          action: target.type === 'review' ? 'reviews.review.held' : 'reviews.reply.held',
          target: { type: target.type === 'review' ? 'review' : 'review_reply', id: target.id },
          before: { state: 'published' },
          after: { state: 'held', reports: row.report_count + 1 },
        });
      });
    },

    async moderateReview(principal: Principal | null, reviewId: string, decision: Decision): Promise<Review> {
      const now = clock();
      return inTransaction(db, async (trx) => {
        const before = await liveReview(trx, reviewId);
        assertMayActAt(principal, place(before), RULES.moderate.roles, RULES.moderate.scopes, 'review');
        if (before.deleted_at !== null) throw new ConflictError('REVIEW_DELETED', 'Its author deleted this review.');
        const after = await reviewsRepo.update(trx, reviewId, decided(decision, userIdOf(principal), now));
        await followReview(trx, before, after);
        await recordAudit(trx, {
          organizationId: before.organization_id,
          storeId: before.store_id,
          action: decision.action === 'remove' ? 'reviews.review.removed' : 'reviews.review.published',
          target: { type: 'review', id: reviewId },
          before: { state: before.state, moderation_reason: before.moderation_reason },
          after: { state: after.state, moderation_reason: after.moderation_reason },
        });
        return presentReview(after, staffViewer(principal));
      });
    },

    /** Moderators remove or publish a reply; the store's staff (`hide`) remove one on their store's review. */
    async moderateReply(
      principal: Principal | null,
      replyId: string,
      decision: Decision,
      as: 'moderator' | 'store',
    ): Promise<Reply> {
      const now = clock();
      return inTransaction(db, async (trx) => {
        const before = await repliesRepo.find(trx, replyId, { forUpdate: true });
        if (!before) throw new NotFoundError('reply');
        const rule = as === 'store' ? RULES.storeVoice : RULES.moderate;
        assertMayActAt(principal, place(before), rule.roles, rule.scopes, 'reply');
        if (before.deleted_at !== null) throw new ConflictError('REPLY_DELETED', 'Its author deleted this reply.');
        const change = decided(decision, userIdOf(principal), now);
        const after = await repliesRepo.update(trx, replyId, change);
        await recordAudit(trx, {
          organizationId: before.organization_id,
          storeId: before.store_id,
          action:
            as === 'store'
              ? 'reviews.reply.hidden'
              : decision.action === 'remove'
                ? 'reviews.reply.removed'
                : 'reviews.reply.published',
          target: { type: 'review_reply', id: replyId },
          before: { state: before.state, moderation_reason: before.moderation_reason },
          after: { state: after.state, moderation_reason: after.moderation_reason },
        });
        return presentReply(after, staffViewer(principal));
      });
    },

    /** Staff search over the store's reviews in every state (full text over comments). */
    async search(principal: Principal | null, storeId: string, query: SearchQuery): Promise<PageOf<Review>> {
      const store = await deps.tenancy.api.findStore(storeId);
      if (!store) throw new NotFoundError('store');
      assertMayActAt(
        principal,
        { organizationId: store.organization_id, storeId },
        RULES.storeVoice.roles,
        RULES.storeVoice.scopes,
        'store',
      );
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['id'] as const);
      const rows = await reviewsRepo.search(db, {
        storeId,
        q: tidy(query.q),
        state: query.status ?? null,
        afterId: after?.id ?? null,
        limit,
      });
      return toPage(
        rows,
        limit,
        (row) => presentReview(row, staffViewer(principal)),
        (row) => ({ id: row.id }),
      );
    },

    /** The moderators' queue of held replies at a store, newest first. */
    async heldReplies(principal: Principal | null, storeId: string, query: { limit?: number; cursor?: string }) {
      const store = await deps.tenancy.api.findStore(storeId);
      if (!store) throw new NotFoundError('store');
      assertMayActAt(
        principal,
        { organizationId: store.organization_id, storeId },
        RULES.moderate.roles,
        RULES.moderate.scopes,
        'store',
      );
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['id'] as const);
      const rows = await repliesRepo.held(db, storeId, { afterId: after?.id ?? null, limit });
      return toPage(
        rows,
        limit,
        (row) => presentReply(row, staffViewer(principal)),
        (row) => ({ id: row.id }),
      );
    },
  };
}
