// The demo brand's membership program (issue 14; the walkthrough and outside checks rely on these
// facts): "Slice Club", 1 point per whole dollar or euro of food (subtotal minus discounts),
// points spendable at once and expiring 12 months after they were earned; tiers Bronze (from 0),
// Silver (500 points in 365 days, ×1.25) and Gold (1,500, ×1.5); the reward "Free Cola" for 100
// points. The demo customer is a Bronze member with 120 points, so a reward can be tried at once;
// new customers join at sign-up (the demo never runs in production).
import type { Tx } from '../platform/db/index.js';
import type { Modules } from '../modules.js';

export const DEMO_PROGRAM_NAME = 'Slice Club';
export const DEMO_REWARD_NAME = 'Free Cola';
export const DEMO_MEMBER_POINTS = 120;

export async function seedDemoLoyalty(
  trx: Tx,
  modules: Modules,
  input: { organizationId: string; customerId: string; colaId: string },
): Promise<void> {
  const { loyalty } = modules;
  const { organizationId } = input;
  await loyalty.api.seedProgram(trx, {
    organization_id: organizationId,
    name: DEMO_PROGRAM_NAME,
    active: true,
    accrual: { points_per_unit: 1 },
    lock_days: 0,
    expiry_months: 12,
    tier_measure: 'points',
    tier_window_days: 365,
    tiers: [
      { key: 'bronze', name: 'Bronze', threshold: 0, multiplier_bps: 10_000, perks: [] },
      {
        key: 'silver',
        name: 'Silver',
        threshold: 500,
        multiplier_bps: 12_500,
        perks: ['1.25 points per dollar or euro'],
      },
      { key: 'gold', name: 'Gold', threshold: 1500, multiplier_bps: 15_000, perks: ['1.5 points per dollar or euro'] },
    ],
    // The seed never runs in production.
    join_at_sign_up: true,
  });
  // What a free Cola costs the brand (the can, not its menu price): the liability report's value.
  await loyalty.api.seedReward(trx, {
    organizationId,
    name: DEMO_REWARD_NAME,
    points: 100,
    effect: { type: 'free_item', item_ids: [input.colaId] },
    cost: 60,
  });
  await loyalty.api.seedMember(trx, {
    organizationId,
    customerId: input.customerId,
    points: DEMO_MEMBER_POINTS,
    reason: 'Welcome points of the demo.',
  });
}
