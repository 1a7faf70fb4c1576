// Request and response schemas of payments: one source for validation, types and OpenAPI.
import { Type, type Static } from 'typebox';
import {
  Code,
  Count,
  FreeText,
  INT32_MAX,
  Int,
  MAX_REQUEST_AMOUNT,
  MoneyInput,
  MoneySchema,
  PaginationQuery,
  Quantity,
  Timestamp,
  Token,
  Url,
  Uuid,
} from '../../platform/http/schema.js';

export const PaymentStatusSchema = Type.Union(
  [
    Type.Literal('pending'),
    Type.Literal('requires_payment'),
    Type.Literal('processing'),
    Type.Literal('authorized'),
    Type.Literal('capturing'),
    Type.Literal('captured'),
    Type.Literal('voiding'),
    Type.Literal('voided'),
    Type.Literal('failed'),
  ],
  {
    description:
      'pending: being set up at the provider; requires_payment: waiting for the customer (again after a decline); processing: the provider is deciding; authorized: funds held; capturing/voiding: being taken/released; captured: taken (refunds may follow); voided: released; failed: could not be set up or captured (see last_failure_code)',
  },
);

export const PaymentParams = Type.Object({ paymentId: Uuid }, { additionalProperties: false });
export const OrderParams = Type.Object({ orderId: Uuid }, { additionalProperties: false });
export const StoreParams = Type.Object({ storeId: Uuid }, { additionalProperties: false });
export const OrganizationParams = Type.Object({ organizationId: Uuid }, { additionalProperties: false });
export const ProviderParams = Type.Object(
  { provider: Type.String({ pattern: '^[a-z]{1,20}$', maxLength: 20, description: '`sandbox` or `stripe`' }) },
  { additionalProperties: false },
);
export const WebhookQuery = Type.Object(
  {
    account: Type.Optional({
      ...Uuid,
      description: 'Stripe: the organization whose endpoint this is (its webhook secret verifies the signature)',
    }),
  },
  { additionalProperties: false },
);

export const CheckoutSchema = Type.Object({
  payment_id: Uuid,
  provider: Code(40),
  client_secret: Type.Union([Token(), Type.Null()]),
  checkout_url: Type.Union([Url(), Type.Null()]),
});

export const PaymentSchema = Type.Object({
  id: Uuid,
  order_id: Uuid,
  store_id: Uuid,
  provider: Type.Union([Type.Literal('cash'), Type.Literal('sandbox'), Type.Literal('stripe')]),
  status: PaymentStatusSchema,
  amount: { ...MoneySchema, description: 'What is to be captured: the order’s total' },
  amount_authorized: MoneySchema,
  amount_captured: MoneySchema,
  amount_refunded: { ...MoneySchema, description: 'Refunded or being refunded' },
  last_failure_code: Type.Union([Code(100), Type.Null()], {
    description: 'The last decline or failure (card_declined, insufficient_funds, …)',
  }),
  checkout: Type.Union([CheckoutSchema, Type.Null()], {
    description: 'How to pay, for the order’s customer while the payment waits for them; null otherwise',
  }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Payment = Static<typeof PaymentSchema>;

export const RefundLineInput = Type.Object(
  { line_no: Int(0, INT32_MAX), quantity: Quantity(999) },
  { additionalProperties: false },
);

export const RefundBody = Type.Object(
  {
    amount: Type.Optional(MoneyInput(MAX_REQUEST_AMOUNT, { description: 'An amount to give back; or name `lines`' })),
    lines: Type.Optional(
      Type.Array(RefundLineInput, {
        minItems: 1,
        maxItems: 100,
        description:
          'Order lines (and how many of each) to give back; each unit is worth its share of the line’s total',
      }),
    ),
    reason: Type.String({ minLength: 1, maxLength: 300 }),
  },
  { additionalProperties: false },
);
export type RefundBody = Static<typeof RefundBody>;

export const RefundSchema = Type.Object({
  id: Uuid,
  payment_id: Uuid,
  order_id: Uuid,
  amount: MoneySchema,
  reason: FreeText(300),
  lines: Type.Array(Type.Object({ line_no: Int(1, 100), quantity: Quantity(999), amount: MoneySchema }), {
    maxItems: 100,
  }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')], {
    description: 'pending until the provider confirms',
  }),
  failure_code: Type.Union([Code(100), Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Refund = Static<typeof RefundSchema>;

export const RefundsQuery = Type.Object(PaginationQuery, { additionalProperties: false });

export const StorePaymentSettingsSchema = Type.Object({
  store_id: Uuid,
  provider: Type.Union([Type.Literal('sandbox'), Type.Literal('stripe'), Type.Null()], {
    description: 'Who takes online payments; null: cash only',
  }),
  capture_on: Type.Union([Type.Literal('acceptance'), Type.Literal('completion')], {
    description: 'When an online payment is captured',
  }),
  version: Count(),
});
export type StorePaymentSettings = Static<typeof StorePaymentSettingsSchema>;

export const StorePaymentSettingsBody = Type.Object(
  {
    provider: Type.Optional(Type.Union([Type.Literal('sandbox'), Type.Literal('stripe'), Type.Null()])),
    capture_on: Type.Optional(Type.Union([Type.Literal('acceptance'), Type.Literal('completion')])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type StorePaymentSettingsBody = Static<typeof StorePaymentSettingsBody>;

export const StripeCredentialsBody = Type.Object(
  {
    secret_key: Type.String({
      pattern: '^(sk|rk)_(test|live)_[A-Za-z0-9]{8,200}$',
      maxLength: 208,
      description: 'A secret (sk_…) or restricted (rk_…) key',
    }),
    webhook_secret: Type.String({
      pattern: '^whsec_[A-Za-z0-9+/=]{8,200}$',
      maxLength: 206,
      description: 'The signing secret of the webhook endpoint',
    }),
  },
  { additionalProperties: false },
);
export type StripeCredentialsBody = Static<typeof StripeCredentialsBody>;

export const ProviderAccountSchema = Type.Object({
  organization_id: Uuid,
  provider: Type.Literal('stripe'),
  key_hint: Type.String({
    maxLength: 20,
    description: 'The key’s kind and last four characters; the key itself is never shown again',
  }),
  webhook_url: Url({ description: 'The endpoint to configure at Stripe for this organization' }),
  updated_at: Timestamp,
});

export const WebhookAck = Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() });

/** How many violations one report lists at most. */
export const MAX_REPORTED_VIOLATIONS = 1000;

export const InvariantReport = Type.Object({
  ok: Type.Boolean(),
  checked_at: Timestamp,
  violations: Type.Array(
    Type.Object({
      check: Code(100, {
        description:
          'completed_order_captured_once, net_capture_matches_total, cancelled_order_holds_no_money, cancelled_order_holds_no_stock, cancelled_order_holds_no_slot, stock_ledger_matches_level, refunds_within_capture',
      }),
      subject: Type.String({ maxLength: 200, description: 'The order, payment or stock item concerned' }),
      detail: FreeText(1000),
    }),
    { maxItems: MAX_REPORTED_VIOLATIONS, description: 'The first 1000 violations found' },
  ),
});
export type InvariantReport = Static<typeof InvariantReport>;
