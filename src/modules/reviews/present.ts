// Rows as the API shows them. Anything not published is a tombstone to everyone but its author
// and the store's moderators: the node keeps its place (id, depth, counts) so threads keep their
// shape, but carries no content.
import type { Reply, Review, ShownState } from './schema.js';
import type { ReplyRow, ReviewRow } from './tables.js';

export interface Viewer {
  userId: string | null;
  /** Moderators of the row's store see what others see as a tombstone. */
  moderator: boolean;
}

const shownState = (row: { state: ReviewRow['state']; deleted_at: Date | null }): ShownState =>
  row.deleted_at !== null ? 'deleted' : row.state;

function contentVisible(
  row: { state: ReviewRow['state']; deleted_at: Date | null; author_id: string | null },
  viewer: Viewer,
) {
  if (row.deleted_at !== null) return false;
  if (row.state === 'published') return true;
  return viewer.moderator || (viewer.userId !== null && viewer.userId === row.author_id);
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentReview(row: ReviewRow, viewer: Viewer): Review {
  const visible = contentVisible(row, viewer);
  return {
    id: row.id,
    store_id: row.store_id,
    order_id: row.order_id,
    channel: row.channel,
    status: shownState(row),
    tombstone: !visible,
    rating: visible ? row.rating : null,
    food_rating: visible ? row.food_rating : null,
    delivery_rating: visible ? row.delivery_rating : null,
    comment: visible ? row.comment : null,
    photos: visible ? row.photos : [],
    mine: viewer.userId !== null && viewer.userId === row.author_id,
    moderation_reason: row.state === 'removed' ? row.moderation_reason : null,
    helpful_count: row.helpful_count,
    reply_count: row.reply_count,
    created_at: row.created_at.toISOString(),
    edited_at: iso(row.edited_at),
  };
}

export function presentReply(row: ReplyRow, viewer: Viewer): Reply {
  const visible = contentVisible(row, viewer);
  return {
    id: row.id,
    review_id: row.review_id,
    parent_reply_id: row.parent_id,
    in_reply_to: row.in_reply_to,
    depth: row.depth,
    author_role: row.author_role,
    status: shownState(row),
    tombstone: !visible,
    body: visible ? row.body : null,
    mine: viewer.userId !== null && viewer.userId === row.author_id,
    moderation_reason: row.state === 'removed' ? row.moderation_reason : null,
    reply_count: row.reply_count,
    created_at: row.created_at.toISOString(),
    edited_at: iso(row.edited_at),
  };
}
