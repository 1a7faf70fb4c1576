import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/harness.js';
import { bearer, login } from '../test-support/identity-factories.js';
import { DEMO_GUESTS } from './reviews.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, resetDemo, seedDemoIfEmpty } from './seed.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

interface Node {
  depth: number;
  author_role: 'store' | 'customer';
  body: string | null;
  replies?: Node[];
}

const storesByZone = async () => {
  const stores = (await t.app.inject({ method: 'GET', url: '/v1/stores?org=demo-pizzeria' })).json().data as Array<{
    id: string;
    timezone: string;
  }>;
  return {
    berlin: stores.find((store) => store.timezone === 'Europe/Berlin')!.id,
    brooklyn: stores.find((store) => store.timezone === 'America/New_York')!.id,
  };
};

const reviewsOf = async (storeId: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/v1/stores/${storeId}/reviews` });
  expect(res.statusCode).toBe(200);
  return res.json() as {
    data: Array<{ id: string; rating: number; comment: string; reply_count: number }>;
    rating_summary: { average: number; count: number };
  };
};

const threadOf = async (reviewId: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/reviews/${reviewId}` })).json() as { replies: Node[] };

describe('demo reviews', () => {
  it('when the demo is seeded, then both stores list the guests’ reviews, Berlin has a thread three levels deep with the store’s answers, and the invariants hold', async () => {
    expect(await seedDemoIfEmpty(t.db.database.db, t.modules)).toBe(true);
    const stores = await storesByZone();

    for (const storeId of [stores.berlin, stores.brooklyn]) {
      const list = await reviewsOf(storeId);
      expect(list.data.length).toBeGreaterThanOrEqual(3);
      // The summary is the tallies the service kept, equal to a recount of the reviews.
      expect(list.rating_summary.count).toBe(list.data.length);
      const mean = list.data.reduce((sum, review) => sum + review.rating, 0) / list.data.length;
      expect(list.rating_summary.average).toBe(Math.round(mean * 100) / 100);
      expect(await t.modules.reviews.api.recountRatings(storeId)).toEqual(
        await t.modules.reviews.api.ratingTallies(storeId),
      );
    }

    const berlin = await reviewsOf(stores.berlin);
    const discussed = berlin.data.find((review) => review.reply_count > 0)!;
    const [answer] = (await threadOf(discussed.id)).replies;
    expect(answer).toMatchObject({ depth: 1, author_role: 'store' });
    const [question] = answer!.replies!;
    expect(question).toMatchObject({ depth: 2, author_role: 'customer' });
    const [again] = question!.replies!;
    expect(again).toMatchObject({ depth: 3, author_role: 'store', body: expect.stringContaining('Saturdays') });

    const brooklyn = await reviewsOf(stores.brooklyn);
    const answered = brooklyn.data.find((review) => review.reply_count > 0)!;
    expect((await threadOf(answered.id)).replies[0]).toMatchObject({ depth: 1, author_role: 'store' });

    // What `brigade check` runs: the seeded orders are completed and their cash was taken once.
    expect(await t.modules.payments.api.checkInvariants({ graceSeconds: 0 })).toMatchObject({
      ok: true,
      violations: [],
    });
  });

  it('when a demo guest signs in, then their completed orders are theirs; the demo customer still has none (WELCOME10 stays a first order)', async () => {
    const guest = await login(t, { email: DEMO_GUESTS.gia.email, password: DEMO_PASSWORD });
    const orders = (
      await t.app.inject({ method: 'GET', url: '/v1/me/orders', headers: bearer(guest.access_token) })
    ).json().data as Array<{ status: string; channel: string }>;
    expect(orders).toHaveLength(2);
    expect(orders.every((order) => order.status === 'completed' && order.channel === 'dine_in')).toBe(true);

    const customer = await login(t, { email: DEMO_ACCOUNTS.customer, password: DEMO_PASSWORD });
    const own = await t.app.inject({ method: 'GET', url: '/v1/me/orders', headers: bearer(customer.access_token) });
    expect(own.json().data).toEqual([]);
  });

  it('when the list is read twice, then the cached answer is the serialized one; a vote through this process shows at once', async () => {
    const { berlin } = await storesByZone();
    const url = `/v1/stores/${berlin}/reviews?limit=2`;
    const first = await t.app.inject({ method: 'GET', url });
    const second = await t.app.inject({ method: 'GET', url });
    expect(second.body).toBe(first.body);
    expect(second.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.json()).toEqual(
      JSON.parse(JSON.stringify(await t.modules.reviews.service.listStoreReviews(berlin, { limit: 2 }))),
    );

    const [newest] = first.json().data as Array<{ id: string; helpful_count: number }>;
    const voter = await login(t, { email: DEMO_GUESTS.ines.email, password: DEMO_PASSWORD });
    const vote = await t.app.inject({
      method: 'PUT',
      url: `/v1/reviews/${newest!.id}/helpful-vote`,
      headers: bearer(voter.access_token),
    });
    expect(vote.statusCode).toBe(204);
    const after = (await t.app.inject({ method: 'GET', url })).json().data as Array<{
      id: string;
      helpful_count: number;
    }>;
    expect(after[0]).toMatchObject({ id: newest!.id, helpful_count: newest!.helpful_count + 1 });
  });

  it('when the demo is reset, then the guests and their reviews come back with the new stores, and the invariants still hold', async () => {
    const before = await storesByZone();
    await resetDemo(t.db.database.db, t.modules);
    const after = await storesByZone();
    expect(after.berlin).not.toBe(before.berlin);
    expect((await reviewsOf(after.brooklyn)).data.length).toBeGreaterThanOrEqual(3);
    await expect(login(t, { email: DEMO_GUESTS.hugo.email, password: DEMO_PASSWORD })).resolves.toMatchObject({
      token_type: 'Bearer',
    });
    expect((await t.modules.payments.api.checkInvariants({ graceSeconds: 0 })).ok).toBe(true);
  });
});
