// Order-level discounts split over the lines (the rule is in pricing.ts's header): by largest
// remainder, ties by what a line is rather than where it sits, so reordering lines never moves a
// total.
import { compareStrings, divMod, sum } from './pricing-math.js';

/** What the split needs of a line: what it is, and what it has left after its own discount. */
export interface DiscountableLine {
  line: {
    line_no: number;
    item_id: string;
    variant_id: string | null;
    quantity: number;
    unit_price: number;
    tax_rate_bps: number;
    modifiers: Array<{ option_id: string; quantity: number }>;
  };
  /** gross - line discount: the line's weight in the split. */
  remaining: number;
}

/**
 * Largest-remainder split of the order discounts over the lines, weighted by what each line has
 * left after its own discount. A line never gets more than it has left: with the total capped at
 * the sum of the weights, floor(total × w / W) < w whenever there is a remainder to round up.
 */
export function allocateOrderDiscounts(staged: DiscountableLine[], discounts: Array<{ amount: number }>): number[] {
  const weights = staged.map((s) => s.remaining);
  const available = sum(weights, 'lines');
  const requested = sum(
    discounts.map((d) => d.amount),
    'order_discounts',
  );
  const total = Math.min(requested, available);
  if (total === 0) return weights.map(() => 0);

  const parts = weights.map((w) => divMod(total, w, available));
  const shares = parts.map(([q]) => q);
  const leftover = total - sum(shares, 'order_discounts');
  const keys = staged.map(contentKey);
  const ranked = staged
    .map((_, i) => i)
    .sort(
      (x, y) =>
        parts[y]![1] - parts[x]![1] ||
        compareKeys(keys[x]!, keys[y]!) ||
        staged[x]!.line.line_no - staged[y]!.line.line_no,
    );
  for (const i of ranked.slice(0, leftover)) shares[i]! += 1;
  return shares;
}

type KeyPart = string | number | null | KeyPart[];

/**
 * What a line is, independent of where it sits in the request. Beyond the identity fields it holds
 * the tax rate and the amount left, so two lines equal on the key price the same whichever of them
 * gets the extra minor unit, and swapping them can't move a total.
 */
function contentKey(stage: DiscountableLine): KeyPart[] {
  const { line } = stage;
  const picks: KeyPart[] = line.modifiers
    .map((m): [string, number] => [m.option_id, m.quantity])
    .sort((a, b) => compareStrings(a[0], b[0]) || a[1] - b[1]);
  return [line.item_id, line.variant_id, picks, line.quantity, line.unit_price, line.tax_rate_bps, stage.remaining];
}

function compareKeys(a: KeyPart, b: KeyPart): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareKeys(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareStrings(String(a), String(b));
}
