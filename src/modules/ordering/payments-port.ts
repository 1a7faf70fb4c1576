// What ordering needs from whoever takes the money (the payments module, wired in modules.ts).
// Ordering declares the port and never imports payments; payments calls back into ordering only
// through ordering's public api (recordPaymentIn).
import type { Tx } from '../../platform/db/index.js';

/** What a customer's client needs to pay an online order. */
export interface Checkout {
  payment_id: string;
  provider: string;
  /** The provider's client token (Stripe client_secret, sandbox token). */
  client_secret: string | null;
  /** Where the customer pays, when the provider hosts a page. */
  checkout_url: string | null;
}

export interface PaymentOpening {
  id: string;
  organization_id: string;
  store_id: string;
  number: string;
  total: number;
  currency: string;
  method: 'cash' | 'online';
}

export interface PaymentsPort {
  /** Before anything is written: refuses (422, or a fast 503 while the provider is down) when the store cannot take this method now. */
  assertCanTake(store: { id: string; organization_id: string }, method: 'cash' | 'online'): Promise<void>;
  /** Inside the order's transaction: its payment is created with it, or not at all. */
  createIn(trx: Tx, order: PaymentOpening): Promise<void>;
  /**
   * After commit: what the customer needs to pay (the provider intent is created once; calling
   * again returns the same). Null for cash. Rejects when the provider cannot be reached or refuses.
   */
  open(orderId: string): Promise<Checkout | null>;
  /** Before a new total (a tip) is written: makes sure the payment can carry it (raises an authorization). */
  prepareTotal(orderId: string, newTotal: number): Promise<void>;
  /** Inside the tip's transaction: the payment is now for `newTotal`. */
  setTotalIn(trx: Tx, orderId: string, newTotal: number): Promise<void>;
}
