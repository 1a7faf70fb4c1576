// The thread view: the first replies of each level under reviews, three statements for any
// number of reviews (one per level), so a page of reviews with their threads is a constant number
// of queries (REST's GET /v1/reviews/{id} and GraphQL's loaders both use it).
import type { Db } from '../../platform/db/index.js';
import { encodeCursor } from '../../platform/http/schema.js';
import { presentReply, type Viewer } from './present.js';
import { repliesRepo } from './reply-repo.js';
import { positionCursor } from './replies.js';
import { MAX_DEPTH, type ThreadLevel1, type ThreadLevel2, type ThreadLevel3 } from './schema.js';
import type { ReplyRow, ReviewRow } from './tables.js';

/** Shown per level in the thread view; the rest through each node's cursor. */
export const THREAD_FIRST = { top: 10, nested: 3 } as const;

type ViewerOf = (review: ReviewRow) => Viewer;
export interface Thread {
  replies: ThreadLevel1[];
  replies_cursor: string | null;
}

/** Groups rows by parent, keeping at most `limit` per parent and whether there were more. */
function groupByParent(rows: ReplyRow[], keyOf: (row: ReplyRow) => string, limit: number) {
  const groups = new Map<string, { rows: ReplyRow[]; more: boolean }>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key) ?? { rows: [], more: false };
    if (group.rows.length < limit) group.rows.push(row);
    else group.more = true;
    groups.set(key, group);
  }
  return groups;
}

const cursorOf = (group: { rows: ReplyRow[]; more: boolean } | undefined) => {
  const last = group?.rows[group.rows.length - 1];
  return group?.more && last ? encodeCursor(positionCursor(last)) : null;
};

/** For each review: its first replies, each with its first replies, down to MAX_DEPTH. */
export async function threadsOf(db: Db, reviews: ReviewRow[], viewerOf: ViewerOf): Promise<Map<string, Thread>> {
  const reviewIds = reviews.map((review) => review.id);
  const byId = new Map(reviews.map((review) => [review.id, review]));
  const top = groupByParent(
    await repliesRepo.firstChildren(db, { reviewIds, parentIds: null }, THREAD_FIRST.top),
    (row) => row.review_id,
    THREAD_FIRST.top,
  );
  // Each deeper level: the children of the level above, all reviews at once.
  const levels: Array<Map<string, { rows: ReplyRow[]; more: boolean }>> = [];
  let parents = [...top.values()].flatMap((group) => group.rows);
  for (let depth = 2; depth <= MAX_DEPTH && parents.length > 0; depth++) {
    const rows = await repliesRepo.firstChildren(
      db,
      { reviewIds, parentIds: parents.map((row) => row.id) },
      THREAD_FIRST.nested,
    );
    const level = groupByParent(rows, (row) => row.parent_id!, THREAD_FIRST.nested);
    levels.push(level);
    parents = [...level.values()].flatMap((group) => group.rows);
  }

  const group = (levelIndex: number, parentId: string) => levels[levelIndex]?.get(parentId);
  const level2 = (row: ReplyRow, viewer: Viewer): ThreadLevel2 => ({
    ...presentReply(row, viewer),
    replies: (group(1, row.id)?.rows ?? []).map((child): ThreadLevel3 => presentReply(child, viewer)),
    replies_cursor: cursorOf(group(1, row.id)),
  });
  const level1 = (row: ReplyRow, viewer: Viewer): ThreadLevel1 => ({
    ...presentReply(row, viewer),
    replies: (group(0, row.id)?.rows ?? []).map((child) => level2(child, viewer)),
    replies_cursor: cursorOf(group(0, row.id)),
  });

  const threads = new Map<string, Thread>();
  for (const id of reviewIds) {
    const viewer = viewerOf(byId.get(id)!);
    const first = top.get(id);
    threads.set(id, {
      replies: (first?.rows ?? []).map((row) => level1(row, viewer)),
      replies_cursor: cursorOf(first),
    });
  }
  return threads;
}
