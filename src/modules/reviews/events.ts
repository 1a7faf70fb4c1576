// Events reviews append to the outbox, in the transaction of the change (for webhooks and
// notifications). Payloads are ids and small facts; the text stays in the reviews tables.
export type ReviewsEvents = {
  /** A customer reviewed a fulfilled order (`state` held when the blocklist caught it). */
  'reviews.review.created': {
    organization_id: string;
    store_id: string;
    review_id: string;
    order_id: string;
    rating: number;
    state: 'published' | 'held';
  };
  /** Someone replied in a review's thread; `author_role` store is the restaurant's answer. */
  'reviews.review.replied': {
    organization_id: string;
    store_id: string;
    review_id: string;
    reply_id: string;
    parent_reply_id: string | null;
    in_reply_to: string | null;
    depth: number;
    author_role: 'store' | 'customer';
    state: 'published' | 'held';
  };
};

/** A review's events (and its replies') are delivered in order. */
export const reviewAggregate = (reviewId: string) => ({ type: 'review', id: reviewId });
