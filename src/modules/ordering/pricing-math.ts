// Integer arithmetic for pricing: exact, overflow-checked, and the same on every machine. The
// rules it serves are stated once, in pricing.ts's header.

/** Basis points in a whole. */
export const BPS = 10_000;

/** Rounds a*b/c half up for non-negative integers, exactly (BigInt when the product is past 2^53). */
export function mulDivRoundHalfUp(a: number, b: number, c: number): number {
  requireInteger(a, 'a', 0);
  requireInteger(b, 'b', 0);
  requireInteger(c, 'c', 1);
  const [quotient, remainder] = divMod(a, b, c);
  // remainder < c <= 2^53, so doubling it is exact in a double.
  return 2 * remainder >= c ? checked(quotient + 1, 'a * b / c') : quotient;
}

/** floor(a*b/c) and the remainder, exactly; BigInt only when a*b is past 2^53. */
export function divMod(a: number, b: number, c: number): [number, number] {
  const product = a * b;
  // If the true product is <= MAX_SAFE_INTEGER the double is exact; if not, it rounds to >= 2^53.
  if (product <= Number.MAX_SAFE_INTEGER) {
    const remainder = product % c;
    return [(product - remainder) / c, remainder];
  }
  const big = BigInt(a) * BigInt(b);
  const divisor = BigInt(c);
  const quotient = big / divisor;
  if (quotient > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('a * b / c overflows the safe integer range');
  return [Number(quotient), Number(big % divisor)];
}

export function sum(values: number[], field: string): number {
  let total = 0;
  for (const v of values) total = checked(total + v, field);
  return total;
}

/** Any sum or product of safe integers that overflows lands on a double >= 2^53. */
export function checked(value: number, field: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${field} overflows the safe integer range`);
  return value;
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function requireInteger(value: number, field: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${field} must be an integer >= ${min}, got ${String(value)}`);
  }
}

export function requireRate(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > BPS) {
    throw new RangeError(`${field} must be an integer basis-point rate in 0..${BPS}, got ${String(value)}`);
  }
}
