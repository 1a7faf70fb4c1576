// Test factories for loyalty: a shop with a program and two rewards, members with a starting
// balance, the member's stored standing, deliveries of loyalty's event handlers as the relay would
// make them (any number of times), and the ledger's replay.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { inTransaction } from '../platform/db/index.js';
import type { CloudEvent } from '../platform/events/index.js';
import type { Program } from '../modules/loyalty/index.js';
import type { TestApp } from './harness.js';
import { manyCustomers, type SignedInCustomer } from './marketing-factories.js';
import { orderingStore } from './ordering-factories.js';
import { middayZone } from './tenancy-factories.js';

export const TIERS: Program['tiers'] = [
  { key: 'bronze', name: 'Bronze', threshold: 0, multiplier_bps: 10_000, perks: [] },
  { key: 'silver', name: 'Silver', threshold: 500, multiplier_bps: 12_500, perks: [] },
  { key: 'gold', name: 'Gold', threshold: 1500, multiplier_bps: 15_000, perks: [] },
];

/** A store open now with the test menu, and its brand's program: 1 point per whole unit, "Free Lemonade" (100) and "3.00 off" (400). */
export async function loyalShop(t: TestApp, program: Partial<Omit<Program, 'organization_id' | 'version'>> = {}) {
  const shop = await orderingStore(t, {}, { timezone: middayZone() });
  const organizationId = shop.organization.id;
  const { freeLemonade, threeOff } = await inTransaction(t.db.database.db, async (trx) => {
    await t.modules.loyalty.api.seedProgram(trx, {
      organization_id: organizationId,
      name: 'Test Club',
      active: true,
      accrual: { points_per_unit: 1 },
      lock_days: 0,
      expiry_months: 12,
      tier_measure: 'points',
      tier_window_days: 365,
      tiers: TIERS,
      join_at_sign_up: false,
      ...program,
    });
    return {
      freeLemonade: await t.modules.loyalty.api.seedReward(trx, {
        organizationId,
        name: 'Free Lemonade',
        points: 100,
        effect: { type: 'free_item', item_ids: [shop.ids.items.lemonade!] },
        cost: 80,
      }),
      threeOff: await t.modules.loyalty.api.seedReward(trx, {
        organizationId,
        name: '3.00 off',
        points: 400,
        effect: { type: 'amount_off', amount: 300 },
        cost: 300,
      }),
    };
  });
  return { shop, organizationId, rewards: { freeLemonade, threeOff } };
}
export type LoyalShop = Awaited<ReturnType<typeof loyalShop>>;

/** `count` signed-in customers, each a member with `points` to spend. */
export async function members(t: TestApp, shop: LoyalShop, count: number, points: number): Promise<SignedInCustomer[]> {
  const made = await manyCustomers(t, count);
  await inTransaction(t.db.database.db, async (trx) => {
    for (const customer of made)
      await t.modules.loyalty.api.seedMember(trx, {
        organizationId: shop.organizationId,
        customerId: customer.id,
        points,
        reason: 'test balance',
      });
  });
  return made;
}

export interface Standing {
  id: string;
  balance: number;
  pending: number;
  held: number;
  debt: number;
  tier: string;
}

export async function standingOf(t: TestApp, shop: LoyalShop, customerId: string): Promise<Standing> {
  const { rows } = await sql<Standing>`
    SELECT id, balance, pending, held, debt, tier FROM loyalty_members
    WHERE organization_id = ${shop.organizationId} AND customer_id = ${customerId}`.execute(t.db.database.db);
  return rows[0]!;
}

export async function entriesOf(t: TestApp, memberId: string) {
  const { rows } = await sql<{ kind: string; points: number; owed: number | null; order_id: string | null }>`
    SELECT kind, points, owed, order_id FROM loyalty_entries WHERE member_id = ${memberId} ORDER BY id`.execute(
    t.db.database.db,
  );
  return rows;
}

export async function lotsOf(t: TestApp, memberId: string) {
  const { rows } = await sql<{ entry_id: string; points: number; remaining: number; expires_at: Date | null }>`
    SELECT entry_id, points, remaining, expires_at FROM loyalty_lots WHERE member_id = ${memberId}
    ORDER BY created_at, entry_id`.execute(t.db.database.db);
  return rows;
}

/**
 * Runs loyalty's subscriber of `type` for this event in its own transaction, as the relay does on
 * each delivery (a redelivery is simply another call with the same event).
 */
export async function deliver(
  t: TestApp,
  type: string,
  subscriber: string,
  data: Record<string, unknown>,
  at = new Date(),
) {
  const subscription = t.events.bus.subscriptionsFor(type).find((s) => s.subscriber === subscriber);
  if (!subscription) throw new Error(`no subscriber ${subscriber} on ${type}`);
  const event: CloudEvent<string, unknown> = {
    specversion: '1.0',
    id: randomUUID(),
    source: 'test',
    type,
    subject: String(data.order_id ?? ''),
    time: at.toISOString(),
    datacontenttype: 'application/json',
    partitionkey: `order:${String(data.order_id ?? '')}`,
    data,
  };
  await inTransaction(t.db.database.db, (trx) => subscription.handler(event, { trx, attempt: 1 }));
}

/** The replay finds nothing: balances, lots, holds, debt and tiers equal what the entries say. */
export async function expectLoyaltySound(t: TestApp) {
  expect(await t.modules.loyalty.api.audit(t.db.database.db)).toEqual([]);
}
