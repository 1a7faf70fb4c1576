// Reviews in GraphQL: the same tree as REST, and no N+1 — a page of 20 reviews with three levels
// of replies costs the same few queries as a page of 5.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import { recordQueries } from '../../test-support/query-log.js';

let t: TestApp;
let storeId: string;
beforeAll(async () => {
  t = await createTestApp();
  const shop = await orderingStore(t);
  storeId = shop.store.id;
  const guest = await customer(t);
  const placed = await placeOrder(t, guest.token, storeId, {
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
  const pool = t.db.database.pool;
  const { rows: columns } = await pool.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'orders' AND table_schema = current_schema()
     AND column_name NOT IN ('id', 'number', 'idempotency_key', 'external_id') ORDER BY ordinal_position`,
  );
  const list = columns.map((column) => `"${column.name}"`).join(', ');
  const { rows: orders } = await pool.query<{ id: string }>(
    `INSERT INTO orders (id, number, ${list}) SELECT gen_random_uuid(), 'G-' || n, ${list} FROM orders, generate_series(1, 24) n WHERE id = $1 RETURNING id`,
    [template],
  );
  for (const [i, order] of orders.entries()) {
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/orders/${order.id}/review`,
      headers: bearer(guest.token),
      payload: { rating: (i % 5) + 1, comment: `review ${i}` },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
  // Each review: two replies, the first answered, that answer answered (depth 3).
  await pool.query(
    `WITH r AS (SELECT id, organization_id, store_id FROM reviews WHERE store_id = $1),
     top AS (INSERT INTO review_replies (id, organization_id, store_id, review_id, depth, position, author_role, body, state, created_at)
             SELECT gen_random_uuid(), organization_id, store_id, id, 1, p, 'customer', 'top ' || p, 'published', now()
             FROM r, generate_series(1, 2) p RETURNING id, organization_id, store_id, review_id, position),
     mid AS (INSERT INTO review_replies (id, organization_id, store_id, review_id, parent_id, in_reply_to, depth, position, author_role, body, state, created_at)
             SELECT gen_random_uuid(), organization_id, store_id, review_id, id, id, 2, 3, 'store', 'thanks', 'published', now()
             FROM top WHERE position = 1 RETURNING id, organization_id, store_id, review_id)
     INSERT INTO review_replies (id, organization_id, store_id, review_id, parent_id, in_reply_to, depth, position, author_role, body, state, created_at)
     SELECT gen_random_uuid(), organization_id, store_id, review_id, id, id, 3, 4, 'customer', 'you are welcome', 'published', now() FROM mid`,
    [storeId],
  );
});
afterAll(async () => {
  await t?.close();
});

const query = (first: number) => `{
  store(id: "${storeId}") {
    ratingSummary { average count histogram }
    reviews(first: ${first}) {
      hasMore
      nodes {
        id rating comment replyCount
        replies { id depth authorRole body replies { id depth authorRole body inReplyTo replies { id depth body } } }
      }
    }
  }
}`;

async function run(first: number) {
  const { result, queries } = await recordQueries(pg, () =>
    t.app.inject({ method: 'POST', url: '/graphql', payload: { query: query(first) } }),
  );
  expect(result.statusCode, result.body).toBe(200);
  const body = result.json();
  expect(body.errors).toBeUndefined();
  return { store: body.data.store, queries: queries.length };
}

describe('reviews in GraphQL', () => {
  it('when a page of 20 reviews with three levels of replies is read, then it takes a small constant number of queries', async () => {
    const twenty = await run(20);
    expect(twenty.store.reviews.nodes).toHaveLength(20);
    expect(twenty.store.ratingSummary.count).toBe(24);
    const node = twenty.store.reviews.nodes[0];
    expect(node.replies.map((r: { depth: number }) => r.depth)).toEqual([1, 1]);
    expect(node.replies[0].replies[0]).toMatchObject({ depth: 2, authorRole: 'store', body: 'thanks' });
    expect(node.replies[0].replies[0].replies[0]).toMatchObject({ depth: 3, body: 'you are welcome' });
    const five = await run(5);
    expect(five.store.reviews.nodes).toHaveLength(5);
    // Store, list and summary reads, then one query per reply level, whatever the page size.
    expect(twenty.queries).toBeLessThanOrEqual(9);
    expect(twenty.queries).toBe(five.queries);
  });

  it('when a review is asked for by id, then it comes with its replies; an unknown or malformed id is null', async () => {
    const { rows } = await t.db.database.pool.query<{ id: string }>(
      'SELECT id FROM reviews WHERE store_id = $1 LIMIT 1',
      [storeId],
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      payload: {
        query: `{ review(id: "${rows[0]!.id}") { id status replies(first: 1) { id } } missing: review(id: "nope") { id } }`,
      },
    });
    expect(res.json().data).toMatchObject({ review: { id: rows[0]!.id, status: 'published' }, missing: null });
    expect(res.json().data.review.replies).toHaveLength(1);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      payload: { query: `{ store(id: "${storeId}") { reviews(first: 500) { hasMore } } }` },
    });
    expect(bad.json().errors[0].message).toContain('between 1 and 50');
  });
});
