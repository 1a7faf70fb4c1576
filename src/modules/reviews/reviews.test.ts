// A review of a fulfilled order: one per order even under parallel posts, only its customer,
// only once fulfilled and within 30 days, edits within 48 hours with history, deletion as a
// tombstone, and the store's list with its rating summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';

let t: TestApp;
let offsetMs = 0;
beforeAll(async () => {
  t = await createTestApp({}, { clock: () => new Date(Date.now() + offsetMs) });
});
afterAll(async () => {
  await t?.close();
});

type Shop = Awaited<ReturnType<typeof orderingStore>>;
const DAY = 86_400_000;

/** A cash pickup order of the guest, moved by the owner through to picked_up unless `until` stops earlier. */
async function order(
  shop: Shop,
  token: string,
  until: string[] = ['accept', 'start_preparing', 'mark_ready', 'hand_over'],
) {
  const placed = await placeOrder(t, token, shop.store.id, {
    channel: 'pickup',
    lines: [margheritaLine(shop.ids)],
    payment: { method: 'cash' },
  });
  expect(placed.statusCode, placed.body).toBe(201);
  const id = placed.json<{ id: string }>().id;
  for (const action of until) {
    const moved = await t.app.inject({
      method: 'POST',
      url: `/v1/orders/${id}/transitions`,
      headers: bearer(shop.ownerToken),
      payload: { action },
    });
    expect(moved.statusCode, moved.body).toBe(200);
  }
  return id;
}

const review = (token: string, orderId: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/review`, headers: bearer(token), payload });

describe('posting a review', () => {
  it('when twenty posts for one order race, then exactly one is 201 and the others 409 REVIEW_EXISTS', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const orderId = await order(shop, guest.token);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => review(guest.token, orderId, { rating: (i % 5) + 1, comment: `take ${i}` })),
    );
    const statuses = answers.map((answer) => answer.statusCode).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    expect(answers.find((answer) => answer.statusCode === 409)!.json().code).toBe('REVIEW_EXISTS');
    const created = answers.find((answer) => answer.statusCode === 201)!;
    expect(created.headers.location).toBe(`/v1/reviews/${created.json().id}`);
    const list = await t.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/reviews` });
    expect(list.json().data).toHaveLength(1);
    expect(list.json().rating_summary.count).toBe(1);
    // One event for the one review, in the outbox with it.
    const { rows } = await t.db.database.pool.query(
      "SELECT data->>'order_id' AS order_id FROM outbox WHERE type = 'reviews.review.created' AND data->>'order_id' = $1",
      [orderId],
    );
    expect(rows).toEqual([{ order_id: orderId }]);
  });

  it('when the order is not fulfilled yet, then 409 ORDER_NOT_COMPLETED; someone else’s order is 404', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const stranger = await customer(t);
    const pending = await order(shop, guest.token, ['accept']);
    expect((await review(guest.token, pending, { rating: 4 })).json().code).toBe('ORDER_NOT_COMPLETED');
    const done = await order(shop, guest.token);
    const other = await review(stranger.token, done, { rating: 1, comment: 'never ate here' });
    expect(other.statusCode).toBe(404);
    // The store's owner cannot review it either: only its customer.
    expect((await review(shop.ownerToken, done, { rating: 5 })).statusCode).toBe(404);
    expect((await review(guest.token, done, { rating: 5, delivery_rating: 4 })).json().code).toBe(
      'DELIVERY_RATING_NOT_APPLICABLE',
    );
    const anonymous = await t.app.inject({ method: 'POST', url: `/v1/orders/${done}/review`, payload: { rating: 5 } });
    expect(anonymous.statusCode).toBe(401);
    const hostile = await review(guest.token, done, { rating: 6, extra: true });
    expect(hostile.statusCode).toBe(400);
  });

  it('when 30 days have passed since fulfilment, then 409 REVIEW_WINDOW_CLOSED', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const orderId = await order(shop, guest.token);
    offsetMs = 31 * DAY;
    try {
      expect((await review(guest.token, orderId, { rating: 3 })).json().code).toBe('REVIEW_WINDOW_CLOSED');
    } finally {
      offsetMs = 0;
    }
  });
});

describe('editing and deleting', () => {
  it('when its author edits within 48 hours, then the review changes and the summary follows; after, 409 EDIT_WINDOW_CLOSED; others get 403', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const stranger = await customer(t);
    const created = (await review(guest.token, await order(shop, guest.token), { rating: 2, comment: 'cold' })).json();
    const edit = (token: string, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'PATCH', url: `/v1/reviews/${created.id}`, headers: bearer(token), payload });
    expect((await edit(stranger.token, { rating: 1 })).json().code).toBe('NOT_YOUR_REVIEW');
    const edited = await edit(guest.token, { rating: 4, comment: 'cold, but they made it right' });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ rating: 4, comment: 'cold, but they made it right', mine: true });
    expect(edited.json().edited_at).not.toBeNull();
    const { rating_summary } = (
      await t.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/reviews` })
    ).json();
    expect(rating_summary).toEqual({ average: 4, count: 1, histogram: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 } });
    const { rows } = await t.db.database.pool.query(
      'SELECT revision, rating, comment FROM review_revisions WHERE review_id = $1',
      [created.id],
    );
    expect(rows).toEqual([{ revision: 1, rating: 2, comment: 'cold' }]);
    offsetMs = 3 * DAY;
    try {
      expect((await edit(guest.token, { rating: 5 })).json().code).toBe('EDIT_WINDOW_CLOSED');
    } finally {
      offsetMs = 0;
    }
  });

  it('when its author deletes it, then it is a tombstone out of the list and the summary, and replies stay', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    const created = (
      await review(guest.token, await order(shop, guest.token), { rating: 5, comment: 'superb' })
    ).json();
    const answered = await t.app.inject({
      method: 'POST',
      url: `/v1/reviews/${created.id}/replies`,
      headers: bearer(shop.ownerToken),
      payload: { body: 'Thank you!' },
    });
    expect(answered.statusCode, answered.body).toBe(201);
    const stranger = await customer(t);
    const notTheirs = await t.app.inject({
      method: 'DELETE',
      url: `/v1/reviews/${created.id}`,
      headers: bearer(stranger.token),
    });
    expect(notTheirs.statusCode).toBe(403);
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/v1/reviews/${created.id}`,
      headers: bearer(guest.token),
    });
    expect(deleted.statusCode).toBe(204);
    const shown = (await t.app.inject({ method: 'GET', url: `/v1/reviews/${created.id}` })).json();
    expect(shown).toMatchObject({ status: 'deleted', tombstone: true, rating: null, comment: null, reply_count: 1 });
    expect(shown.replies.map((reply: { body: string }) => reply.body)).toEqual(['Thank you!']);
    const list = (await t.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/reviews` })).json();
    expect(list.data).toEqual([]);
    expect(list.rating_summary).toMatchObject({ average: null, count: 0 });
    expect((await t.modules.reviews.api.recountRatings(shop.store.id)).review_count).toBe(0);
  });
});

describe('a store’s reviews', () => {
  it('when a store has reviews, then they page newest first, filter by rating, sort by helpful votes, and unknown stores are 404', async () => {
    const shop = await orderingStore(t);
    const guests = await Promise.all([customer(t), customer(t), customer(t)]);
    const ids: string[] = [];
    for (const [index, guest] of guests.entries()) {
      const created = await review(guest.token, await order(shop, guest.token), {
        rating: index + 3,
        comment: `visit ${index}`,
      });
      ids.push(created.json().id);
    }
    const first = (await t.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/reviews?limit=2` })).json();
    expect(first.data.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const second = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/stores/${shop.store.id}/reviews?limit=2&cursor=${first.next_cursor}`,
      })
    ).json();
    expect(second.data.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    expect(second.rating_summary).toEqual({ average: 4, count: 3, histogram: { 1: 0, 2: 0, 3: 1, 4: 1, 5: 1 } });
    const fours = (await t.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/reviews?rating=4` })).json();
    expect(fours.data.map((r: { id: string }) => r.id)).toEqual([ids[1]]);

    // The oldest gets two helpful votes, the middle one; voting twice counts once.
    const vote = (token: string, id: string) =>
      t.app.inject({ method: 'PUT', url: `/v1/reviews/${id}/helpful-vote`, headers: bearer(token) });
    expect((await vote(guests[1]!.token, ids[0]!)).statusCode).toBe(204);
    expect((await vote(guests[1]!.token, ids[0]!)).statusCode).toBe(204);
    expect((await vote(guests[2]!.token, ids[0]!)).statusCode).toBe(204);
    expect((await vote(guests[0]!.token, ids[1]!)).statusCode).toBe(204);
    expect((await vote(guests[0]!.token, ids[0]!)).json().code).toBe('OWN_REVIEW');
    const helpful = (
      await t.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/reviews?sort=helpful&limit=2` })
    ).json();
    expect(helpful.data.map((r: { id: string; helpful_count: number }) => [r.id, r.helpful_count])).toEqual([
      [ids[0], 2],
      [ids[1], 1],
    ]);
    const rest = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/stores/${shop.store.id}/reviews?sort=helpful&limit=2&cursor=${helpful.next_cursor}`,
      })
    ).json();
    expect(rest.data.map((r: { id: string }) => r.id)).toEqual([ids[2]]);

    const forged = await t.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/reviews?cursor=bm9wZQ` });
    expect(forged.json().code).toBe('INVALID_CURSOR');
    const unknown = await t.app.inject({ method: 'GET', url: `/v1/stores/${crypto.randomUUID()}/reviews` });
    expect(unknown.statusCode).toBe(404);
  });

  it('when staff search the comments, then full-text finds them in every state; customers may not search', async () => {
    const shop = await orderingStore(t);
    const guest = await customer(t);
    await review(guest.token, await order(shop, guest.token), {
      rating: 2,
      comment: 'The crust was burnt at the edges',
    });
    const search = (token: string, q: string) =>
      t.app.inject({
        method: 'GET',
        url: `/v1/stores/${shop.store.id}/reviews/search`,
        query: { q },
        headers: bearer(token),
      });
    const found = await search(shop.ownerToken, 'crust burnt');
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json().data).toHaveLength(1);
    expect((await search(shop.ownerToken, 'tiramisu')).json().data).toHaveLength(0);
    expect((await search(guest.token, 'crust')).statusCode).toBe(403);
  });
});
