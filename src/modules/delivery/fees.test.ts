// Delivery fees: pricing by fixed amount, distance tier (bound included) and basket tier, free
// delivery from a threshold, and the checks that keep a rule from leaving an order without a fee.
import { describe, expect, it } from 'vitest';
import { feeFor, validateCoverage, validateFee } from './fees.js';
import { distanceForFee, greatCircleMetres } from './geometry.js';
import type { GeoPoint, ZoneArea, ZoneFee } from './model.js';

const store: GeoPoint = { lat: 40.7216, lng: -73.9573 };
/** Moving north by d metres (a degree of latitude is about 111 195 m on geometry's sphere). */
const north = (metres: number): GeoPoint => ({
  lat: store.lat + (metres * 180) / (6_371_008.8 * Math.PI),
  lng: store.lng,
});
const distanceTiers = (...tiers: Array<[number, number]>): ZoneFee => ({
  type: 'distance_tiers',
  tiers: tiers.map(([up_to_m, amount]) => ({ up_to_m, amount })),
});
const basketTiers = (...tiers: Array<[number, number]>): ZoneFee => ({
  type: 'basket_tiers',
  tiers: tiers.map(([from, amount]) => ({ from, amount })),
});
const paths = (fee: ZoneFee, freeAbove: number | null = null) => validateFee(fee, freeAbove).map((i) => i.path);
// The demo's two zones as one tiered rule: 2.99 within 3 km, 4.99 to 6 km.
const demo = distanceTiers([3000, 299], [6000, 499]);

describe('pricing', () => {
  it('when the fee is fixed, then every order pays it', () => {
    expect(feeFor({ type: 'fixed', amount: 299 }, null, { distance_m: 5000, basket: 100_000 })).toBe(299);
  });

  it('when the distance is exactly a tier bound, then that tier applies (the bound is included)', () => {
    expect(feeFor(demo, null, { distance_m: 0, basket: 1500 })).toBe(299);
    expect(feeFor(demo, null, { distance_m: 3000, basket: 1500 })).toBe(299);
    expect(feeFor(demo, null, { distance_m: 3000.01, basket: 1500 })).toBe(499);
    expect(feeFor(demo, null, { distance_m: 6000, basket: 1500 })).toBe(499);
  });

  it('when an address is past the last tier (a zone that outgrew its tiers), then the last tier applies', () => {
    expect(feeFor(demo, null, { distance_m: 6500, basket: 1500 })).toBe(499);
  });

  it('when priced from a real address, then the great-circle distance picks the tier', () => {
    const area: ZoneArea = { type: 'circle', radius_m: 6000 };
    const near = distanceForFee(area, store, north(1000));
    const far = distanceForFee(area, store, north(4500));
    expect(near).toBeCloseTo(greatCircleMetres(store, north(1000)), 9);
    expect(feeFor(demo, null, { distance_m: near, basket: 2500 })).toBe(299);
    expect(feeFor(demo, null, { distance_m: far, basket: 2500 })).toBe(499);
  });

  it('when the basket reaches a tier, then that tier applies; below it, the one before', () => {
    const fee = basketTiers([0, 499], [2500, 299], [5000, 0]);
    expect(feeFor(fee, null, { distance_m: 1000, basket: 0 })).toBe(499);
    expect(feeFor(fee, null, { distance_m: 1000, basket: 2499 })).toBe(499);
    expect(feeFor(fee, null, { distance_m: 1000, basket: 2500 })).toBe(299);
    expect(feeFor(fee, null, { distance_m: 1000, basket: 9999 })).toBe(0);
  });

  it('when the basket reaches free_above, then delivery is free; a minor unit below, it is not', () => {
    const fixed: ZoneFee = { type: 'fixed', amount: 299 };
    expect(feeFor(fixed, 3000, { distance_m: 1000, basket: 2999 })).toBe(299);
    expect(feeFor(fixed, 3000, { distance_m: 1000, basket: 3000 })).toBe(0);
    expect(feeFor(demo, 3000, { distance_m: 5000, basket: 3500 })).toBe(0);
    expect(feeFor(demo, null, { distance_m: 5000, basket: 1_000_000 })).toBe(499);
  });
});

describe('checking a fee rule', () => {
  it('when a rule is sound, then there is nothing to report', () => {
    expect(validateFee(demo, null)).toEqual([]);
    expect(validateFee(basketTiers([0, 499], [2500, 0]), 5000)).toEqual([]);
    expect(validateFee({ type: 'fixed', amount: 0 }, 1)).toEqual([]);
  });

  it('when an amount is negative or fractional, then its path is named', () => {
    expect(paths({ type: 'fixed', amount: -1 })).toEqual(['/fee/amount']);
    expect(paths({ type: 'fixed', amount: 2.5 })).toEqual(['/fee/amount']);
    expect(paths(distanceTiers([3000, 299], [6000, -5]))).toEqual(['/fee/tiers/1/amount']);
  });

  it('when distance tiers do not ascend, then the out-of-order bound is named', () => {
    expect(paths(distanceTiers([3000, 299], [3000, 499]))).toEqual(['/fee/tiers/1/up_to_m']);
    expect(paths(distanceTiers([6000, 499], [3000, 299]))).toEqual(['/fee/tiers/1/up_to_m']);
    expect(paths(distanceTiers([0, 299]))).toEqual(['/fee/tiers/0/up_to_m']);
    expect(paths(distanceTiers([1500.5, 299]))).toEqual(['/fee/tiers/0/up_to_m']);
  });

  it('when basket tiers start above 0, then the rule leaves a gap', () => {
    const issues = validateFee(basketTiers([500, 499], [2500, 299]), null);
    expect(issues).toEqual([{ path: '/fee/tiers/0/from', message: expect.stringMatching(/leaves a gap/) }]);
    expect(paths(basketTiers([0, 499], [2500, 299], [2500, 0]))).toEqual(['/fee/tiers/2/from']);
  });

  it('when a rule has no tiers, then it is rejected', () => {
    expect(paths(distanceTiers())).toEqual(['/fee/tiers']);
    expect(paths(basketTiers())).toEqual(['/fee/tiers']);
  });

  it('when free_above is below 1 or fractional, then it is rejected; null means never free', () => {
    expect(paths({ type: 'fixed', amount: 299 }, 0)).toEqual(['/free_above']);
    expect(paths({ type: 'fixed', amount: 299 }, 99.5)).toEqual(['/free_above']);
    expect(paths({ type: 'fixed', amount: 299 }, null)).toEqual([]);
  });
});

describe('checking coverage', () => {
  it('when distance tiers stop short of a circle’s radius, then the gap is reported', () => {
    const six: ZoneArea = { type: 'circle', radius_m: 6000 };
    expect(validateCoverage(six, demo, store)).toEqual([]);
    expect(validateCoverage(six, distanceTiers([3000, 299]), store)).toEqual([
      { path: '/fee/tiers', message: expect.stringMatching(/6000 m/) },
    ]);
  });

  it('when distance tiers stop short of a polygon’s farthest vertex, then the gap is reported', () => {
    // A square 0.02° each way round the store; its corners are about 2.8 km away.
    const { lat, lng } = store;
    const square: ZoneArea = {
      type: 'polygon',
      coordinates: [
        [
          [lng - 0.02, lat - 0.02],
          [lng + 0.02, lat - 0.02],
          [lng + 0.02, lat + 0.02],
          [lng - 0.02, lat + 0.02],
          [lng - 0.02, lat - 0.02],
        ],
      ],
    };
    const corner = greatCircleMetres(store, { lat: lat + 0.02, lng: lng + 0.02 });
    expect(corner).toBeGreaterThan(2000);
    expect(corner).toBeLessThan(3000);
    expect(validateCoverage(square, distanceTiers([3000, 299]), store)).toEqual([]);
    expect(validateCoverage(square, distanceTiers([Math.ceil(corner), 299]), store)).toEqual([]);
    expect(validateCoverage(square, distanceTiers([2000, 299]), store)).toEqual([
      { path: '/fee/tiers', message: expect.stringMatching(/leaves a gap/) },
    ]);
  });

  it('when the fee is not by distance, then there is no coverage to check', () => {
    const small: ZoneArea = { type: 'circle', radius_m: 6000 };
    expect(validateCoverage(small, { type: 'fixed', amount: 299 }, store)).toEqual([]);
    expect(validateCoverage(small, basketTiers([0, 299]), store)).toEqual([]);
  });
});
