// What a loyalty program is, as data: how points are earned (accrual), the tiers on their own
// qualifying measure, and the rewards points buy. Points are whole numbers; multipliers are basis
// points (12500 = ×1.25); amounts are minor units of the store's currency.

export interface Accrual {
  /** Points per whole major unit (dollar, euro) of food: subtotal minus discounts, floored. */
  points_per_unit: number;
  /** Points for every completed order. */
  per_visit?: number;
  /** Extra points per unit of these items. */
  per_item?: Array<{ item_id: string; points: number }>;
  /** Extra points per unit of an item in these categories. */
  per_category?: Array<{ category_id: string; points: number }>;
  /** Time-boxed multipliers (double points week), by when the order was placed; the largest applies. */
  multipliers?: Array<{ name: string; starts_at: string; ends_at: string; multiplier_bps: number }>;
}

export interface Tier {
  /** Stable key, e.g. `silver`; the member keeps it. */
  key: string;
  name: string;
  /** The qualifying measure needed (points earned, or orders, over the window). */
  threshold: number;
  /** Accrual multiplier of the tier's members (10000 = ×1). */
  multiplier_bps: number;
  /** What members of the tier get besides the multiplier, in words (shown to them). */
  perks: string[];
}

export interface Program {
  organization_id: string;
  name: string;
  active: boolean;
  accrual: Accrual;
  lock_days: number;
  /** Null: points never expire. */
  expiry_months: number | null;
  tier_measure: 'points' | 'orders';
  tier_window_days: number;
  /** Ascending by threshold; the first one is at 0 (where every member starts). */
  tiers: Tier[];
  join_at_sign_up: boolean;
  version: number;
}

export type RewardEffect = { type: 'free_item'; item_ids: string[] } | { type: 'amount_off'; amount: number };

export interface Reward {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  points: number;
  effect: RewardEffect;
  cost: number;
  active: boolean;
}

export type EntryKind = 'earn' | 'redeem' | 'adjust' | 'expire' | 'clawback';

/** When a lot earned at `at` expires: the same wall-clock instant `months` later (UTC calendar). */
export function expiryOf(at: Date, months: number | null): Date | null {
  if (months === null) return null;
  const expires = new Date(at.getTime());
  const day = expires.getUTCDate();
  expires.setUTCDate(1);
  expires.setUTCMonth(expires.getUTCMonth() + months);
  // 31 January + 1 month is the last day of February, not 3 March.
  const lastDay = new Date(Date.UTC(expires.getUTCFullYear(), expires.getUTCMonth() + 1, 0)).getUTCDate();
  expires.setUTCDate(Math.min(day, lastDay));
  return expires;
}

/** The tier a measure qualifies for: the highest whose threshold it reaches. */
export function qualifyingTier(tiers: Tier[], measure: number): Tier {
  let best = tiers[0]!;
  for (const tier of tiers) if (measure >= tier.threshold) best = tier;
  return best;
}

export const tierIndex = (tiers: Tier[], key: string): number => tiers.findIndex((tier) => tier.key === key);
