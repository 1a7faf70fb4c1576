// Pricing's own guards (pricing.ts header) throw a RangeError for a negative or overflowing
// amount. Request schemas bound every amount first, so reaching one means a bound is missing:
// the caller still gets the 422 its input deserves, never a 500.
import { UnprocessableError } from '../../platform/http/errors.js';

export function withinPricingRange<T>(price: () => T): T {
  try {
    return price();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new UnprocessableError('AMOUNT_OUT_OF_RANGE', 'An amount in this order is outside what can be priced.');
  }
}
