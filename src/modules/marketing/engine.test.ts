// The promotions engine's properties (issue 13: "property tests extend"), in the style of
// ordering's pricing properties: for random baskets and random sets of promotions of every effect
// type, stacked by priority and combinability, capped by max_discount and budgets, discounts are
// never negative, never more than the lines (plus the delivery fee), no line loses more than its
// gross, the result does not depend on the order of the lines, and the price a quote shows
// (ordering's priceOrder with the engine's discounts) has totals.discounts equal to the sum of the
// discounts listed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceOrder } from '../ordering/index.js';
import { evaluatePromotions, type EvaluationInput, type Standing } from './engine.js';
import type { BasketLine } from './effects.js';
import type { Effect, LineTarget, Promotion } from './model.js';

const RUNS = { numRuns: 600 };
type PricingInput = Parameters<typeof priceOrder>[0];
const ITEMS = ['margherita', 'diavola', 'cola', 'tiramisu'] as const;
const CATEGORY: Record<(typeof ITEMS)[number], string> = {
  margherita: 'pizza',
  diavola: 'pizza',
  cola: 'drinks',
  tiramisu: 'desserts',
};

interface LineSpec {
  item_id: (typeof ITEMS)[number];
  variant_id: string | null;
  quantity: number;
  unit_price: number;
  /** modifier charge per unit */
  extra: number;
}

const lineSpecArb: fc.Arbitrary<LineSpec> = fc.record({
  item_id: fc.constantFrom(...ITEMS),
  variant_id: fc.constantFrom(null, 'small', 'large'),
  quantity: fc.integer({ min: 1, max: 6 }),
  unit_price: fc.oneof(fc.constantFrom(0, 350, 900, 1000), fc.integer({ min: 0, max: 5_000 })),
  extra: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 })),
});

const targetArb: fc.Arbitrary<LineTarget> = fc.record(
  {
    item_ids: fc.subarray([...ITEMS], { minLength: 1 }),
    category_ids: fc.subarray(['pizza', 'drinks', 'desserts'], { minLength: 1 }),
    variant_ids: fc.subarray(['small', 'large'], { minLength: 1 }),
  },
  { requiredKeys: [] },
);
const componentArb = fc.record({ target: targetArb, quantity: fc.integer({ min: 1, max: 3 }) });
const bpsArb = fc.oneof(fc.constantFrom(1, 1000, 5000, 10_000), fc.integer({ min: 1, max: 10_000 }));
const amountArb = fc.integer({ min: 1, max: 5_000 });

const effectArb: fc.Arbitrary<Effect> = fc.oneof(
  fc.record({ type: fc.constant('order_percentage' as const), percent_bps: bpsArb }),
  fc.record({ type: fc.constant('order_fixed' as const), amount: amountArb }),
  fc.record({ type: fc.constant('line_percentage' as const), percent_bps: bpsArb, target: targetArb }),
  fc.record({ type: fc.constant('line_fixed' as const), amount_per_unit: amountArb, target: targetArb }),
  fc.oneof(
    fc.record({ type: fc.constant('delivery_fee' as const), percent_bps: bpsArb }),
    fc.record({ type: fc.constant('delivery_fee' as const), amount: amountArb }),
  ),
  fc.record(
    {
      type: fc.constant('buy_x_get_y' as const),
      buy: componentArb,
      get: componentArb,
      percent_bps: bpsArb,
      max_applications: fc.integer({ min: 1, max: 3 }),
    },
    { requiredKeys: ['type', 'buy', 'get', 'percent_bps'] },
  ),
  fc.record(
    {
      type: fc.constant('combo' as const),
      components: fc.array(componentArb, { minLength: 2, maxLength: 3 }),
      price: fc.integer({ min: 0, max: 3_000 }),
      max_applications: fc.integer({ min: 1, max: 3 }),
    },
    { requiredKeys: ['type', 'components', 'price'] },
  ),
  fc.record({
    type: fc.constant('fixed_price' as const),
    target: targetArb,
    price: fc.integer({ min: 0, max: 3_000 }),
  }),
  fc.oneof(
    fc.record({
      type: fc.constant('flash_sale' as const),
      item_id: fc.constantFrom(...ITEMS),
      percent_bps: bpsArb,
      units_per_day: fc.integer({ min: 1, max: 5 }),
      per_customer_per_day: fc.integer({ min: 1, max: 5 }),
    }),
    fc.record({
      type: fc.constant('flash_sale' as const),
      item_id: fc.constantFrom(...ITEMS),
      price: fc.integer({ min: 0, max: 3_000 }),
      units_per_day: fc.integer({ min: 1, max: 5 }),
      per_customer_per_day: fc.integer({ min: 1, max: 5 }),
    }),
  ),
);

const promotionArb: fc.Arbitrary<Omit<Promotion, 'id' | 'created_at'>> = fc
  .record({
    priority: fc.integer({ min: -3, max: 3 }),
    // Mostly combinable, so that stacks of several are common.
    combinable: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
    effect: effectArb,
    max_discount: fc.option(fc.integer({ min: 1, max: 3_000 }), { nil: null }),
    budget: fc.option(fc.tuple(fc.integer({ min: 1, max: 5_000 }), fc.nat(6_000)), { nil: null }),
    min_subtotal: fc.option(fc.integer({ min: 0, max: 6_000 }), { nil: undefined }),
  })
  .map(({ budget, min_subtotal, ...rest }) => ({
    ...rest,
    organization_id: 'org',
    name: `${rest.effect.type} promotion`,
    description: null,
    kind: 'automatic' as const,
    advertised: true,
    active: true,
    starts_at: null,
    ends_at: null,
    conditions: min_subtotal === undefined ? {} : { min_subtotal },
    usage_limit: null,
    budget: budget === null ? null : budget[0],
    per_customer_limit: null,
    uses: 0,
    // What was already given, within the budget (the CHECK keeps it there).
    discount_spent: budget === null ? 0 : Math.min(budget[1], budget[0]),
    version: 1,
  }));

interface Case {
  lines: LineSpec[];
  promotions: Promotion[];
  deliveryFee: number;
  poolLeft: number[];
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    lines: fc.array(lineSpecArb, { minLength: 1, maxLength: 6 }),
    promotions: fc.array(promotionArb, { maxLength: 6 }),
    deliveryFee: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 800 })),
    poolLeft: fc.array(fc.nat(5), { minLength: 6, maxLength: 6 }),
  })
  .map(({ promotions, ...rest }) => ({
    ...rest,
    promotions: promotions.map((p, i) => ({
      ...p,
      id: `0190000${i}-0000-7000-8000-000000000000`,
      created_at: new Date(Date.UTC(2026, 0, 1 + (i % 3))),
    })),
  }));

function basketLines(specs: LineSpec[]): BasketLine[] {
  return specs.map((spec, i) => ({
    line_no: i,
    item_id: spec.item_id,
    variant_id: spec.variant_id,
    category_id: CATEGORY[spec.item_id],
    quantity: spec.quantity,
    unit_price: spec.unit_price,
    gross: (spec.unit_price + spec.extra) * spec.quantity,
  }));
}

function inputOf(lines: BasketLine[], deliveryFee: number): EvaluationInput {
  return {
    at: new Date('2026-12-07T12:00:00Z'),
    fulfilmentAt: new Date('2026-12-07T12:15:00Z'),
    timezone: 'Europe/Berlin',
    storeId: 'store',
    channel: 'delivery',
    currency: 'EUR',
    customer: { id: 'customer', anonymous: false, firstOrder: false },
    lines,
    deliveryFee,
    couponCode: null,
  };
}

function standingOf(c: Case): Standing {
  return {
    promotions: c.promotions,
    coupon: null,
    customerUses: new Map(),
    poolLeft: new Map(
      c.promotions.filter((p) => p.effect.type === 'flash_sale').map((p, i) => [p.id, c.poolLeft[i] ?? 0] as const),
    ),
  };
}

const sumOf = (values: number[]) => values.reduce((a, b) => a + b, 0);

function evaluate(c: Case, lines = basketLines(c.lines)) {
  return { lines, evaluation: evaluatePromotions(inputOf(lines, c.deliveryFee), standingOf(c)) };
}

/** Everything the evaluation takes off: per line, on the order, off the delivery fee. */
function takenOff(evaluation: ReturnType<typeof evaluatePromotions>) {
  return (
    sumOf(evaluation.lineDiscounts) +
    sumOf(evaluation.orderDiscounts.map((d) => d.amount)) +
    evaluation.deliveryDiscount
  );
}

describe('promotions engine: properties', () => {
  it('when any set of promotions meets any basket, then no amount is negative, no line loses more than its gross, and nothing exceeds the lines plus the delivery fee', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { lines, evaluation } = evaluate(c);
        for (const a of evaluation.applied) {
          expect(a.amount).toBeGreaterThan(0);
          expect(Number.isSafeInteger(a.amount)).toBe(true);
          expect([...a.amounts.lines, a.amounts.order, a.amounts.delivery].every((n) => n >= 0)).toBe(true);
          if (a.promotion.max_discount !== null) expect(a.amount).toBeLessThanOrEqual(a.promotion.max_discount);
          if (a.promotion.budget !== null)
            expect(a.amount).toBeLessThanOrEqual(a.promotion.budget - a.promotion.discount_spent);
        }
        evaluation.lineDiscounts.forEach((discount, i) => {
          expect(discount).toBeGreaterThanOrEqual(0);
          expect(discount).toBeLessThanOrEqual(lines[i]!.gross);
        });
        for (const d of evaluation.orderDiscounts) expect(d.amount).toBeGreaterThan(0);
        expect(evaluation.deliveryDiscount).toBeGreaterThanOrEqual(0);
        expect(evaluation.deliveryDiscount).toBeLessThanOrEqual(c.deliveryFee);
        const gross = sumOf(lines.map((l) => l.gross));
        expect(
          sumOf(evaluation.lineDiscounts) + sumOf(evaluation.orderDiscounts.map((d) => d.amount)),
        ).toBeLessThanOrEqual(gross);
        expect(takenOff(evaluation)).toBeLessThanOrEqual(gross + c.deliveryFee);
        // What the quote lists is exactly what is taken off.
        expect(sumOf(evaluation.applied.map((a) => a.amount))).toBe(takenOff(evaluation));
      }),
      RUNS,
    );
  });

  it('when the stacking rule is applied, then a promotion that does not combine is alone, and each one applies or is listed with its reason', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { evaluation } = evaluate(c);
        if (evaluation.applied.some((a) => !a.promotion.combinable)) expect(evaluation.applied).toHaveLength(1);
        const seen = [
          ...evaluation.applied.map((a) => a.promotion.id),
          ...evaluation.passedOver.map((p) => p.promotion_id),
        ];
        expect(seen.sort()).toEqual(c.promotions.map((p) => p.id).sort());
        for (const p of evaluation.passedOver) expect(p.reason.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  const permutedArb = (cases: fc.Arbitrary<Case>) =>
    cases.chain((c) =>
      fc
        .shuffledSubarray(basketLines(c.lines), { minLength: c.lines.length, maxLength: c.lines.length })
        .map((permuted) => [c, permuted] as const),
    );
  const amounts = (e: ReturnType<typeof evaluatePromotions>) => e.applied.map((x) => [x.promotion.id, x.amount]);

  it('when the lines of a basket come in another order (each keeping its line_no), then the same promotions apply with the same amounts and the same total is taken off', () => {
    // Without max_discount and budgets here; the capped case is the property below.
    const uncapped = caseArb.map((c) => ({
      ...c,
      promotions: c.promotions.map((p) => ({ ...p, max_discount: null, budget: null, discount_spent: 0 })),
    }));
    fc.assert(
      fc.property(permutedArb(uncapped), ([c, permuted]) => {
        const a = evaluate(c).evaluation;
        const b = evaluate(c, permuted).evaluation;
        expect(takenOff(b)).toBe(takenOff(a));
        expect(amounts(b)).toEqual(amounts(a));
        expect(b.passedOver.map((p) => p.promotion_id)).toEqual(a.passedOver.map((p) => p.promotion_id));
      }),
      RUNS,
    );
  });

  it('when capped promotions meet a basket in another order, then the same promotions apply with the same amounts (a cap’s split breaks ties by what a line is, not where it sits)', () => {
    fc.assert(
      fc.property(permutedArb(caseArb), ([c, permuted]) => {
        const a = evaluate(c).evaluation;
        const b = evaluate(c, permuted).evaluation;
        expect(amounts(b)).toEqual(amounts(a));
        expect(takenOff(b)).toBe(takenOff(a));
      }),
      RUNS,
    );
  });

  it('when a basket is priced with the discounts the engine found, then totals.discounts is the sum of the discounts listed and no line is priced below zero', () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), (c, inclusive) => {
        const { lines, evaluation } = evaluate(c);
        const pricing: PricingInput = {
          currency: 'EUR',
          prices_include_tax: inclusive,
          service_charge_bps: 0,
          delivery_fee: c.deliveryFee,
          tip: 0,
          lines: c.lines.map((spec, i) => ({
            line_no: lines[i]!.line_no,
            item_id: spec.item_id,
            variant_id: spec.variant_id,
            name: spec.item_id,
            quantity: spec.quantity,
            unit_price: spec.unit_price,
            tax_rate_bps: spec.item_id === 'cola' ? 1900 : 700,
            modifiers:
              spec.extra === 0
                ? []
                : [{ option_id: 'extra', group_id: 'extras', name: 'Extra', unit_price: spec.extra, quantity: 1 }],
            free_quantities: {},
            discount: evaluation.lineDiscounts[i] ?? 0,
          })),
          order_discounts: evaluation.orderDiscounts,
          delivery_discount: evaluation.deliveryDiscount,
        };
        const priced = priceOrder(pricing);
        expect(priced.lines.map((l) => l.gross)).toEqual(lines.map((l) => l.gross));
        expect(priced.discounts).toBe(sumOf(evaluation.applied.map((a) => a.amount)));
        for (const line of priced.lines) expect(line.total).toBeGreaterThanOrEqual(0);
        expect(priced.total).toBeGreaterThanOrEqual(0);
      }),
      RUNS,
    );
  });
});
