// Money as the house keeps it: integer minor units of an ISO 4217 currency. How many minor units
// make a major one is the currency's, looked up once each (an Intl.NumberFormat costs ~17 µs).
const DIGITS = new Map<string, number>();

export function currencyDigits(currency: string): number {
  let digits = DIGITS.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    DIGITS.set(currency, digits);
  }
  return digits;
}

/** 1250 EUR → "12.50" (for messages; the API itself always answers minor units). */
export function formatMoney(amount: number, currency: string): string {
  const digits = currencyDigits(currency);
  return (amount / 10 ** digits).toFixed(digits);
}

/** Whole major units in an amount of minor units: 1299 USD → 12. */
export const wholeUnits = (amount: number, currency: string): number =>
  Math.floor(Math.max(0, amount) / 10 ** currencyDigits(currency));
