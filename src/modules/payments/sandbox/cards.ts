// The sandbox's test cards: each number stands for one behaviour of a real card network, so a
// developer (or a test) picks the outcome by the card they type. Numbers follow Stripe's test
// cards where Stripe has an equivalent, so they feel familiar.

export type CardBehaviour =
  /** Authorized after the normal delay. */
  | { kind: 'authorize'; slow: false }
  /** Authorized after the slow-card delay (a 3-D Secure challenge, a sluggish issuer). */
  | { kind: 'authorize'; slow: true }
  /** Declined after the normal delay; the intent goes back to requires_payment. */
  | { kind: 'decline'; code: 'card_declined' | 'insufficient_funds' }
  /** Odd confirm attempts on an intent fail with a 500 before anything happens; even ones authorize. */
  | { kind: 'flaky' };

export const TEST_CARDS = {
  success: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  slow: '4000000000000077',
  flaky: '4000000000000119',
} as const;

const BEHAVIOURS: Record<string, CardBehaviour> = {
  [TEST_CARDS.success]: { kind: 'authorize', slow: false },
  [TEST_CARDS.declined]: { kind: 'decline', code: 'card_declined' },
  [TEST_CARDS.insufficientFunds]: { kind: 'decline', code: 'insufficient_funds' },
  [TEST_CARDS.slow]: { kind: 'authorize', slow: true },
  [TEST_CARDS.flaky]: { kind: 'flaky' },
};

/** The behaviour of a card number (spaces and dashes ignored, as people type them), or null for an unknown card. */
export function cardBehaviour(cardNumber: string): CardBehaviour | null {
  return BEHAVIOURS[normalizeCard(cardNumber)] ?? null;
}

export function normalizeCard(cardNumber: string): string {
  return cardNumber.replace(/[\s-]/g, '');
}
