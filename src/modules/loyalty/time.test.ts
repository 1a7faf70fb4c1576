// The ledger over time (issue 14, Proof: Time): a lot expires at its boundary and only what is
// left of it; held points are never expired from under an order; points in their lock period are
// not spendable until it ends; tiers move on a rolling window, up at once, down one tier per
// evaluation. And a refund racing the expiry sweep leaves no lot negative. The clock is passed in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { inTransaction } from '../../platform/db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import {
  expectLoyaltySound,
  loyalShop,
  lotsOf,
  members,
  standingOf,
  type LoyalShop,
} from '../../test-support/loyalty-factories.js';
import { clawBack } from './accrual.js';
import { holdReward, spendableNow } from './holds.js';
import { credit, debit, lockMember } from './ledger.js';
import { expiryOf } from './model.js';
import { loyaltyRepo } from './repo.js';

const DAY = 86_400_000;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** Credits `points` to the member as an earn of a made-up order at `at`, as accrual would. */
async function earn(shop: LoyalShop, memberId: string, points: number, at: Date, lockDays = 0) {
  const program = (await loyaltyRepo.findProgram(t.db.database.db, shop.organizationId))!;
  const orderId = randomUUID();
  await inTransaction(t.db.database.db, async (trx) => {
    const member = await lockMember(trx, memberId);
    await credit(trx, member!, {
      kind: 'earn',
      points,
      orderId,
      availableAt: new Date(at.getTime() + lockDays * DAY),
      expiresAt: expiryOf(at, program.expiry_months),
      at,
    });
  });
  return orderId;
}

describe('expiry', () => {
  it('when a lot reaches its expiry, then exactly what is left of it expires — not a millisecond before — and newer lots stay', async () => {
    const shop = await loyalShop(t);
    const [customer] = await members(t, shop, 1, 0);
    const { id } = await standingOf(t, shop, customer!.id);
    const earned = new Date('2026-01-31T10:00:00Z');
    await earn(shop, id, 100, earned);
    await earn(shop, id, 40, new Date('2026-06-01T10:00:00Z'));
    // Spend 30: the oldest lot gives them.
    await inTransaction(t.db.database.db, async (trx) => {
      const member = await lockMember(trx, id);
      await debit(trx, member!, {
        kind: 'redeem',
        points: 30,
        rules: { vestedLimit: 30, includePending: false },
        at: new Date('2026-03-01T00:00:00Z'),
      });
    });
    // 31 January + 12 months: 31 January 2027.
    const boundary = new Date('2027-01-31T10:00:00Z');
    expect((await lotsOf(t, id))[0]!.expires_at).toEqual(boundary);
    expect(await t.modules.loyalty.api.expireLots(new Date(boundary.getTime() - 1))).toBe(0);
    expect(await t.modules.loyalty.api.expireLots(boundary)).toBeGreaterThanOrEqual(70);
    expect((await lotsOf(t, id)).map((lot) => lot.remaining)).toEqual([0, 40]);
    expect((await standingOf(t, shop, customer!.id)).balance).toBe(40);
    expect(await t.modules.loyalty.api.expireLots(boundary)).toBe(0);
    await expectLoyaltySound(t);
  });

  it('when a lot expires while a reward on an open order holds its points, then the held part is kept for that order', async () => {
    const shop = await loyalShop(t);
    const [customer] = await members(t, shop, 1, 0);
    const { id } = await standingOf(t, shop, customer!.id);
    await earn(shop, id, 150, new Date('2025-01-10T00:00:00Z'));
    await inTransaction(t.db.database.db, (trx) =>
      holdReward(trx, {
        organizationId: shop.organizationId,
        orderId: randomUUID(),
        customerId: customer!.id,
        reward: { reward_id: shop.rewards.freeLemonade, points: 100, amount: 350 },
        at: new Date('2026-01-01T00:00:00Z'),
      }),
    );
    await t.modules.loyalty.api.expireLots(new Date('2026-02-01T00:00:00Z'));
    expect(await standingOf(t, shop, customer!.id)).toMatchObject({ balance: 100, held: 100 });
    await expectLoyaltySound(t);
  });

  it('when a refund’s claw-back and the expiry sweep race for the same lot, then no lot goes negative and the ledger replays', async () => {
    const shop = await loyalShop(t);
    const racers = await members(t, shop, 10, 0);
    const at = new Date('2025-03-01T00:00:00Z');
    const orders = await Promise.all(
      racers.map(async (racer) => {
        const { id } = await standingOf(t, shop, racer.id);
        return earn(shop, id, 60, at);
      }),
    );
    const facts = (orderId: string, customerId: string) => ({
      id: orderId,
      organization_id: shop.organizationId,
      customer_id: customerId,
      fulfilled: true,
      currency: 'EUR',
      placed_at: at,
      subtotal: 6000,
      food_discounts: 0,
      total: 6000,
      lines: [],
    });
    const deps = (customerId: string) => ({
      orderFacts: async (orderId: string) => facts(orderId, customerId),
      categoriesOf: async () => new Map<string, string>(),
    });
    const sweep = new Date('2026-03-01T00:00:00Z');
    await Promise.all([
      t.modules.loyalty.api.expireLots(sweep),
      ...orders.map((orderId, i) =>
        inTransaction(t.db.database.db, (trx) =>
          clawBack(deps(racers[i]!.id), trx, { orderId, refundId: randomUUID(), refundAmount: 3000, at: sweep }),
        ),
      ),
    ]);
    for (const racer of racers) {
      const standing = await standingOf(t, shop, racer.id);
      expect(standing.balance).toBe(0);
      // Whichever came first: the claw-back took 30 (and expiry the rest), or expiry took all and
      // the claw-back left 30 of debt.
      expect([0, 30]).toContain(standing.debt);
    }
    await expectLoyaltySound(t);
  });
});

describe('the lock period', () => {
  it('when points are earned with a 3-day lock, then they are pending (not spendable) until it ends, and the sweep vests them', async () => {
    const shop = await loyalShop(t, { lock_days: 3 });
    const [customer] = await members(t, shop, 1, 0);
    const { id } = await standingOf(t, shop, customer!.id);
    const at = new Date();
    await earn(shop, id, 200, at, 3);
    const member = (await standingOf(t, shop, customer!.id)) as never;
    expect(await standingOf(t, shop, customer!.id)).toMatchObject({ balance: 200, pending: 200 });
    expect(await spendableNow(t.db.database.db, member, new Date(at.getTime() + 3 * DAY - 1))).toBe(0);
    expect(await spendableNow(t.db.database.db, member, new Date(at.getTime() + 3 * DAY))).toBe(200);
    await t.modules.loyalty.api.vestPending(new Date(at.getTime() + 3 * DAY));
    expect(await standingOf(t, shop, customer!.id)).toMatchObject({ balance: 200, pending: 0 });
    await expectLoyaltySound(t);
  });
});

describe('tiers', () => {
  it('when points earned in the last 365 days pass a threshold, then the member moves up at once; when they fall out of the window, then down one tier per evaluation, each change recorded', async () => {
    const shop = await loyalShop(t);
    const [customer] = await members(t, shop, 1, 0);
    const { id } = await standingOf(t, shop, customer!.id);
    const start = new Date('2025-06-01T00:00:00Z');
    await earn(shop, id, 1600, start);
    await t.modules.loyalty.api.evaluateTiers(new Date(start.getTime() + DAY));
    expect((await standingOf(t, shop, customer!.id)).tier).toBe('gold');
    // 366 days later nothing is in the window: Gold → Silver, then Silver → Bronze.
    const later = new Date(start.getTime() + 366 * DAY);
    await t.modules.loyalty.api.evaluateTiers(later);
    expect((await standingOf(t, shop, customer!.id)).tier).toBe('silver');
    await t.modules.loyalty.api.evaluateTiers(new Date(later.getTime() + DAY));
    expect((await standingOf(t, shop, customer!.id)).tier).toBe('bronze');
    await t.modules.loyalty.api.evaluateTiers(new Date(later.getTime() + 2 * DAY));
    expect((await standingOf(t, shop, customer!.id)).tier).toBe('bronze');
    await expectLoyaltySound(t);
  });
});
