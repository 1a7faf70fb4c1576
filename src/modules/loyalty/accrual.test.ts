// Points from the outbox (issue 14, ADR 0029): a fulfilled order earns once however often its
// event is delivered, at the program's rate on the food (never tax, tip or delivery fee) times the
// tier's multiplier; a refund claws back its share, from the order's own lot first, and what the
// balance cannot cover becomes debt that the next points repay. Real app and worker; the
// invariant checker (brigade check) runs at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import {
  deliver,
  entriesOf,
  expectLoyaltySound,
  loyalShop,
  lotsOf,
  members,
  standingOf,
} from '../../test-support/loyalty-factories.js';
import { margheritaLine, placeOrder } from '../../test-support/ordering-factories.js';
import { act, expectInvariantsHold, fulfil } from '../../test-support/payments-factories.js';
import { waitFor } from '../../test-support/wait.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.startWorker();
});
afterAll(async () => {
  await t?.close();
});

/** 3 small Margheritas (27.00) and a lemonade (3.50): 30.50 of food, so 30 points at 1 a unit. */
const basket = (ids: Parameters<typeof margheritaLine>[0], extra: Record<string, unknown> = {}) => ({
  channel: 'pickup',
  lines: [margheritaLine(ids, 3), { item_id: ids.items.lemonade!, quantity: 1 }],
  tip: { amount: 500, currency: 'EUR' },
  ...extra,
});

const refundEvent = (orderId: string, amount: number) => ({
  order_id: orderId,
  payment_id: randomUUID(),
  organization_id: randomUUID(),
  store_id: randomUUID(),
  provider: 'sandbox',
  amount,
  currency: 'EUR',
  refund_id: randomUUID(),
  refund_amount: amount,
});

describe('earning', () => {
  it('when a member’s order is fulfilled, then the outbox earns it floor(food) points once, and a redelivery 5× at once earns nothing more', async () => {
    const shop = await loyalShop(t);
    const [member] = await members(t, shop, 1, 0);
    const placed = await placeOrder(t, member!.token, shop.shop.store.id, basket(shop.shop.ids));
    expect(placed.statusCode, placed.body).toBe(201);
    const order = placed.json<{ id: string; totals: { total: { amount: number } } }>();
    await fulfil(t, shop.shop.ownerToken, order.id);
    const standing = await waitFor('the points', async () => {
      const now = await standingOf(t, shop, member!.id);
      return now.balance > 0 && now;
    });
    expect(standing.balance).toBe(30);
    await Promise.all(
      Array.from({ length: 5 }, () =>
        deliver(t, 'ordering.order.picked_up', 'loyalty.award-points', { order_id: order.id }),
      ),
    );
    expect((await standingOf(t, shop, member!.id)).balance).toBe(30);
    expect((await entriesOf(t, standing.id)).filter((e) => e.kind === 'earn')).toHaveLength(1);
    await expectLoyaltySound(t);
  });

  it('when the member is Silver and a double-points week runs, then the order earns ×1.25 ×2, floored once', async () => {
    const now = Date.now();
    const shop = await loyalShop(t, {
      accrual: {
        points_per_unit: 1,
        per_visit: 5,
        multipliers: [
          {
            name: 'Double week',
            starts_at: new Date(now - 3_600_000).toISOString(),
            ends_at: new Date(now + 3_600_000).toISOString(),
            multiplier_bps: 20_000,
          },
        ],
      },
    });
    const [member] = await members(t, shop, 1, 0);
    await sql`UPDATE loyalty_members SET tier = 'silver' WHERE customer_id = ${member!.id}`.execute(t.db.database.db);
    await sql`UPDATE loyalty_tier_changes SET to_tier = 'silver' WHERE member_id = (SELECT id FROM loyalty_members WHERE customer_id = ${member!.id})`.execute(
      t.db.database.db,
    );
    const placed = await placeOrder(t, member!.token, shop.shop.store.id, basket(shop.shop.ids));
    await fulfil(t, shop.shop.ownerToken, placed.json().id);
    // (30 + 5 visit) × 1.25 × 2 = 87.5 → 87
    const standing = await waitFor('the points', async () => {
      const s = await standingOf(t, shop, member!.id);
      return s.balance > 0 && s;
    });
    expect(standing.balance).toBe(87);
  });

  it('when a guest who is not a member orders, or the order is cancelled, then nothing is earned', async () => {
    const shop = await loyalShop(t);
    const [member] = await members(t, shop, 1, 0);
    const placed = await placeOrder(t, member!.token, shop.shop.store.id, basket(shop.shop.ids));
    await act(t, member!.token, placed.json().id, 'cancel');
    await deliver(t, 'ordering.order.picked_up', 'loyalty.award-points', { order_id: placed.json().id });
    // The handler reads the order: a cancelled order never reached its fulfilment.
    expect((await standingOf(t, shop, member!.id)).balance).toBe(0);
  });
});

describe('clawing back', () => {
  it('when half the order is refunded, then half its points go, from its own lot first; a second delivery of the refund takes nothing more', async () => {
    const shop = await loyalShop(t);
    const [member] = await members(t, shop, 1, 50);
    const placed = await placeOrder(t, member!.token, shop.shop.store.id, basket(shop.shop.ids));
    const order = placed.json<{ id: string; totals: { total: { amount: number } } }>();
    await fulfil(t, shop.shop.ownerToken, order.id);
    const standing = await waitFor('the points', async () => {
      const s = await standingOf(t, shop, member!.id);
      return s.balance === 80 && s;
    });
    const refund = refundEvent(order.id, Math.floor(order.totals.total.amount / 2));
    await deliver(t, 'payments.refund.succeeded', 'loyalty.claw-back-refunded-points', refund);
    await deliver(t, 'payments.refund.succeeded', 'loyalty.claw-back-refunded-points', refund);
    expect((await standingOf(t, shop, member!.id)).balance).toBe(65);
    // The welcome lot (50) is untouched; the order's lot (30) gave 15.
    expect((await lotsOf(t, standing.id)).map((lot) => lot.remaining)).toEqual([50, 15]);
    await expectLoyaltySound(t);
  });

  it('when the points were already spent, then the refund leaves a debt, never a negative balance, and the next points earned repay it', async () => {
    const shop = await loyalShop(t);
    const [member] = await members(t, shop, 1, 0);
    const first = await placeOrder(t, member!.token, shop.shop.store.id, basket(shop.shop.ids));
    const order = first.json<{ id: string; totals: { total: { amount: number } } }>();
    await fulfil(t, shop.shop.ownerToken, order.id);
    const standing = await waitFor('the points', async () => {
      const s = await standingOf(t, shop, member!.id);
      return s.balance === 30 && s;
    });
    // Staff take 25 of them away (an adjustment): 5 remain when the whole order is refunded.
    const { inTransaction } = await import('../../platform/db/index.js');
    const { debit, lockMember } = await import('./ledger.js');
    await inTransaction(t.db.database.db, async (trx) => {
      const locked = await lockMember(trx, standing.id);
      await debit(trx, locked!, {
        kind: 'adjust',
        points: 25,
        rules: { vestedLimit: 25, includePending: true },
        reason: 'test',
        at: new Date(),
      });
    });
    await deliver(
      t,
      'payments.refund.succeeded',
      'loyalty.claw-back-refunded-points',
      refundEvent(order.id, order.totals.total.amount),
    );
    expect(await standingOf(t, shop, member!.id)).toMatchObject({ balance: 0, debt: 25 });
    await expectLoyaltySound(t);

    const second = await placeOrder(t, member!.token, shop.shop.store.id, basket(shop.shop.ids));
    await fulfil(t, shop.shop.ownerToken, second.json().id);
    const after = await waitFor('the second order’s points', async () => {
      const s = await standingOf(t, shop, member!.id);
      return s.debt === 0 && s;
    });
    expect(after.balance).toBe(5);
    await expectLoyaltySound(t);
    // The cash captures run in the worker's saga: once they settle, brigade check finds nothing.
    await waitFor(
      'the captures to settle',
      async () => (await t.modules.payments.api.checkInvariants({ graceSeconds: 0 })).ok,
    );
    await expectInvariantsHold(t);
  });
});
