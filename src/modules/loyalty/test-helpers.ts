// Helpers of loyalty's own tests: a program body like the demo's Slice Club, calls through
// app.inject, and points seeded through the ledger's own credit (in a transaction, under the
// member's lock), so the ledger the routes read is one the real code wrote.
import { v7 as uuidv7 } from 'uuid';
import { inTransaction } from '../../platform/db/index.js';
import { bearer } from '../../test-support/identity-factories.js';
import type { TestApp } from '../../test-support/harness.js';
import { holdReward } from './holds.js';
import { credit, lockMember } from './ledger.js';
import { loyaltyRepo } from './repo.js';

export const sliceClub = (overrides: Record<string, unknown> = {}) => ({
  name: 'Slice Club',
  accrual: { points_per_unit: 1 },
  lock_days: 0,
  expiry_months: 12,
  tier_measure: 'points',
  tier_window_days: 365,
  tiers: [
    { key: 'bronze', name: 'Bronze', threshold: 0, multiplier_bps: 10_000, perks: [] },
    { key: 'silver', name: 'Silver', threshold: 500, multiplier_bps: 12_500, perks: ['×1.25 points'] },
    { key: 'gold', name: 'Gold', threshold: 1500, multiplier_bps: 15_000, perks: ['×1.5 points'] },
  ],
  ...overrides,
});

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export function caller(t: TestApp) {
  return (method: Method, url: string, token: string | null, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method,
      url,
      headers: { ...(token ? bearer(token) : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
}

/** A credit of `points` to the customer's membership: an earn lot (available at `availableAt`) or an adjustment. */
export async function creditPoints(
  t: TestApp,
  input: {
    organizationId: string;
    customerId: string;
    points: number;
    at: Date;
    availableAt?: Date;
    expiresAt?: Date | null;
    kind?: 'earn' | 'adjust';
    orderId?: string;
  },
): Promise<string> {
  return inTransaction(t.db.database.db, async (trx) => {
    const found = await loyaltyRepo.findMember(trx, input.organizationId, input.customerId);
    if (!found) throw new Error('creditPoints needs a member');
    const member = (await lockMember(trx, found.id))!;
    const { entryId } = await credit(trx, member, {
      kind: input.kind ?? 'earn',
      points: input.points,
      availableAt: input.availableAt ?? input.at,
      expiresAt: input.expiresAt ?? null,
      orderId: input.orderId ?? null,
      at: input.at,
    });
    return entryId;
  });
}

/** A reward on an open order holding `points` of the customer's (as placement does), for an order id of its own. */
export async function holdPoints(
  t: TestApp,
  input: { organizationId: string; customerId: string; rewardId: string; points: number; at: Date },
): Promise<string> {
  const orderId = uuidv7();
  await inTransaction(t.db.database.db, (trx) =>
    holdReward(trx, {
      organizationId: input.organizationId,
      orderId,
      customerId: input.customerId,
      reward: { reward_id: input.rewardId, points: input.points, amount: 0 },
      at: input.at,
    }),
  );
  return orderId;
}
