// How many points an order earns, as a pure function of the program, the member's tier and the
// order: the food (subtotal minus discounts; never tax, tip or the delivery fee) in whole major
// units times the rate, plus the visit, item and category bonuses, times the tier's multiplier
// and the largest time-boxed multiplier in force when the order was placed; floored once, at the end.
import { wholeUnits } from '../../platform/money.js';
import type { Accrual, Tier } from './model.js';

export interface EarningOrder {
  currency: string;
  subtotal: number;
  /** Discounts on the food (promotions and rewards), not on the delivery fee. */
  foodDiscounts: number;
  placedAt: Date;
  lines: Array<{ item_id: string; category_id: string | null; quantity: number }>;
}

const ONE = 10_000n;

export function multiplierAt(accrual: Accrual, at: Date): number {
  let best = 10_000;
  for (const m of accrual.multipliers ?? []) {
    const from = Date.parse(m.starts_at);
    const to = Date.parse(m.ends_at);
    if (at.getTime() >= from && at.getTime() < to) best = Math.max(best, m.multiplier_bps);
  }
  return best;
}

export function pointsFor(accrual: Accrual, tier: Tier, order: EarningOrder): number {
  const food = wholeUnits(order.subtotal - order.foodDiscounts, order.currency);
  let raw = food * accrual.points_per_unit + (accrual.per_visit ?? 0);
  for (const line of order.lines) {
    for (const bonus of accrual.per_item ?? []) if (bonus.item_id === line.item_id) raw += bonus.points * line.quantity;
    for (const bonus of accrual.per_category ?? [])
      if (bonus.category_id === line.category_id) raw += bonus.points * line.quantity;
  }
  // BigInt: points × two multipliers in basis points can pass 2^53 before the division.
  const scaled =
    (BigInt(raw) * BigInt(tier.multiplier_bps) * BigInt(multiplierAt(accrual, order.placedAt))) / (ONE * ONE);
  return Number(scaled);
}
