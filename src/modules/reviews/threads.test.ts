// A review's thread: depth capped at three with in_reply_to kept, the store's answer, tombstones
// that keep the shape, only authors edit their replies, a per-author limit, reports and
// moderation with their audit entries, and keyset paging that stays exact while people reply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventAppender } from '../../platform/events/index.js';
import { auditEntries } from '../../test-support/audit-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer, staffOf } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore, placeOrder } from '../../test-support/ordering-factories.js';
import type { ReviewsEvents } from './events.js';
import { unlimitedReplies } from './limiter.js';
import { createReviewsService } from './service.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A shop, a guest, and the guest's published review of a picked-up order. */
async function reviewed(comment = 'Lovely crust') {
  const shop = await orderingStore(t);
  const guest = await customer(t);
  const placed = await placeOrder(t, guest.token, shop.store.id, {
    channel: 'pickup',
    lines: [margheritaLine(shop.ids)],
    payment: { method: 'cash' },
  });
  const orderId = placed.json<{ id: string }>().id;
  for (const action of ['accept', 'start_preparing', 'mark_ready', 'hand_over'])
    await t.app.inject({
      method: 'POST',
      url: `/v1/orders/${orderId}/transitions`,
      headers: bearer(shop.ownerToken),
      payload: { action },
    });
  const created = await t.app.inject({
    method: 'POST',
    url: `/v1/orders/${orderId}/review`,
    headers: bearer(guest.token),
    payload: { rating: 4, comment },
  });
  expect(created.statusCode, created.body).toBe(201);
  return { shop, guest, reviewId: created.json<{ id: string }>().id };
}

const reply = (token: string, reviewId: string, body: string, parent?: string) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/reviews/${reviewId}/replies`,
    headers: bearer(token),
    payload: parent ? { body, parent_reply_id: parent } : { body },
  });

const thread = async (reviewId: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/reviews/${reviewId}` })).json();

describe('a thread', () => {
  it('when replies go four deep, then depth stops at 3 with in_reply_to kept, and the store’s staff answer as the store (audited)', async () => {
    const { shop, guest, reviewId } = await reviewed();
    const other = await customer(t);
    const cook = await staffOf(t, { organizationId: shop.organization.id, storeId: shop.store.id, role: 'staff' });
    const r1 = (await reply(cook.token, reviewId, 'Thanks for coming!')).json();
    expect(r1).toMatchObject({ depth: 1, author_role: 'store', parent_reply_id: null, in_reply_to: null });
    const r2 = (await reply(guest.token, reviewId, 'Will be back', r1.id)).json();
    expect(r2).toMatchObject({ depth: 2, author_role: 'customer', parent_reply_id: r1.id, in_reply_to: r1.id });
    const r3 = (await reply(other.token, reviewId, 'Same here', r2.id)).json();
    expect(r3).toMatchObject({ depth: 3, parent_reply_id: r2.id, in_reply_to: r2.id });
    const r4 = (await reply(guest.token, reviewId, 'See you there', r3.id)).json();
    expect(r4).toMatchObject({ depth: 3, parent_reply_id: r2.id, in_reply_to: r3.id });

    const shown = await thread(reviewId);
    expect(shown.reply_count).toBe(4);
    expect(shown.replies).toHaveLength(1);
    expect(shown.replies[0]).toMatchObject({ id: r1.id, reply_count: 1 });
    expect(shown.replies[0].replies[0]).toMatchObject({ id: r2.id, reply_count: 2 });
    expect(shown.replies[0].replies[0].replies.map((r: { id: string }) => r.id)).toEqual([r3.id, r4.id]);

    const [entry] = await auditEntries(t, shop.organization.owner, shop.organization.id, { target_id: r1.id });
    expect(entry).toMatchObject({ action: 'reviews.reply.posted', actor: { id: cook.user.id } });
    // A customer's reply is not a staff write: not audited.
    expect(await auditEntries(t, shop.organization.owner, shop.organization.id, { target_id: r2.id })).toEqual([]);
  });

  it('when a reply is deleted by its author or hidden by the store, then it is a tombstone in place and its answers stay', async () => {
    const { shop, guest, reviewId } = await reviewed();
    const other = await customer(t);
    const first = (await reply(other.token, reviewId, 'Was the dough sourdough?')).json();
    const answer = (await reply(guest.token, reviewId, 'I think so', first.id)).json();
    const rude = (await reply(other.token, reviewId, 'whatever, this place is overrated')).json();

    // BOLA: nobody but its author edits or deletes a reply.
    const edit = (token: string, id: string, body: string) =>
      t.app.inject({ method: 'PATCH', url: `/v1/review-replies/${id}`, headers: bearer(token), payload: { body } });
    expect((await edit(guest.token, first.id, 'hijacked')).json().code).toBe('NOT_YOUR_REPLY');
    const removeOthers = await t.app.inject({
      method: 'DELETE',
      url: `/v1/review-replies/${first.id}`,
      headers: bearer(guest.token),
    });
    expect(removeOthers.json().code).toBe('NOT_YOUR_REPLY');
    expect((await edit(other.token, first.id, 'Was the dough sourdough, really?')).json().body).toBe(
      'Was the dough sourdough, really?',
    );

    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/v1/review-replies/${first.id}`,
      headers: bearer(other.token),
    });
    expect(deleted.statusCode).toBe(204);
    // A customer cannot hide; the store's staff can.
    const hide = (token: string) =>
      t.app.inject({ method: 'POST', url: `/v1/review-replies/${rude.id}/hide`, headers: bearer(token), payload: {} });
    expect((await hide(guest.token)).statusCode).toBe(403);
    const hidden = await hide(shop.ownerToken);
    expect(hidden.statusCode, hidden.body).toBe(200);
    expect(hidden.json()).toMatchObject({ status: 'removed', moderation_reason: 'Hidden by the store' });

    const shown = await thread(reviewId);
    expect(
      shown.replies.map((r: { id: string; status: string; tombstone: boolean; body: string | null }) => [
        r.id,
        r.status,
        r.tombstone,
        r.body,
      ]),
    ).toEqual([
      [first.id, 'deleted', true, null],
      [rude.id, 'removed', true, null],
    ]);
    expect(shown.replies[0].replies.map((r: { id: string; body: string }) => [r.id, r.body])).toEqual([
      [answer.id, 'I think so'],
    ]);
    // Nobody answers a tombstone.
    expect((await reply(guest.token, reviewId, 'hello?', first.id)).json().code).toBe('REPLY_CLOSED');
    const [entry] = await auditEntries(t, shop.organization.owner, shop.organization.id, { target_id: rude.id });
    expect(entry).toMatchObject({ action: 'reviews.reply.hidden', changes: { after: { state: 'removed' } } });
  });

  it('when three accounts report a reply, then it is held; a moderator removes it with a reason, or publishes it again (audited)', async () => {
    const { shop, reviewId } = await reviewed();
    const writer = await customer(t);
    const target = (await reply(writer.token, reviewId, 'Buy cheap watches at my site')).json();
    const reporters = await Promise.all([customer(t), customer(t), customer(t)]);
    const report = (token: string) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/review-replies/${target.id}/reports`,
        headers: bearer(token),
        payload: { reason: 'spam' },
      });
    expect((await report(reporters[0]!.token)).statusCode).toBe(204);
    expect((await report(reporters[0]!.token)).statusCode).toBe(204); // the same account again: not counted
    expect((await thread(reviewId)).replies[0].status).toBe('published');
    await report(reporters[1]!.token);
    await report(reporters[2]!.token);
    expect((await thread(reviewId)).replies[0]).toMatchObject({ status: 'held', tombstone: true, body: null });

    const queue = await t.app.inject({
      method: 'GET',
      url: `/v1/stores/${shop.store.id}/held-review-replies`,
      headers: bearer(shop.ownerToken),
    });
    expect(queue.json().data.map((r: { id: string; body: string }) => [r.id, r.body])).toEqual([
      [target.id, 'Buy cheap watches at my site'],
    ]);
    const moderate = (token: string, payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/review-replies/${target.id}/moderation`,
        headers: bearer(token),
        payload,
      });
    const cook = await staffOf(t, { organizationId: shop.organization.id, storeId: shop.store.id, role: 'staff' });
    expect((await moderate(cook.token, { action: 'remove', reason: 'spam' })).statusCode).toBe(403);
    expect((await moderate(shop.ownerToken, { action: 'remove' })).json().code).toBe('REASON_REQUIRED');
    const removed = await moderate(shop.ownerToken, { action: 'remove', reason: 'Advertising' });
    expect(removed.json()).toMatchObject({ status: 'removed', moderation_reason: 'Advertising' });
    expect((await thread(reviewId)).replies[0]).toMatchObject({ tombstone: true, moderation_reason: 'Advertising' });
    const entries = await auditEntries(t, shop.organization.owner, shop.organization.id, { target_id: target.id });
    expect(entries.map((entry) => entry.action)).toEqual(['reviews.reply.removed', 'reviews.reply.held']);
    expect(entries[0]!.actor.id).toBe(shop.organization.owner.user.id);
    // Another organization's owner learns nothing: 404.
    const outsider = await orderingStore(t);
    expect((await moderate(outsider.ownerToken, { action: 'publish' })).statusCode).toBe(404);
  });

  it('when a review is removed by a moderator, then it leaves the list and the summary and takes no replies; publishing restores it', async () => {
    const { shop, guest, reviewId } = await reviewed('Crypto giveaway here');
    // Blocklisted words hold it from the start.
    expect((await thread(reviewId)).status).toBe('held');
    const moderate = (payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/reviews/${reviewId}/moderation`,
        headers: bearer(shop.ownerToken),
        payload,
      });
    const list = async () => (await t.app.inject({ method: 'GET', url: `/v1/stores/${shop.store.id}/reviews` })).json();
    expect((await list()).rating_summary.count).toBe(0);
    expect((await moderate({ action: 'publish' })).json().status).toBe('published');
    expect((await list()).rating_summary).toMatchObject({ count: 1, average: 4 });
    expect((await moderate({ action: 'remove', reason: 'Not about the food' })).json().status).toBe('removed');
    expect(await list()).toMatchObject({ data: [], rating_summary: { count: 0 } });
    expect((await reply(guest.token, reviewId, 'why?')).json().code).toBe('REVIEW_CLOSED');
    const entries = await auditEntries(t, shop.organization.owner, shop.organization.id, { target_id: reviewId });
    expect(entries.map((entry) => entry.action)).toEqual(['reviews.review.removed', 'reviews.review.published']);
  });

  it('when one author replies faster than the limit, then the 11th reply in a burst is 429 RATE_LIMITED with Retry-After', async () => {
    const { reviewId } = await reviewed();
    const chatty = await customer(t);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await reply(chatty.token, reviewId, `message ${i}`)).statusCode);
    expect(statuses.slice(0, 10).every((status) => status === 201)).toBe(true);
    expect(statuses[10]).toBe(429);
    const refused = await reply(chatty.token, reviewId, 'one more');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Someone else is not limited by it.
    expect((await reply((await customer(t)).token, reviewId, 'hi')).statusCode).toBe(201);
  });
});

describe('paging replies', () => {
  it('when 1,000 replies are paged while others reply at the same time, then every reply that existed is seen exactly once, in order', async () => {
    const { shop, reviewId } = await reviewed();
    const writer = await customer(t);
    // 1,000 top-level replies written directly (positions 1…1000, as the review's counter says).
    await t.db.database.pool.query(
      `INSERT INTO review_replies (id, organization_id, store_id, review_id, depth, position, author_id, author_role, body, state, created_at)
       SELECT gen_random_uuid(), $1, $2, $3, 1, n, $4, 'customer', 'reply ' || n, 'published', now() FROM generate_series(1, 1000) n`,
      [shop.organization.id, shop.store.id, reviewId, writer.user.id],
    );
    await t.db.database.pool.query('UPDATE reviews SET reply_seq = 1000, reply_count = 1000 WHERE id = $1', [reviewId]);
    const existing = new Set(
      (
        await t.db.database.pool.query<{ id: string }>('SELECT id FROM review_replies WHERE review_id = $1', [reviewId])
      ).rows.map((row) => row.id),
    );
    // The concurrent writers go through the service itself, without the per-author limit.
    const service = createReviewsService({
      db: t.db.database.db,
      events: createEventAppender<ReviewsEvents>(),
      ordering: t.modules.ordering,
      tenancy: t.modules.tenancy,
      clock: () => new Date(),
      replies: unlimitedReplies,
    });
    const principal = { kind: 'user' as const, userId: writer.user.id, platformAdmin: false, grants: [] };
    let writing = true;
    const written: string[] = [];
    const writers = Array.from({ length: 4 }, async () => {
      while (writing) written.push((await service.postReply(principal, reviewId, { body: 'meanwhile' })).id);
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ id: string }>; next_cursor: string | null } = (
        await t.app.inject({
          method: 'GET',
          url: `/v1/reviews/${reviewId}/replies`,
          query: { limit: '50', ...(cursor ? { cursor } : {}) },
        })
      ).json();
      seen.push(...page.data.map((r) => r.id));
      cursor = page.next_cursor;
      // Stop writing a little before the end, so the last pages read what was written.
    } while (cursor !== null && seen.length < 1400);
    writing = false;
    await Promise.all(writers);

    expect(new Set(seen).size).toBe(seen.length); // no duplicates
    for (const id of existing) expect(seen).toContain(id); // no gaps
    expect(written.length).toBeGreaterThan(0);
    // Positions only grow along the pages: whatever was committed behind the reader came after it.
    const { rows } = await t.db.database.pool.query<{ id: string; position: string }>(
      'SELECT id, position FROM review_replies WHERE review_id = $1',
      [reviewId],
    );
    const position = new Map(rows.map((row) => [row.id, Number(row.position)]));
    const positions = seen.map((id) => position.get(id)!);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect((await thread(reviewId)).reply_count).toBe(1000 + written.length);
  });

  it('when a reply has more answers than the thread view shows, then ?parent= pages through them and a reply of another review is 404', async () => {
    const { guest, reviewId } = await reviewed();
    const top = (await reply(guest.token, reviewId, 'top')).json();
    const others = await Promise.all([customer(t), customer(t)]);
    const answers: string[] = [];
    for (const [i, who] of [...others, ...others].entries())
      answers.push((await reply(who.token, reviewId, `answer ${i}`, top.id)).json().id);
    const shown = (await thread(reviewId)).replies[0];
    expect(shown.replies.map((r: { id: string }) => r.id)).toEqual(answers.slice(0, 3));
    const rest = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/reviews/${reviewId}/replies`,
        query: { parent: top.id, cursor: shown.replies_cursor },
      })
    ).json();
    expect(rest.data.map((r: { id: string }) => r.id)).toEqual(answers.slice(3));
    const elsewhere = await reviewed();
    const wrong = await t.app.inject({
      method: 'GET',
      url: `/v1/reviews/${elsewhere.reviewId}/replies`,
      query: { parent: top.id },
    });
    expect(wrong.statusCode).toBe(404);
  });
});
