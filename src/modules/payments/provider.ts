// What Brigade needs from a payment processor, whatever it is: create an intent, capture (part
// of) it, void it, refund it (in parts, several times), raise its authorization (a tip), read it
// back for reconciliation, and turn its signed webhooks into verified, provider-neutral events.
// Every call that changes money carries an idempotency key derived from Brigade ids, so repeating
// a step after a crash can never charge, capture or refund twice.

export type ProviderName = 'cash' | 'sandbox' | 'stripe';

/** An intent's state at the provider, in Brigade's words. */
export type ProviderIntentStatus =
  /** Waiting for the customer to pay (or to retry after a decline). */
  | 'requires_payment'
  /** The customer confirmed; the provider is deciding. */
  | 'processing'
  /** Funds held: `amountAuthorized` may be captured. */
  | 'authorized'
  /** Captured (`amountCaptured`); refunds may follow. */
  | 'captured'
  /** Cancelled before capture: nothing will be taken. */
  | 'voided';

export interface ProviderIntent {
  /** The provider's id of the intent (Stripe `pi_…`, sandbox `si_…`, cash: Brigade's payment id). */
  ref: string;
  status: ProviderIntentStatus;
  amount: number;
  currency: string;
  amountAuthorized: number;
  amountCaptured: number;
  amountRefunded: number;
  /** What the customer's client needs to pay (Stripe client_secret, sandbox token); null for cash. */
  clientSecret: string | null;
  /** A page or endpoint where the customer pays; null when the client pays another way. */
  checkoutUrl: string | null;
  /** The last decline, when the customer's attempt failed (`card_declined`, `insufficient_funds`…). */
  lastFailureCode: string | null;
}

export interface ProviderRefund {
  /** The provider's id of the refund. */
  ref: string;
  /** The Brigade refund id it was created for (from the provider's metadata), when known. */
  refundId: string | null;
  amount: number;
  status: 'pending' | 'succeeded' | 'failed';
}

export interface CreateIntentInput {
  /** Brigade's payment id: the provider's reference/metadata, and the base of the idempotency key. */
  paymentId: string;
  orderId: string;
  amount: number;
  currency: string;
  /** Shown on the customer's statement or the processor's dashboard, e.g. "Order A-001". */
  description: string;
}

/** A webhook, verified and translated. `ignored` events are acknowledged and otherwise dropped. */
export type ProviderEvent = {
  /** The provider's event id: processing is idempotent on (provider, id). */
  id: string;
  occurredAt: Date;
} & (
  | { kind: 'intent'; intent: ProviderIntent }
  | { kind: 'refund'; intentRef: string; refund: ProviderRefund }
  | { kind: 'ignored'; providerType: string }
);

/** The provider refused the operation for a reason retrying will not fix (declined, bad state, amount too high). */
export class ProviderRejectedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderRejectedError';
  }
}

/** The webhook's signature, timestamp or body did not check out: answer 400 and process nothing. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/**
 * One processor. Transport failures (timeouts, 5xx, an open circuit) reject with the platform's
 * DependencyUnavailableError (from platform/resilience); a refusal rejects with
 * ProviderRejectedError. Neither ever leaves money moved without the call saying so.
 */
export interface PaymentProvider {
  readonly name: ProviderName;
  /** Whether calls are currently refused without trying (the circuit is open): placement fails fast. */
  available(): boolean;
  createIntent(input: CreateIntentInput, idempotencyKey: string): Promise<ProviderIntent>;
  /** Captures `amount` (≤ authorized; the rest is released). */
  capture(ref: string, amount: number, idempotencyKey: string): Promise<ProviderIntent>;
  /** Cancels an uncaptured intent (authorized or still awaiting payment). Voiding a voided intent answers it as is. */
  void(ref: string, idempotencyKey: string): Promise<ProviderIntent>;
  /** Raises the authorized amount to `newAmount` before capture (a dine-in tip). */
  incrementAuthorization(ref: string, newAmount: number, idempotencyKey: string): Promise<ProviderIntent>;
  refund(
    ref: string,
    input: { refundId: string; amount: number; reason: string },
    idempotencyKey: string,
  ): Promise<ProviderRefund>;
  fetchIntent(ref: string): Promise<ProviderIntent>;
  /** The refunds of an intent, for reconciliation. */
  listRefunds(ref: string): Promise<ProviderRefund[]>;
  /**
   * Verifies a webhook on its raw bytes (before any parsing) within a replay window, then
   * translates it. Throws WebhookVerificationError.
   */
  verifyWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, now: Date): ProviderEvent;
}
