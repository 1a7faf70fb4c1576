// Rewards are holds (issue 14, ADR 0029): a quote shows what a reward takes off and why it cannot
// be used; placing holds the points in the order's transaction, fulfilment spends them (oldest
// lots first), every path that ends the order unfulfilled gives them back, and a whole refund
// returns spent ones (accrual.test.ts, with the worker, checks the invariants). Fifty parallel orders of one member cannot spend the same points twice.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { inTransaction } from '../../platform/db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import {
  entriesOf,
  expectLoyaltySound,
  loyalShop,
  lotsOf,
  members,
  standingOf,
  type LoyalShop,
} from '../../test-support/loyalty-factories.js';
import { createPromotion, manyCustomers, quote, tally } from '../../test-support/marketing-factories.js';
import { margheritaLine, placeOrder } from '../../test-support/ordering-factories.js';
import { act, fulfil } from '../../test-support/payments-factories.js';
import { recordQueries } from '../../test-support/query-log.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const basket = (shop: LoyalShop, rewardId?: string) => ({
  channel: 'pickup',
  lines: [margheritaLine(shop.shop.ids), { item_id: shop.shop.ids.items.lemonade!, quantity: 2 }],
  ...(rewardId === undefined ? {} : { reward_id: rewardId }),
});

describe('a reward in a quote', () => {
  it('when a member with enough points asks for "Free Lemonade", then one lemonade comes off and the quote shows the reward', async () => {
    const shop = await loyalShop(t);
    const [member] = await members(t, shop, 1, 120);
    const plain = await quote(t, shop.shop.store.id, basket(shop), member!.token);
    const priced = await quote(t, shop.shop.store.id, basket(shop, shop.rewards.freeLemonade), member!.token);
    expect(priced.orderable).toBe(true);
    expect(priced.totals.discounts!.amount).toBe(350);
    expect(priced.totals.total!.amount).toBe(plain.totals.total!.amount - 350);
    expect((priced as unknown as { reward: unknown }).reward).toEqual({
      reward_id: shop.rewards.freeLemonade,
      name: 'Free Lemonade',
      points: 100,
      amount: { amount: 350, currency: 'EUR' },
    });
  });

  it('when the reward cannot be used, then the quote names why on /reward_id: anonymous, not a member, too few points, nothing to take off, no such reward', async () => {
    const shop = await loyalShop(t);
    const [poor] = await members(t, shop, 1, 40);
    const [outsider] = await manyCustomers(t, 1);
    const problemOf = async (body: Record<string, unknown>, token: string | null) => {
      const answer = await quote(t, shop.shop.store.id, body, token);
      expect(answer.orderable).toBe(false);
      const problem = answer.problems.find((p) => p.path === '/reward_id')!;
      return `${problem.code}: ${problem.message}`;
    };
    expect(await problemOf(basket(shop, shop.rewards.freeLemonade), null)).toMatch(/^LOYALTY_NOT_MEMBER: Sign in/);
    expect(await problemOf(basket(shop, shop.rewards.freeLemonade), outsider!.token)).toMatch(
      /^LOYALTY_NOT_MEMBER: Join Test Club/,
    );
    expect(await problemOf(basket(shop, shop.rewards.freeLemonade), poor!.token)).toBe(
      'INSUFFICIENT_POINTS: Free Lemonade needs 100 points; 40 are available.',
    );
    const [rich] = await members(t, shop, 1, 500);
    const noLemonade = {
      channel: 'pickup',
      lines: [margheritaLine(shop.shop.ids)],
      reward_id: shop.rewards.freeLemonade,
    };
    expect(await problemOf(noLemonade, rich!.token)).toMatch(/^REWARD_NOT_APPLICABLE: /);
    const other = await loyalShop(t);
    expect(await problemOf(basket(shop, other.rewards.freeLemonade), rich!.token)).toMatch(/^REWARD_NOT_FOUND: /);
    // Placing says the same, and holds nothing.
    const placed = await placeOrder(t, poor!.token, shop.shop.store.id, basket(shop, shop.rewards.freeLemonade));
    expect(placed.statusCode).toBe(422);
    expect(placed.json().code).toBe('INSUFFICIENT_POINTS');
    expect((await standingOf(t, shop, poor!.id)).held).toBe(0);
  });
});

describe('a reward on an order', () => {
  it('when the order is placed, then the points are held; when it is cancelled, then they are given back once; when another is fulfilled, then they are spent from the oldest lot', async () => {
    const shop = await loyalShop(t);
    const [member] = await members(t, shop, 1, 120);
    // A second, newer lot: spending must take the older one first.
    const memberId = (await standingOf(t, shop, member!.id)).id;
    await inTransaction(t.db.database.db, (trx) =>
      t.modules.loyalty.api.seedMember(trx, {
        organizationId: shop.organizationId,
        customerId: member!.id,
        points: 30,
        reason: 'a later lot',
      }),
    );
    const first = await placeOrder(t, member!.token, shop.shop.store.id, basket(shop, shop.rewards.freeLemonade));
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().reward).toMatchObject({ reward_id: shop.rewards.freeLemonade, points: 100 });
    expect(await standingOf(t, shop, member!.id)).toMatchObject({ balance: 150, held: 100 });
    // The held points are not spendable twice: 50 left is too few for a second one.
    const second = await placeOrder(t, member!.token, shop.shop.store.id, basket(shop, shop.rewards.freeLemonade));
    expect(second.json().code).toBe('INSUFFICIENT_POINTS');

    await act(t, member!.token, first.json().id, 'cancel');
    expect(await standingOf(t, shop, member!.id)).toMatchObject({ balance: 150, held: 0 });
    await inTransaction(t.db.database.db, (trx) => t.modules.loyalty.port.release(trx, first.json().id, 'again'));
    expect(await standingOf(t, shop, member!.id)).toMatchObject({ balance: 150, held: 0 });

    const kept = await placeOrder(t, member!.token, shop.shop.store.id, basket(shop, shop.rewards.freeLemonade));
    expect(kept.statusCode, kept.body).toBe(201);
    await fulfil(t, shop.shop.ownerToken, kept.json().id);
    expect(await standingOf(t, shop, member!.id)).toMatchObject({ balance: 50, held: 0 });
    expect((await lotsOf(t, memberId)).map((lot) => lot.remaining)).toEqual([20, 30]);
    expect((await entriesOf(t, memberId)).map((e) => `${e.kind} ${e.points}`)).toEqual([
      'adjust 120',
      'adjust 30',
      'redeem -100',
    ]);
    await expectLoyaltySound(t);
  });

  it('when the store rejects an order with a reward, then its points go back', async () => {
    const shop = await loyalShop(t);
    const [member] = await members(t, shop, 1, 100);
    const order = await placeOrder(t, member!.token, shop.shop.store.id, basket(shop, shop.rewards.freeLemonade));
    expect(order.statusCode, order.body).toBe(201);
    await act(t, shop.shop.ownerToken, order.json().id, 'reject', { reason: 'too busy' });
    expect(await standingOf(t, shop, member!.id)).toMatchObject({ balance: 100, held: 0 });
    await expectLoyaltySound(t);
  });

  it('when 50 orders of one member race to spend points that cover one reward, then exactly one is placed, the rest are 422 INSUFFICIENT_POINTS, and the balance is exact', async () => {
    const shop = await loyalShop(t);
    const [member] = await members(t, shop, 1, 150);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        placeOrder(t, member!.token, shop.shop.store.id, basket(shop, shop.rewards.freeLemonade)),
      ),
    );
    expect(tally(responses)).toEqual({ '201': 1, '422 INSUFFICIENT_POINTS': 49 });
    expect(await standingOf(t, shop, member!.id)).toMatchObject({ balance: 150, held: 100 });
    const placed = responses.find((r) => r.statusCode === 201)!.json<{ id: string }>();
    await fulfil(t, shop.shop.ownerToken, placed.id);
    expect(await standingOf(t, shop, member!.id)).toMatchObject({ balance: 50, held: 0 });
    await expectLoyaltySound(t);
  });
});

describe('the order path without a reward', () => {
  it('when a member places an order without a reward and the store fulfils it, then neither request sends a single loyalty statement (points come later, from the outbox)', async () => {
    const shop = await loyalShop(t);
    const [member] = await members(t, shop, 1, 500);
    // No worker runs in this file: every statement recorded is the requests' own.
    const { queries } = await recordQueries(pg, async () => {
      const placed = await placeOrder(t, member!.token, shop.shop.store.id, basket(shop));
      expect(placed.statusCode, placed.body).toBe(201);
      await fulfil(t, shop.shop.ownerToken, placed.json().id);
    });
    expect(queries.length).toBeGreaterThan(10);
    // The fulfilment asks whether the order held a reward (one lookup by primary key), nothing else.
    expect(queries.filter((q) => /loyalty_/.test(q.text)).map((q) => q.text.replace(/\s+/g, ' ').slice(0, 60))).toEqual(
      [expect.stringContaining('loyalty_reward_holds')],
    );
  });
});

describe('a tier perk', () => {
  it('when a promotion is only for Silver and Gold members, then a Silver member gets it, a Bronze member is told it is for those tiers, and a non-member too', async () => {
    const shop = await loyalShop(t);
    const perk = await createPromotion(
      t,
      { organizationId: shop.organizationId, ownerToken: shop.shop.ownerToken },
      {
        name: 'Silver lining',
        kind: 'automatic',
        conditions: { loyalty_tiers: ['silver', 'gold'] },
        effect: { type: 'order_fixed', amount: 200 },
      },
    );
    const [silver, bronze] = await members(t, shop, 2, 0);
    const [outsider] = await manyCustomers(t, 1);
    await sql`UPDATE loyalty_members SET tier = 'silver' WHERE customer_id = ${silver!.id}`.execute(t.db.database.db);
    const given = await quote(t, shop.shop.store.id, basket(shop), silver!.token);
    expect(given.discounts.map((d) => [d.promotion_id, d.amount.amount])).toEqual([[perk.id, 200]]);
    for (const who of [bronze!, outsider!]) {
      const refused = await quote(t, shop.shop.store.id, basket(shop), who.token);
      expect(refused.discounts).toEqual([]);
      expect(refused.promotions_not_applied).toEqual([
        expect.objectContaining({
          promotion_id: perk.id,
          reason_code: 'TIER_ONLY',
          reason: 'for silver and gold members only',
        }),
      ]);
    }
    // Placing checks it too: the Bronze member's order is priced without it.
    const placed = await placeOrder(t, bronze!.token, shop.shop.store.id, basket(shop));
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.json().discounts).toEqual([]);
  });
});
