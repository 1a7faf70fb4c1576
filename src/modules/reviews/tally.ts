// The store's rating summary follows every change of a review's liveness or rating, in the
// transaction of that change: a review counts while it is published and not deleted.
import type { Tx } from '../../platform/db/index.js';
import { reviewsRepo as repo, TALLY_SHARDS, type Tally } from './repo.js';
import type { RatingSummary } from './schema.js';
import type { ReviewRow } from './tables.js';

const counted = (row: Pick<ReviewRow, 'state' | 'deleted_at'> | null) =>
  row !== null && row.state === 'published' && row.deleted_at === null;

/** Moves the tallies from what `before` contributed to what `after` does (null: no review). */
export async function followReview(trx: Tx, before: ReviewRow | null, after: ReviewRow | null): Promise<void> {
  const row = after ?? before;
  if (!row) return;
  const was = counted(before) ? before!.rating : null;
  const now = counted(after) ? after!.rating : null;
  if (was === now) return;
  // A shard per change, spread at random: concurrent reviews of one store rarely meet on a row.
  const shard = Math.floor(Math.random() * TALLY_SHARDS);
  const place = { storeId: row.store_id, organizationId: row.organization_id, shard };
  if (was !== null) await repo.adjustTally(trx, { ...place, rating: was, delta: -1 });
  if (now !== null) await repo.adjustTally(trx, { ...place, rating: now, delta: 1 });
}

export function presentSummary(tally: Tally): RatingSummary {
  const [c1, c2, c3, c4, c5] = tally.counts;
  return {
    average: tally.review_count > 0 ? Math.round((tally.rating_sum / tally.review_count) * 100) / 100 : null,
    count: tally.review_count,
    histogram: { 1: c1, 2: c2, 3: c3, 4: c4, 5: c5 },
  };
}
