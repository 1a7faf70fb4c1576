// Events payments appends, in the transaction of the change they announce. The *_requested
// events are the saga's own triggers: a subscriber turns each into a durable job in its own
// transaction, so no step is ever lost between a state change and the work that follows it.
import type { AggregateRef } from '../../platform/events/index.js';
import type { ProviderName } from './provider.js';

export interface PaymentFacts {
  payment_id: string;
  order_id: string;
  organization_id: string;
  store_id: string;
  provider: ProviderName;
  amount: number;
  currency: string;
}

export interface RefundFacts extends PaymentFacts {
  refund_id: string;
  refund_amount: number;
}

export type PaymentsEvents = {
  'payments.payment.authorized': PaymentFacts;
  'payments.payment.declined': PaymentFacts & { failure_code: string | null };
  'payments.payment.captured': PaymentFacts & { amount_captured: number };
  'payments.payment.voided': PaymentFacts;
  /** Capture failed for good (the provider refused): a person must look. */
  'payments.payment.capture_failed': PaymentFacts & { failure_code: string };
  'payments.payment.capture_requested': PaymentFacts;
  'payments.payment.void_requested': PaymentFacts;
  'payments.refund.requested': RefundFacts;
  'payments.refund.succeeded': RefundFacts;
  'payments.refund.failed': RefundFacts & { failure_code: string };
};

export const paymentAggregate = (paymentId: string): AggregateRef => ({ type: 'payment', id: paymentId });
