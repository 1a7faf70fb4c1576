// The store's rating summary is an exact incremental aggregate: after 500 reviews posted at
// once (and edits, deletions and moderation among them) it equals a recomputation from the
// reviews themselves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** One real order taken to picked_up through HTTP, then `count` copies of it for each guest, written directly. */
async function fulfilledOrders(
  shop: Awaited<ReturnType<typeof orderingStore>>,
  guests: Array<{ user: { id: string }; token: string }>,
  count: number,
) {
  const placed = await placeOrder(t, guests[0]!.token, shop.store.id, {
    channel: 'pickup',
    lines: [margheritaLine(shop.ids)],
    payment: { method: 'cash' },
  });
  const template = placed.json<{ id: string }>().id;
  for (const action of ['accept', 'start_preparing', 'mark_ready', 'hand_over'])
    await t.app.inject({
      method: 'POST',
      url: `/v1/orders/${template}/transitions`,
      headers: bearer(shop.ownerToken),
      payload: { action },
    });
  // Every column of the template but those that must differ per copy (id, number, keys).
  const { rows: columns } = await t.db.database.pool.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'orders' AND table_schema = current_schema()
     AND column_name NOT IN ('id', 'number', 'customer_id', 'idempotency_key', 'external_id') ORDER BY ordinal_position`,
  );
  const list = columns.map((column) => `"${column.name}"`).join(', ');
  const ids: Array<{ orderId: string; token: string }> = [];
  for (const [g, guest] of guests.entries()) {
    const { rows } = await t.db.database.pool.query<{ id: string }>(
      `INSERT INTO orders (id, number, customer_id, ${list})
       SELECT gen_random_uuid(), 'R' || $3::int || '-' || n, $2, ${list} FROM orders, generate_series(1, $4::int) n WHERE id = $1
       RETURNING id`,
      [template, guest.user.id, g, count],
    );
    ids.push(...rows.map((row) => ({ orderId: row.id, token: guest.token })));
  }
  return ids;
}

describe('the rating summary', () => {
  it('when 500 reviews are posted concurrently and some are edited, deleted and removed, then the summary equals a recount', async () => {
    const shop = await orderingStore(t);
    const guests = await Promise.all(Array.from({ length: 10 }, () => customer(t)));
    const orders = await fulfilledOrders(shop, guests, 50);
    expect(orders).toHaveLength(500);

    const posted: Array<{ id: string; token: string }> = [];
    // 100 in flight at a time: the pool (20) is what serializes them, not the test.
    for (let start = 0; start < orders.length; start += 100) {
      const batch = orders.slice(start, start + 100);
      const answers = await Promise.all(
        batch.map(({ orderId, token }, i) =>
          t.app.inject({
            method: 'POST',
            url: `/v1/orders/${orderId}/review`,
            headers: bearer(token),
            payload: { rating: (((start + i) * 7) % 5) + 1, comment: `visit ${start + i}` },
          }),
        ),
      );
      for (const [i, answer] of answers.entries()) {
        expect(answer.statusCode, answer.body).toBe(201);
        posted.push({ id: answer.json<{ id: string }>().id, token: batch[i]!.token });
      }
    }

    // Concurrent changes that move the summary: edits of the rating, deletions, a moderator's removals.
    const changes = await Promise.all([
      ...posted
        .slice(0, 40)
        .map(({ id, token }) =>
          t.app.inject({ method: 'PATCH', url: `/v1/reviews/${id}`, headers: bearer(token), payload: { rating: 5 } }),
        ),
      ...posted
        .slice(40, 60)
        .map(({ id, token }) => t.app.inject({ method: 'DELETE', url: `/v1/reviews/${id}`, headers: bearer(token) })),
      ...posted.slice(60, 70).map(({ id }) =>
        t.app.inject({
          method: 'POST',
          url: `/v1/reviews/${id}/moderation`,
          headers: bearer(shop.ownerToken),
          payload: { action: 'remove', reason: 'test' },
        }),
      ),
    ]);
    expect(changes.map((answer) => answer.statusCode).filter((status) => status >= 300)).toEqual([]);

    const recount = await t.modules.reviews.api.recountRatings(shop.store.id);
    expect(recount.review_count).toBe(470);
    expect(await t.modules.reviews.api.ratingTallies(shop.store.id)).toEqual(recount);
    const { rating_summary } = (
      await t.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/reviews` })
    ).json();
    expect(rating_summary.count).toBe(470);
    expect(rating_summary.average).toBe(Math.round((recount.rating_sum / recount.review_count) * 100) / 100);
    expect(Object.values(rating_summary.histogram)).toEqual(recount.counts);
  });
});
