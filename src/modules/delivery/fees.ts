// Delivery fees: pure functions, no I/O, no clock. Checks a zone's fee rule once on write, so
// that pricing at checkout never meets a rule that leaves some order without a fee, and prices an
// order from its distance to the store and its basket (food subtotal, minor units).
//
// Coverage is checked separately from shape (`validateCoverage`) because it needs the area and the
// store: distance tiers that stop short of the zone's edge would leave its outer addresses unpriced.
import { farthestReachMetres, type ZoneIssue } from './geometry.js';
import type { GeoPoint, ZoneArea, ZoneFee } from './model.js';

type DistanceTier = { up_to_m: number; amount: number };
type BasketTier = { from: number; amount: number };

const issue = (path: string, message: string): ZoneIssue => ({ path, message });
const isWhole = (n: number): boolean => Number.isSafeInteger(n);

function amountIssues(amount: number, path: string): ZoneIssue[] {
  return isWhole(amount) && amount >= 0 ? [] : [issue(path, 'must be a whole amount in minor units, at least 0')];
}

/** Problems with a fee rule and its free-delivery threshold; empty when they are sound. */
export function validateFee(fee: ZoneFee, freeAbove: number | null): ZoneIssue[] {
  return [...ruleIssues(fee), ...freeAboveIssues(freeAbove)];
}

function ruleIssues(fee: ZoneFee): ZoneIssue[] {
  switch (fee.type) {
    case 'fixed':
      return amountIssues(fee.amount, '/fee/amount');
    case 'distance_tiers':
      return distanceTierIssues(fee.tiers);
    case 'basket_tiers':
      return basketTierIssues(fee.tiers);
    default:
      return [issue('/fee/type', 'must be "fixed", "distance_tiers" or "basket_tiers"')];
  }
}

/**
 * Ascending bounds leave neither gaps nor overlaps: each tier covers the distances past the one
 * before, up to its own bound. So ascending order is the whole check (coverage of the far edge aside).
 */
function distanceTierIssues(tiers: DistanceTier[]): ZoneIssue[] {
  if (tiers.length === 0) return [issue('/fee/tiers', 'needs at least one tier')];
  return tiers.flatMap((tier, i) => {
    const path = `/fee/tiers/${i}/up_to_m`;
    const previous = tiers[i - 1];
    const found = amountIssues(tier.amount, `/fee/tiers/${i}/amount`);
    if (!isWhole(tier.up_to_m) || tier.up_to_m < 1) {
      found.push(issue(path, 'must be a whole number of metres, at least 1'));
    } else if (previous && !(tier.up_to_m > previous.up_to_m)) {
      found.push(issue(path, `must be greater than the previous tier's ${previous.up_to_m}: tiers ascend`));
    }
    return found;
  });
}

/** The first tier starts at 0, else the smallest baskets would have no fee; then strictly ascending. */
function basketTierIssues(tiers: BasketTier[]): ZoneIssue[] {
  if (tiers.length === 0) return [issue('/fee/tiers', 'needs at least one tier')];
  return tiers.flatMap((tier, i) => {
    const path = `/fee/tiers/${i}/from`;
    const previous = tiers[i - 1];
    const found = amountIssues(tier.amount, `/fee/tiers/${i}/amount`);
    if (!isWhole(tier.from) || tier.from < 0) {
      found.push(issue(path, 'must be a whole amount in minor units, at least 0'));
    } else if (i === 0 && tier.from !== 0) {
      found.push(issue(path, `leaves a gap: baskets below ${tier.from} would have no fee; the first tier starts at 0`));
    } else if (previous && !(tier.from > previous.from)) {
      found.push(issue(path, `must be greater than the previous tier's ${previous.from}: tiers ascend`));
    }
    return found;
  });
}

function freeAboveIssues(freeAbove: number | null): ZoneIssue[] {
  if (freeAbove === null || (isWhole(freeAbove) && freeAbove >= 1)) return [];
  return [issue('/free_above', 'must be a whole amount in minor units, at least 1, or null')];
}

/**
 * Whether distance tiers reach every address in the area around the store at `centre`: the last
 * bound must be at least the zone's farthest reach (a circle's radius, a polygon's farthest outer
 * vertex). Run it on an area and fee that passed `validateArea` and `validateFee`.
 */
export function validateCoverage(area: ZoneArea, fee: ZoneFee, centre: GeoPoint): ZoneIssue[] {
  if (fee.type !== 'distance_tiers') return [];
  const last = fee.tiers.at(-1);
  const reach = farthestReachMetres(area, centre);
  // No tier, or an area with no sound reach, is already reported by the other validators.
  if (!last || !Number.isFinite(reach) || last.up_to_m >= reach) return [];
  const needed = Math.ceil(reach);
  return [
    issue(
      '/fee/tiers',
      `leaves a gap: the last tier ends at ${last.up_to_m} m but the zone reaches ${needed} m from the store, so addresses past ${last.up_to_m} m would have no fee`,
    ),
  ];
}

/** The fee for an order `distance_m` from the store with a `basket` food subtotal, minor units. */
export function feeFor(fee: ZoneFee, freeAbove: number | null, input: { distance_m: number; basket: number }): number {
  const amount = ruleAmount(fee, input);
  return freeAbove !== null && input.basket >= freeAbove ? 0 : amount;
}

function ruleAmount(fee: ZoneFee, input: { distance_m: number; basket: number }): number {
  switch (fee.type) {
    case 'fixed':
      return fee.amount;
    case 'distance_tiers':
      return distanceTierFor(fee.tiers, input.distance_m).amount;
    case 'basket_tiers':
      return basketTierFor(fee.tiers, input.basket).amount;
  }
}

function distanceTierFor(tiers: DistanceTier[], distance: number): DistanceTier {
  // Past the last bound only when the zone outgrew its tiers, which `validateCoverage` prevents on
  // write; the last tier is the nearest honest price then, rather than refusing the order.
  const tier = tiers.find((t) => t.up_to_m >= distance) ?? tiers.at(-1);
  if (!tier) throw new Error('distance_tiers fee without tiers: validateFee rejects it on write');
  return tier;
}

function basketTierFor(tiers: BasketTier[], basket: number): BasketTier {
  // The first tier starts at 0, so only a negative basket falls below it; price it as the smallest.
  const tier = tiers.findLast((t) => t.from <= basket) ?? tiers[0];
  if (!tier) throw new Error('basket_tiers fee without tiers: validateFee rejects it on write');
  return tier;
}
