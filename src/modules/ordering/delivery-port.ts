// What ordering needs from delivery: for a delivery basket, which zone takes it, for what fee and
// by when (before the transaction, outside it: geocoding may call out), and the held quote a
// customer saw. Delivery's terms port satisfies it; ordering never touches its tables. Without
// it (tools that build ordering alone), and at a store that draws no zones, a delivery is free
// and goes anywhere, as before zones existed.
import type { GeoPoint } from '../../platform/http/schema.js';
import type { StoreBasics } from '../tenancy/index.js';
import type { BasketProblem } from './basket-schema.js';
import type { DeliveryInput } from './schema.js';

export interface DeliveryTermsQuery {
  store: StoreBasics;
  /** Who asks (null: a guest or a partner's key): a held quote is only honoured for its asker. */
  customerId: string | null;
  delivery: DeliveryInput;
  /** The food subtotal before discounts: what minimums and basket tiers compare. */
  basketValue: number;
  /** When the order would be ready: a zone's own hours and the ETA start from it. */
  readyAt: Date;
  /** A quote holds what it shows (a row placement can point at); placement reads. */
  hold: boolean;
}

/**
 * honoured: placed within the quote's hold; expired: the quote ran out, so the order was priced
 * again; changed: the place, basket or customer differ from the quote's (or no such quote), so
 * priced again; new: priced now (a quote, or an order without quote_id).
 */
export type QuoteStatus = 'new' | 'honoured' | 'expired' | 'changed';

export interface DeliveryTerms {
  zone_id: string;
  zone_version: number;
  fee: number;
  eta: Date;
  quote_id: string | null;
  quote_expires_at: Date | null;
  quote_status: QuoteStatus;
  /** Where the order goes: as sent, or as geocoded from the address. */
  location: GeoPoint;
}

export interface DeliveryTermsPort {
  /** terms null with no problems: the store draws no zones (fee 0, no area). */
  termsFor(query: DeliveryTermsQuery): Promise<{ terms: DeliveryTerms | null; problems: BasketProblem[] }>;
}

export const NO_DELIVERY_ZONES: DeliveryTermsPort = {
  async termsFor() {
    return { terms: null, problems: [] };
  },
};
