// What each kind of effect takes off a basket, computed on what earlier promotions left: per
// line, the amount still payable and the units no unit-level promotion (combo, buy X get Y,
// fixed price, flash sale) has claimed yet. Integer minor units; nothing goes below zero.
import { divMod, mulDivRoundHalfUp } from '../ordering/index.js';
import type { ComboComponent, Effect, LineTarget } from './model.js';

const BPS = 10_000;

export interface BasketLine {
  line_no: number;
  item_id: string;
  variant_id: string | null;
  category_id: string | null;
  quantity: number;
  /** The item's (or variant's) unit price, modifiers excluded: what unit-level effects discount. */
  unit_price: number;
  /** What the line costs before discounts, modifier charges included. */
  gross: number;
}

/** An effect's result: per line (by index) and on the order as a whole, plus flash sale units. */
export interface EffectAmounts {
  lines: number[];
  order: number;
  delivery: number;
  units: number;
}

export class BasketState {
  readonly remaining: number[];
  readonly freeUnits: number[];
  /** Order-level discounts so far: they come off what the lines have left, split by pricing. */
  orderLevel = 0;

  constructor(
    readonly lines: BasketLine[],
    public deliveryFee: number,
  ) {
    this.remaining = lines.map((l) => l.gross);
    this.freeUnits = lines.map((l) => l.quantity);
  }

  /** What the order has left to discount. */
  headroom(): number {
    return this.remaining.reduce((a, b) => a + b, 0) - this.orderLevel;
  }

  apply(amounts: EffectAmounts, claims: number[]): void {
    amounts.lines.forEach((amount, i) => (this.remaining[i]! -= amount));
    claims.forEach((units, i) => (this.freeUnits[i]! -= units));
    this.orderLevel += amounts.order;
    this.deliveryFee -= amounts.delivery;
  }
}

export const matches = (line: BasketLine, target: LineTarget): boolean =>
  (target.item_ids?.includes(line.item_id) ?? false) ||
  (line.variant_id !== null && (target.variant_ids?.includes(line.variant_id) ?? false)) ||
  (line.category_id !== null && (target.category_ids?.includes(line.category_id) ?? false));

/**
 * Splits `total` over `weights` in proportion, by largest remainder. Ties go by `keys` (what each
 * part is, so reordering a basket's lines cannot move a minor unit), then to the earlier index.
 */
export function splitByWeight(total: number, weights: number[], keys: string[] = []): number[] {
  const whole = weights.reduce((a, b) => a + b, 0);
  if (whole === 0 || total === 0) return weights.map(() => 0);
  const parts = weights.map((w) => divMod(total, w, whole));
  const shares = parts.map(([q]) => q);
  const keyOf = (i: number) => keys[i] ?? '';
  const order = parts
    .map(([, rest], i) => ({ i, rest }))
    .sort((a, b) => b.rest - a.rest || (keyOf(a.i) < keyOf(b.i) ? -1 : keyOf(a.i) > keyOf(b.i) ? 1 : 0) || a.i - b.i);
  let left = total - shares.reduce((a, b) => a + b, 0);
  for (const { i } of order) {
    if (left === 0) break;
    shares[i]! += 1;
    left -= 1;
  }
  return shares;
}

/** A tentative claim on units while an effect is worked out; committed only if the promotion applies. */
class UnitClaims {
  readonly taken: number[];
  constructor(private readonly state: BasketState) {
    this.taken = state.lines.map(() => 0);
  }

  free(i: number): number {
    return this.state.freeUnits[i]! - this.taken[i]!;
  }

  /** The most expensive free units matching, `count` of them, or null (nothing taken) when too few. */
  take(target: LineTarget | ((line: BasketLine) => boolean), count: number): number[] | null {
    const test = typeof target === 'function' ? target : (line: BasketLine) => matches(line, target);
    const ranked = this.state.lines
      .map((line, i) => ({ line, i }))
      .filter(({ line, i }) => test(line) && this.free(i) > 0)
      .sort((a, b) => b.line.unit_price - a.line.unit_price || a.line.line_no - b.line.line_no);
    const picked: number[] = [];
    for (const { i } of ranked) {
      while (picked.length < count && this.free(i) - countOf(picked, i) > 0) picked.push(i);
      if (picked.length === count) break;
    }
    if (picked.length < count) return null;
    for (const i of picked) this.taken[i]! += 1;
    return picked;
  }

  release(picked: number[]): void {
    for (const i of picked) this.taken[i]! -= 1;
  }
}

const countOf = (list: number[], value: number) => list.filter((v) => v === value).length;

export interface EffectInput {
  state: BasketState;
  /** Flash sales: how many units this customer may still take today (pool and cap). */
  unitAllowance: number;
}

/** The amounts an effect would take and the units it would claim, before caps. */
export function computeEffect(effect: Effect, input: EffectInput): { amounts: EffectAmounts; claims: number[] } {
  const { state } = input;
  const lines = state.lines.map(() => 0);
  const none = { amounts: { lines, order: 0, delivery: 0, units: 0 }, claims: lines.map(() => 0) };
  const claims = new UnitClaims(state);
  const unitOff = (i: number, off: number) => {
    lines[i]! += off;
  };

  switch (effect.type) {
    case 'order_percentage':
      return {
        ...none,
        amounts: { ...none.amounts, order: mulDivRoundHalfUp(state.headroom(), effect.percent_bps, BPS) },
      };
    case 'order_fixed':
      return { ...none, amounts: { ...none.amounts, order: Math.min(effect.amount, state.headroom()) } };
    case 'delivery_fee': {
      const off =
        effect.percent_bps === undefined
          ? Math.min(effect.amount ?? 0, state.deliveryFee)
          : mulDivRoundHalfUp(state.deliveryFee, effect.percent_bps, BPS);
      return { ...none, amounts: { ...none.amounts, delivery: off } };
    }
    case 'line_percentage':
      state.lines.forEach((line, i) => {
        if (matches(line, effect.target)) lines[i] = mulDivRoundHalfUp(state.remaining[i]!, effect.percent_bps, BPS);
      });
      break;
    case 'line_fixed':
      state.lines.forEach((line, i) => {
        if (matches(line, effect.target)) lines[i] = effect.amount_per_unit * line.quantity;
      });
      break;
    case 'fixed_price':
      state.lines.forEach((line, i) => {
        if (!matches(line, effect.target) || line.unit_price <= effect.price) return;
        const units = claims.take((l) => l === line, claims.free(i)) ?? [];
        units.forEach((u) => unitOff(u, line.unit_price - effect.price));
      });
      break;
    case 'flash_sale': {
      for (let n = 0; n < input.unitAllowance; n++) {
        const [i] = claims.take((l) => l.item_id === effect.item_id, 1) ?? [];
        if (i === undefined) break;
        const base = state.lines[i]!.unit_price;
        const off =
          effect.price === undefined
            ? mulDivRoundHalfUp(base, effect.percent_bps ?? 0, BPS)
            : Math.max(0, base - effect.price);
        unitOff(i, off);
      }
      break;
    }
    case 'buy_x_get_y':
      for (let n = 0; effect.max_applications === undefined || n < effect.max_applications; n++) {
        const bought = claims.take(effect.buy.target, effect.buy.quantity);
        if (!bought) break;
        const got = claims.take(effect.get.target, effect.get.quantity);
        if (!got) {
          claims.release(bought);
          break;
        }
        got.forEach((i) => unitOff(i, mulDivRoundHalfUp(state.lines[i]!.unit_price, effect.percent_bps, BPS)));
      }
      break;
    case 'combo':
      for (let n = 0; effect.max_applications === undefined || n < effect.max_applications; n++) {
        const bundle = takeBundle(claims, effect.components);
        if (!bundle) break;
        const value = bundle.reduce((total, i) => total + state.lines[i]!.unit_price, 0);
        if (value <= effect.price) {
          claims.release(bundle);
          break;
        }
        // The bundle's saving, split over its units in proportion to their prices.
        const shares = splitByWeight(
          value - effect.price,
          bundle.map((i) => state.lines[i]!.unit_price),
        );
        bundle.forEach((i, k) => unitOff(i, shares[k]!));
      }
      break;
  }
  // A line never loses more than it has left.
  lines.forEach((amount, i) => (lines[i] = Math.min(amount, state.remaining[i]!)));
  const units = effect.type === 'flash_sale' ? sumOf(claims.taken) : 0;
  return { amounts: { lines, order: 0, delivery: 0, units }, claims: claims.taken };
}

/** One unit set of every component (its quantity of units each), or null when one cannot be filled. */
function takeBundle(claims: UnitClaims, components: ComboComponent[]): number[] | null {
  const bundle: number[] = [];
  for (const component of components) {
    const units = claims.take(component.target, component.quantity);
    if (!units) {
      claims.release(bundle);
      return null;
    }
    bundle.push(...units);
  }
  return bundle;
}

export const sumOf = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** What a line is, independent of where it sits in the basket (the tie-break of a split). */
const lineKey = (line: BasketLine) =>
  [line.item_id, line.variant_id ?? '', line.category_id ?? '', line.unit_price, line.quantity, line.gross].join('|');

/** Caps an effect's amounts at `cap`, scaling its per-line parts down in proportion. */
export function capAmounts(amounts: EffectAmounts, cap: number, lines: BasketLine[]): EffectAmounts {
  const total = sumOf(amounts.lines) + amounts.order + amounts.delivery;
  if (total <= cap) return amounts;
  const keys = [...lines.map(lineKey), '~order', '~delivery'];
  const parts = splitByWeight(cap, [...amounts.lines, amounts.order, amounts.delivery], keys);
  return {
    lines: parts.slice(0, amounts.lines.length),
    order: parts[amounts.lines.length]!,
    delivery: parts[amounts.lines.length + 1]!,
    units: amounts.units,
  };
}

export const totalOf = (amounts: EffectAmounts) => sumOf(amounts.lines) + amounts.order + amounts.delivery;
