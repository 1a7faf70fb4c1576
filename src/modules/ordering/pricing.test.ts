import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mulDivRoundHalfUp,
  priceOrder,
  type PriceBreakdown,
  type PricedLine,
  type PricingInput,
  type PricingLine,
  type PricingModifier,
} from './pricing.js';

function line(overrides: Partial<PricingLine> = {}): PricingLine {
  return {
    line_no: 0,
    item_id: 'burger',
    variant_id: null,
    name: 'Burger',
    quantity: 1,
    unit_price: 1000,
    tax_rate_bps: 0,
    modifiers: [],
    free_quantities: {},
    ...overrides,
  };
}

function order(lines: PricingLine[], overrides: Partial<PricingInput> = {}): PricingInput {
  return {
    currency: 'EUR',
    prices_include_tax: false,
    lines,
    service_charge_bps: 0,
    delivery_fee: 0,
    tip: 0,
    ...overrides,
  };
}

function pick(option_id: string, unit_price: number, quantity = 1, group_id = 'sauces'): PricingModifier {
  return { option_id, group_id, name: option_id, unit_price, quantity };
}

/** The reference for every rounding: exact rational arithmetic, half up. */
function halfUp(a: number, b: number, c: number): number {
  return Number((2n * BigInt(a) * BigInt(b) + BigInt(c)) / (2n * BigInt(c)));
}

const sumOf = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('pricing: hand-computed examples', () => {
  it('when prices include 19% tax, then 1190 contains 190 of tax and the customer pays 1190', () => {
    const result = priceOrder(order([line({ unit_price: 1190, tax_rate_bps: 1900 })], { prices_include_tax: true }));
    expect(result.lines[0]).toMatchObject({ gross: 1190, discount: 0, tax: 190, total: 1190 });
    expect(result).toMatchObject({ subtotal: 1190, tax: 190, total: 1190 });
  });

  it('when prices exclude 8.88% tax (8.875% has no integer bps) and the tax lands on .5, then it rounds half up', () => {
    // 625 × 8.88% = 55.5 → 56; 624 × 8.88% = 55.4112 → 55.
    const exact = priceOrder(order([line({ unit_price: 625, tax_rate_bps: 888 })]));
    expect(exact.lines[0]).toMatchObject({ gross: 625, tax: 56, total: 681 });
    expect(exact.total).toBe(681);
    const below = priceOrder(order([line({ unit_price: 624, tax_rate_bps: 888 })]));
    expect(below.lines[0]).toMatchObject({ tax: 55, total: 679 });
  });

  it('when a group has one free unit, then the cheapest pick is free whatever order it was picked in', () => {
    const modifiers = [pick('bbq', 50), pick('mayo', 30)];
    for (const picks of [modifiers, [...modifiers].reverse()]) {
      const result = priceOrder(order([line({ modifiers: picks, free_quantities: { sauces: 1 } })]));
      const byOption = Object.fromEntries(result.lines[0]!.modifiers.map((m) => [m.option_id, m]));
      expect(byOption.mayo).toMatchObject({ free_quantity: 1, total: 0 });
      expect(byOption.bbq).toMatchObject({ free_quantity: 0, total: 50 });
      expect(result.lines[0]).toMatchObject({ modifier_charges: 50, gross: 1050 });
    }
  });

  it('when the cheapest picks cost the same, then the free unit goes to the lower option_id', () => {
    for (const picks of [
      [pick('mustard', 40), pick('ketchup', 40)],
      [pick('ketchup', 40), pick('mustard', 40)],
    ]) {
      const result = priceOrder(order([line({ modifiers: picks, free_quantities: { sauces: 1 } })]));
      expect(result.lines[0]!.modifiers.find((m) => m.option_id === 'ketchup')!.free_quantity).toBe(1);
      expect(result.lines[0]!.modifiers.find((m) => m.option_id === 'mustard')!.free_quantity).toBe(0);
    }
  });

  it('when free units run out inside a multi-unit pick, then that pick is partly free', () => {
    // Two free cheese units per burger: brie (80, cheapest) takes one, cheddar ×3 takes the other.
    // Per burger: cheddar 2 × 100 charged; two burgers: 400. Gross (900 + 200) × 2 = 2200.
    const modifiers = [pick('cheddar', 100, 3, 'cheese'), pick('brie', 80, 1, 'cheese')];
    const result = priceOrder(
      order([line({ unit_price: 900, quantity: 2, modifiers, free_quantities: { cheese: 2 } })]),
    );
    expect(result.lines[0]!.modifiers).toEqual([
      {
        option_id: 'cheddar',
        group_id: 'cheese',
        name: 'cheddar',
        quantity: 3,
        free_quantity: 1,
        unit_price: 100,
        total: 400,
      },
      { option_id: 'brie', group_id: 'cheese', name: 'brie', quantity: 1, free_quantity: 1, unit_price: 80, total: 0 },
    ]);
    expect(result).toMatchObject({ modifier_charges: 400, subtotal: 2200, total: 2200 });
  });

  it('when a line discount exceeds the line, then it is capped at the gross and nothing goes negative', () => {
    const result = priceOrder(order([line({ unit_price: 500, tax_rate_bps: 1900, discount: 800 })]));
    expect(result.lines[0]).toMatchObject({ gross: 500, discount: 500, tax: 0, total: 0 });
    expect(result).toMatchObject({ subtotal: 500, discounts: 500, tax: 0, total: 0 });
  });

  it('when an order discount does not split evenly, then the leftover unit goes to the largest remainder', () => {
    // 50 over 200 and 100: 33.33 and 16.67 → floors 33 and 16, the leftover 1 to the .67.
    const lines = [
      line({ line_no: 0, item_id: 'a', unit_price: 200 }),
      line({ line_no: 1, item_id: 'b', unit_price: 100 }),
    ];
    const result = priceOrder(order(lines, { order_discounts: [{ code: 'WELCOME', amount: 50 }] }));
    expect(result.lines.map((l) => l.discount)).toEqual([33, 17]);
    expect(result).toMatchObject({ discounts: 50, total: 250 });
  });

  it('when remainders tie, then the content key decides, so reordering the lines moves nothing', () => {
    // 100 over three lines of 100: 33.33 each; the leftover goes to item "a" in either order.
    const lines = ['c', 'a', 'b'].map((item_id, i) => line({ line_no: i, item_id, unit_price: 100 }));
    const forward = priceOrder(order(lines, { order_discounts: [{ code: 'X', amount: 100 }] }));
    const backward = priceOrder(order([...lines].reverse(), { order_discounts: [{ code: 'X', amount: 100 }] }));
    for (const result of [forward, backward]) {
      expect(Object.fromEntries(result.lines.map((l) => [l.item_id, l.discount]))).toEqual({ a: 34, b: 33, c: 33 });
    }
  });

  it('when tied lines differ only in tax rate, then the rate is part of the content key and reordering keeps the tax', () => {
    // 1 over two lines of 3: a tie at .5. At 19% exclusive, 3 carries 0.57 → 1 of tax, 2 carries 0.38 → 0,
    // so who gets the unit changes the tax; the key gives it to the 0% line in either order.
    const lines = [
      line({ line_no: 0, unit_price: 3, tax_rate_bps: 1900 }),
      line({ line_no: 1, unit_price: 3, tax_rate_bps: 0 }),
    ];
    for (const ordered of [lines, [lines[1]!, lines[0]!]]) {
      const renumbered = ordered.map((l, i) => ({ ...l, line_no: i }));
      const result = priceOrder(order(renumbered, { order_discounts: [{ code: 'X', amount: 1 }] }));
      expect(result.lines.find((l) => l.tax_rate_bps === 0)!.discount).toBe(1);
      expect(result).toMatchObject({ discounts: 1, tax: 1, total: 6 });
    }
  });

  it('when order discounts exceed what the line discounts leave, then they are capped at it', () => {
    const lines = [line({ unit_price: 1000, discount: 300 })];
    const result = priceOrder(
      order(lines, {
        order_discounts: [
          { code: 'A', amount: 500 },
          { code: 'B', amount: 500 },
        ],
      }),
    );
    expect(result).toMatchObject({ discounts: 1000, total: 0 });
  });

  it('when there is a service charge, delivery fee and tip, then the service charge is on the discounted subtotal and none of them is taxed', () => {
    // Inclusive 19%: 1190 - 190 discount = 1000, containing 159.66 → 160 tax. Service 10% of 1000.
    const result = priceOrder(
      order([line({ unit_price: 1190, tax_rate_bps: 1900, discount: 190 })], {
        prices_include_tax: true,
        service_charge_bps: 1000,
        delivery_fee: 300,
        tip: 150,
      }),
    );
    expect(result).toMatchObject({
      subtotal: 1190,
      discounts: 190,
      tax: 160,
      service_charge: 100,
      delivery_fee: 300,
      tip: 150,
      total: 1550,
    });
  });

  it('when prices exclude tax, then tax is added and the total adds service charge, delivery fee and tip', () => {
    // 2 × 1000 at 7%: 140 tax; service 12.5% of 2000 = 250; 2000 + 140 + 250 + 300 + 150.
    const result = priceOrder(
      order([line({ quantity: 2, tax_rate_bps: 700 })], { service_charge_bps: 1250, delivery_fee: 300, tip: 150 }),
    );
    expect(result).toMatchObject({ subtotal: 2000, tax: 140, service_charge: 250, total: 2840 });
  });

  it('when the service charge lands on .5, then it rounds half up', () => {
    const result = priceOrder(order([line({ unit_price: 1000 })], { service_charge_bps: 1005 }));
    expect(result.service_charge).toBe(101);
  });

  it('when there are no lines, then only the delivery fee and tip are charged', () => {
    const result = priceOrder(
      order([], {
        order_discounts: [{ code: 'X', amount: 100 }],
        service_charge_bps: 1000,
        delivery_fee: 300,
        tip: 50,
      }),
    );
    expect(result).toMatchObject({ subtotal: 0, discounts: 0, tax: 0, service_charge: 0, total: 350 });
  });

  const invalid: Array<[string, (input: PricingInput) => void]> = [
    ['lines[0].quantity', (i) => void (i.lines[0]!.quantity = 0)],
    ['lines[0].unit_price', (i) => void (i.lines[0]!.unit_price = -1)],
    ['lines[0].unit_price', (i) => void (i.lines[0]!.unit_price = 9.99)],
    ['lines[0].tax_rate_bps', (i) => void (i.lines[0]!.tax_rate_bps = 10_001)],
    ['lines[0].tax_rate_bps', (i) => void (i.lines[0]!.tax_rate_bps = 887.5)],
    ['lines[0].discount', (i) => void (i.lines[0]!.discount = -5)],
    ['lines[0].free_quantities.sauces', (i) => void (i.lines[0]!.free_quantities = { sauces: 0.5 })],
    ['lines[0].modifiers[0].quantity', (i) => void (i.lines[0]!.modifiers = [pick('bbq', 50, 0)])],
    ['lines[0].modifiers[0].unit_price', (i) => void (i.lines[0]!.modifiers = [pick('bbq', -50)])],
    ['order_discounts[0].amount', (i) => void (i.order_discounts = [{ code: 'X', amount: Number.NaN }])],
    ['service_charge_bps', (i) => void (i.service_charge_bps = -1)],
    ['delivery_fee', (i) => void (i.delivery_fee = -100)],
    ['tip', (i) => void (i.tip = 1.5)],
  ];
  it.each(invalid)('when %s is invalid, then a RangeError names it', (field, spoil) => {
    const input = order([line()]);
    spoil(input);
    let error: unknown;
    try {
      priceOrder(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect((error as RangeError).message.startsWith(`${field} `)).toBe(true);
  });

  it('when a product is past 2^53, then mulDivRoundHalfUp is still exact', () => {
    expect(mulDivRoundHalfUp(1, 1, 2)).toBe(1);
    expect(mulDivRoundHalfUp(1, 1, 3)).toBe(0);
    expect(mulDivRoundHalfUp(Number.MAX_SAFE_INTEGER, 3, 6)).toBe(4_503_599_627_370_496); // …495.5 → …496
    expect(mulDivRoundHalfUp(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    expect(() => mulDivRoundHalfUp(Number.MAX_SAFE_INTEGER, 2, 1)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const RUNS = { numRuns: 200 };
const GROUPS = ['cheese', 'sauces', 'extras'] as const;

const modifierArb: fc.Arbitrary<PricingModifier> = fc.record({
  option_id: fc.constantFrom('bacon', 'bbq', 'brie', 'cheddar', 'mayo', 'onion'),
  group_id: fc.constantFrom(...GROUPS),
  name: fc.constantFrom('Extra', 'Side'),
  // Shared prices make equal-price ties common, so the tie-breaks get exercised.
  unit_price: fc.oneof(fc.constantFrom(0, 50, 100), fc.integer({ min: 0, max: 50_000 })),
  quantity: fc.integer({ min: 1, max: 3 }),
});

const lineArb: fc.Arbitrary<Omit<PricingLine, 'line_no'>> = fc.record(
  {
    item_id: fc.constantFrom('burger', 'fries', 'salad', 'shake'),
    variant_id: fc.constantFrom(null, 'small', 'large'),
    name: fc.constantFrom('Burger', 'Fries'),
    quantity: fc.integer({ min: 1, max: 20 }),
    unit_price: fc.oneof(fc.constantFrom(0, 100, 999), fc.integer({ min: 0, max: 50_000 })),
    tax_rate_bps: fc.constantFrom(0, 700, 1900, 888),
    modifiers: fc.array(modifierArb, { maxLength: 4 }),
    free_quantities: fc.record({ cheese: fc.nat(3), sauces: fc.nat(3), extras: fc.nat(3) }, { requiredKeys: [] }),
    discount: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 2_000_000 })),
  },
  {
    requiredKeys: [
      'item_id',
      'variant_id',
      'name',
      'quantity',
      'unit_price',
      'tax_rate_bps',
      'modifiers',
      'free_quantities',
    ],
  },
);

/** 1–8 lines drawn from a few templates, so identical lines (the tie-break case) are common. */
const inputArb: fc.Arbitrary<PricingInput> = fc
  .record(
    {
      templates: fc.array(lineArb, { minLength: 1, maxLength: 8 }),
      picks: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      prices_include_tax: fc.boolean(),
      order_discounts: fc.array(
        fc.record({ code: fc.constantFrom('A', 'B'), amount: fc.integer({ min: 0, max: 200_000 }) }),
        { maxLength: 2 },
      ),
      service_charge_bps: fc.constantFrom(0, 333, 1000, 1250),
      delivery_fee: fc.integer({ min: 0, max: 1_000 }),
      tip: fc.integer({ min: 0, max: 5_000 }),
    },
    { requiredKeys: ['templates', 'picks', 'prices_include_tax', 'service_charge_bps', 'delivery_fee', 'tip'] },
  )
  .map(({ templates, picks, ...rest }) => ({
    currency: 'EUR',
    ...rest,
    lines: picks.map((p, i) => ({ ...structuredClone(templates[p % templates.length]!), line_no: i })),
  }));

const shuffled = <T>(xs: T[]): fc.Arbitrary<T[]> =>
  fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length });

/** The input, and the same input with its lines and each line's modifiers in another order. */
const reorderedArb = inputArb.chain((input) =>
  shuffled(input.lines)
    .chain((lines) => fc.tuple(...lines.map((l) => shuffled(l.modifiers).map((modifiers) => ({ ...l, modifiers })))))
    .map((lines): [PricingInput, PricingInput] => [input, { ...input, lines }]),
);

function topLevel(result: PriceBreakdown) {
  const { lines: _lines, ...totals } = result;
  return totals;
}

/** A priced line with its modifiers in a canonical order, to compare across pick orders. */
function canonical(l: PricedLine) {
  const key = (m: PricedLine['modifiers'][number]) =>
    JSON.stringify([m.group_id, m.option_id, m.unit_price, m.quantity, m.free_quantity, m.name]);
  return { ...l, modifiers: [...l.modifiers].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)) };
}

function collectNumbers(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectNumbers(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) collectNumbers(v, out);
  return out;
}

describe('pricing: properties', () => {
  it('when any basket is priced, then every total is the sum of its parts and each line adds up', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = priceOrder(input);
        const exclusive = !input.prices_include_tax;
        expect(result.lines.map((l) => l.line_no)).toEqual(input.lines.map((l) => l.line_no));
        expect(result.subtotal).toBe(sumOf(result.lines.map((l) => l.gross)));
        expect(result.modifier_charges).toBe(sumOf(result.lines.map((l) => l.modifier_charges)));
        expect(result.discounts).toBe(sumOf(result.lines.map((l) => l.discount)));
        expect(result.tax).toBe(sumOf(result.lines.map((l) => l.tax)));
        expect(result.service_charge).toBe(
          halfUp(result.subtotal - result.discounts, input.service_charge_bps, 10_000),
        );
        expect(result.total).toBe(
          result.subtotal -
            result.discounts +
            (exclusive ? result.tax : 0) +
            result.service_charge +
            result.delivery_fee +
            result.tip,
        );
        result.lines.forEach((l, i) => {
          const source = input.lines[i]!;
          for (const m of l.modifiers) expect(m.total).toBe((m.quantity - m.free_quantity) * m.unit_price * l.quantity);
          for (const group of GROUPS) {
            const picks = l.modifiers.filter((m) => m.group_id === group);
            const allowance = source.free_quantities[group] ?? 0;
            expect(sumOf(picks.map((m) => m.free_quantity))).toBe(
              Math.min(allowance, sumOf(picks.map((m) => m.quantity))),
            );
          }
          expect(l.modifier_charges).toBe(sumOf(l.modifiers.map((m) => m.total)));
          expect(l.gross).toBe(l.unit_price * l.quantity + l.modifier_charges);
          const amount = l.gross - l.discount;
          expect(l.tax).toBe(halfUp(amount, l.tax_rate_bps, exclusive ? 10_000 : 10_000 + l.tax_rate_bps));
          expect(l.total).toBe(amount + (exclusive ? l.tax : 0));
        });
      }),
      RUNS,
    );
  });

  it('when any basket is priced, then every amount in the output is a non-negative integer', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        for (const n of collectNumbers(priceOrder(input))) {
          expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('when the lines and their modifiers are reordered, then each line (by line_no) and every total stay the same', () => {
    fc.assert(
      fc.property(reorderedArb, ([input, reordered]) => {
        const a = priceOrder(input);
        const b = priceOrder(reordered);
        expect(topLevel(b)).toEqual(topLevel(a));
        const byLineNo = (r: PriceBreakdown) => [...r.lines].sort((x, y) => x.line_no - y.line_no).map(canonical);
        expect(byLineNo(b)).toEqual(byLineNo(a));
      }),
      RUNS,
    );
  });

  it('when reordered lines are renumbered by their new position, then no total changes (identical lines may only swap shares)', () => {
    fc.assert(
      fc.property(reorderedArb, ([input, reordered]) => {
        const renumbered = { ...reordered, lines: reordered.lines.map((l, i) => ({ ...l, line_no: i })) };
        const a = priceOrder(input);
        const b = priceOrder(renumbered);
        expect(topLevel(b)).toEqual(topLevel(a));
        // Which line (by what it is) was left with which amounts; lines equal on the content key may swap.
        const byContent = (r: PriceBreakdown) =>
          r.lines
            .map((l) => {
              const picks = l.modifiers.map((m) => `${m.option_id}:${m.quantity}`).sort();
              return JSON.stringify([
                l.item_id,
                l.variant_id,
                picks,
                l.quantity,
                l.unit_price,
                l.tax_rate_bps,
                l.gross - l.discount,
                l.tax,
                l.total,
              ]);
            })
            .sort();
        expect(byContent(b)).toEqual(byContent(a));
      }),
      RUNS,
    );
  });

  it('when the same input is priced twice, or rebuilt from the priced lines, then the result is the same', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const before = structuredClone(input);
        const first = priceOrder(input);
        expect(input).toEqual(before); // pure: the input is not touched
        expect(priceOrder(input)).toEqual(first);

        // Free allowances become what was used; discounts (with the order share) become line discounts.
        const rebuilt: PricingInput = {
          ...input,
          order_discounts: [],
          lines: first.lines.map((l) => ({
            line_no: l.line_no,
            item_id: l.item_id,
            variant_id: l.variant_id,
            name: l.name,
            quantity: l.quantity,
            unit_price: l.unit_price,
            tax_rate_bps: l.tax_rate_bps,
            modifiers: l.modifiers.map(({ option_id, group_id, name, unit_price, quantity }) => ({
              option_id,
              group_id,
              name,
              unit_price,
              quantity,
            })),
            free_quantities: l.modifiers.reduce<Record<string, number>>(
              (acc, m) => ({ ...acc, [m.group_id]: (acc[m.group_id] ?? 0) + m.free_quantity }),
              {},
            ),
            discount: l.discount,
          })),
        };
        const again = priceOrder(rebuilt);
        expect(topLevel(again)).toEqual(topLevel(first));
        expect(again.lines).toEqual(first.lines);
      }),
      RUNS,
    );
  });

  it('when discounts are applied, then they never exceed the subtotal and tax never exceeds the amount it is on', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = priceOrder(input);
        expect(result.discounts).toBeLessThanOrEqual(result.subtotal);
        // Line discounts are capped per line, order discounts at what those leave over.
        const lineDiscounts = sumOf(result.lines.map((l, i) => Math.min(input.lines[i]!.discount ?? 0, l.gross)));
        const requested = sumOf((input.order_discounts ?? []).map((d) => d.amount));
        expect(result.discounts).toBe(lineDiscounts + Math.min(requested, result.subtotal - lineDiscounts));
        for (const l of result.lines) {
          expect(l.discount).toBeLessThanOrEqual(l.gross);
          expect(l.tax).toBeLessThanOrEqual(l.gross - l.discount);
        }
        expect(result.tax).toBeLessThanOrEqual(result.subtotal - result.discounts);
      }),
      RUNS,
    );
  });

  it('when mulDivRoundHalfUp gets any safe integers, then it matches exact rational rounding or throws RangeError', () => {
    const nat = fc.oneof(fc.nat(100_000), fc.maxSafeNat());
    const positive = fc.oneof(
      fc.integer({ min: 1, max: 20_000 }),
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    );
    fc.assert(
      fc.property(nat, nat, positive, (a, b, c) => {
        const exact = (2n * BigInt(a) * BigInt(b) + BigInt(c)) / (2n * BigInt(c));
        if (exact > BigInt(Number.MAX_SAFE_INTEGER)) expect(() => mulDivRoundHalfUp(a, b, c)).toThrow(RangeError);
        else expect(mulDivRoundHalfUp(a, b, c)).toBe(Number(exact));
      }),
      { numRuns: 500 },
    );
  });
});
