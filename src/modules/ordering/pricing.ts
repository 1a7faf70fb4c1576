// Pricing an order: a pure function from lines already resolved against the menu to every amount
// the customer sees. Integer minor units end to end and no clock, randomness or I/O, so a quote,
// the order snapshot, a replay and a receipt reprint agree to the minor unit.
//
// The rounding rules (these are the documented ones; change them only with the docs):
// - Guard: a non-integer or negative amount, count or quantity, a quantity of 0, or a rate outside
//   0..10000 bps throws a RangeError naming the field. Callers validate first; this only stops a
//   bug from turning into a wrong bill. So does a result past Number.MAX_SAFE_INTEGER.
// - Free modifier units: per line and per group, the first `free_quantities[group]` units of that
//   group's picks per item unit are free. They go to the cheapest picks first (ties by option_id,
//   compared by code unit, never by locale), so the bill doesn't depend on the order the customer
//   tapped the options in. A pick of 3 units may be partly free.
// - gross = (unit_price + charged modifier units × their prices) × quantity.
// - Line discount = min(line.discount ?? 0, gross).
// - Order discounts: their sum, capped at what the line discounts leave, is split over the lines in
//   proportion to what each has left, by largest remainder. Ties on the remainder go by a content
//   key (item_id, variant_id, sorted option_id:quantity, quantity, unit_price, then tax rate and the
//   amount left, so that lines tied on the key price identically) and last by line_no. Reordering
//   the lines therefore never changes a total; identical lines may only swap their shares.
// - Tax per line on (gross − discount), half up to the minor unit: inclusive prices contain
//   amount × r / (10000 + r), exclusive ones add amount × r / 10000. Order tax = sum of line taxes.
// - Service charge = half up of (subtotal − the lines' discounts) × bps / 10000, not taxed.
// - Delivery fee and tip are added as given, untaxed; a delivery discount (promotions) comes off
//   the fee, capped at it, and counts in `discounts`.
// - Nothing is ever negative: discounts are capped before anything is subtracted.
//
// The arithmetic is in pricing-math.ts, the order-discount split in order-discounts.ts.
import { allocateOrderDiscounts } from './order-discounts.js';
import { BPS, checked, compareStrings, mulDivRoundHalfUp, requireInteger, requireRate, sum } from './pricing-math.js';

export { mulDivRoundHalfUp };

export interface PricingModifier {
  option_id: string;
  group_id: string;
  name: string;
  unit_price: number;
  /** units per one item */
  quantity: number;
}

export interface PricingLine {
  /**
   * Caller's identity for the line (its index in the request); echoed back, never used for
   * arithmetic. Only the last tie-break between lines that price identically, so it can decide
   * which of two such lines gets an extra minor unit of order discount, never a total.
   */
  line_no: number;
  item_id: string;
  variant_id: string | null;
  name: string;
  /** >= 1 */
  quantity: number;
  /** item or variant price, >= 0, tax-inclusive if prices_include_tax */
  unit_price: number;
  /** 0..10000 (1900 = 19%) */
  tax_rate_bps: number;
  modifiers: PricingModifier[];
  /** group_id -> how many units of picks in that group are free per item unit */
  free_quantities: Record<string, number>;
  /** Hook for promotions: a discount on this line, minor units >= 0 (capped at the line's gross). */
  discount?: number;
}

export interface PricingInput {
  currency: string;
  prices_include_tax: boolean;
  lines: PricingLine[];
  /** Hook for promotions: order-level discounts, allocated over lines (see the header). */
  order_discounts?: Array<{ code: string; amount: number }>;
  /** Service charge in basis points of (subtotal - discounts); 0 = none. */
  service_charge_bps: number;
  /** Hook for delivery: a flat fee in minor units (0 until zones exist). */
  delivery_fee: number;
  /** Promotions' discount off the delivery fee (capped at the fee). */
  delivery_discount?: number;
  tip: number;
}

export interface PricedModifier {
  option_id: string;
  group_id: string;
  name: string;
  /** per item unit */
  quantity: number;
  /** of those, free */
  free_quantity: number;
  unit_price: number;
  /** charged per item unit × line quantity */
  total: number;
}

export interface PricedLine {
  line_no: number;
  item_id: string;
  variant_id: string | null;
  name: string;
  quantity: number;
  unit_price: number;
  /** in input order */
  modifiers: PricedModifier[];
  /** sum of modifier totals */
  modifier_charges: number;
  /** (unit_price + charged modifiers per unit) × quantity */
  gross: number;
  /** line discount + its share of order discounts */
  discount: number;
  tax_rate_bps: number;
  /** tax contained in (inclusive) or added to (exclusive) gross - discount */
  tax: number;
  /** what the customer pays for the line: gross - discount (+ tax when exclusive) */
  total: number;
}

export interface PriceBreakdown {
  currency: string;
  prices_include_tax: boolean;
  /** in input order */
  lines: PricedLine[];
  /** sum of gross (modifier charges included) */
  subtotal: number;
  /** sum over lines */
  modifier_charges: number;
  /** sum of line discounts (incl. allocated order discounts) plus the delivery discount */
  discounts: number;
  /** Of `discounts`, what came off the delivery fee (absent on snapshots from before promotions). */
  delivery_discount?: number;
  /** sum of line taxes */
  tax: number;
  service_charge: number;
  delivery_fee: number;
  tip: number;
  /** subtotal - discounts + (exclusive ? tax : 0) + service_charge + delivery_fee + tip */
  total: number;
}

export function priceOrder(input: PricingInput): PriceBreakdown {
  validate(input);
  const exclusive = !input.prices_include_tax;
  const staged = input.lines.map((line, i) => stageLine(line, `lines[${i}]`));
  const shares = allocateOrderDiscounts(staged, input.order_discounts ?? []);
  const lines = staged.map((stage, i) => finishLine(stage, shares[i] ?? 0, exclusive));

  const subtotal = sum(
    lines.map((l) => l.gross),
    'subtotal',
  );
  const lineDiscounts = sum(
    lines.map((l) => l.discount),
    'discounts',
  );
  const deliveryDiscount = Math.min(input.delivery_discount ?? 0, input.delivery_fee);
  const discounts = lineDiscounts + deliveryDiscount;
  const tax = sum(
    lines.map((l) => l.tax),
    'tax',
  );
  const serviceCharge = mulDivRoundHalfUp(subtotal - lineDiscounts, input.service_charge_bps, BPS);
  const total = sum([subtotal - discounts, exclusive ? tax : 0, serviceCharge, input.delivery_fee, input.tip], 'total');
  return {
    currency: input.currency,
    prices_include_tax: input.prices_include_tax,
    lines,
    subtotal,
    modifier_charges: sum(
      lines.map((l) => l.modifier_charges),
      'modifier_charges',
    ),
    discounts,
    delivery_discount: deliveryDiscount,
    tax,
    service_charge: serviceCharge,
    delivery_fee: input.delivery_fee,
    tip: input.tip,
    total,
  };
}

/** The same price with another tip: the tip is untaxed and outside every other part, so only the total moves with it. */
export function withTip(breakdown: PriceBreakdown, tip: number): PriceBreakdown {
  requireInteger(tip, 'tip', 0);
  return { ...breakdown, tip, total: breakdown.total - breakdown.tip + tip };
}

// ---------------------------------------------------------------------------------------------
// Lines

/** A line priced up to its line discount; order discounts and tax come once all lines are known. */
interface StagedLine {
  line: PricingLine;
  modifiers: PricedModifier[];
  modifierCharges: number;
  gross: number;
  lineDiscount: number;
  /** gross - line discount: the weight of the line in the order-discount split. */
  remaining: number;
}

function stageLine(line: PricingLine, field: string): StagedLine {
  const free = freeUnits(line);
  const modifiers = line.modifiers.map((m, j): PricedModifier => {
    const freeQuantity = free[j] ?? 0;
    const perItem = checked((m.quantity - freeQuantity) * m.unit_price, `${field}.modifiers[${j}]`);
    return {
      option_id: m.option_id,
      group_id: m.group_id,
      name: m.name,
      quantity: m.quantity,
      free_quantity: freeQuantity,
      unit_price: m.unit_price,
      total: checked(perItem * line.quantity, `${field}.modifiers[${j}]`),
    };
  });
  const modifierCharges = sum(
    modifiers.map((m) => m.total),
    `${field}.modifiers`,
  );
  const gross = sum(
    [checked(line.unit_price * line.quantity, `${field}.unit_price`), modifierCharges],
    `${field}.gross`,
  );
  const lineDiscount = Math.min(line.discount ?? 0, gross);
  return { line, modifiers, modifierCharges, gross, lineDiscount, remaining: gross - lineDiscount };
}

/**
 * Free units per modifier (same indexes as line.modifiers). Within a group the picks are ranked
 * cheapest first, then by option_id; quantity, name and finally position only separate picks
 * that cost the same and carry the same option, where the choice can't change any amount.
 */
function freeUnits(line: PricingLine): number[] {
  const free = line.modifiers.map(() => 0);
  const byGroup = new Map<string, number[]>();
  line.modifiers.forEach((m, j) => {
    const list = byGroup.get(m.group_id);
    if (list) list.push(j);
    else byGroup.set(m.group_id, [j]);
  });
  for (const [groupId, indexes] of byGroup) {
    let budget = Object.hasOwn(line.free_quantities, groupId) ? (line.free_quantities[groupId] ?? 0) : 0;
    const ranked = [...indexes].sort((x, y) => {
      const a = line.modifiers[x]!;
      const b = line.modifiers[y]!;
      return (
        a.unit_price - b.unit_price ||
        compareStrings(a.option_id, b.option_id) ||
        a.quantity - b.quantity ||
        compareStrings(a.name, b.name) ||
        x - y
      );
    });
    for (const j of ranked) {
      if (budget === 0) break;
      const units = Math.min(line.modifiers[j]!.quantity, budget);
      free[j] = units;
      budget -= units;
    }
  }
  return free;
}

function finishLine(stage: StagedLine, orderShare: number, exclusive: boolean): PricedLine {
  const { line } = stage;
  const discount = stage.lineDiscount + orderShare;
  const amount = stage.gross - discount;
  const rate = line.tax_rate_bps;
  const tax = exclusive ? mulDivRoundHalfUp(amount, rate, BPS) : mulDivRoundHalfUp(amount, rate, BPS + rate);
  return {
    line_no: line.line_no,
    item_id: line.item_id,
    variant_id: line.variant_id,
    name: line.name,
    quantity: line.quantity,
    unit_price: line.unit_price,
    modifiers: stage.modifiers,
    modifier_charges: stage.modifierCharges,
    gross: stage.gross,
    discount,
    tax_rate_bps: rate,
    tax,
    total: exclusive ? checked(amount + tax, 'line total') : amount,
  };
}

// ---------------------------------------------------------------------------------------------
// Guard

function validate(input: PricingInput): void {
  requireRate(input.service_charge_bps, 'service_charge_bps');
  requireInteger(input.delivery_fee, 'delivery_fee', 0);
  requireInteger(input.tip, 'tip', 0);
  if (input.delivery_discount !== undefined) requireInteger(input.delivery_discount, 'delivery_discount', 0);
  (input.order_discounts ?? []).forEach((d, i) => requireInteger(d.amount, `order_discounts[${i}].amount`, 0));
  input.lines.forEach((line, i) => {
    const field = `lines[${i}]`;
    requireInteger(line.line_no, `${field}.line_no`, 0);
    requireInteger(line.quantity, `${field}.quantity`, 1);
    requireInteger(line.unit_price, `${field}.unit_price`, 0);
    requireRate(line.tax_rate_bps, `${field}.tax_rate_bps`);
    if (line.discount !== undefined) requireInteger(line.discount, `${field}.discount`, 0);
    for (const [group, units] of Object.entries(line.free_quantities))
      requireInteger(units, `${field}.free_quantities.${group}`, 0);
    line.modifiers.forEach((m, j) => {
      requireInteger(m.unit_price, `${field}.modifiers[${j}].unit_price`, 0);
      requireInteger(m.quantity, `${field}.modifiers[${j}].quantity`, 1);
    });
  });
}
