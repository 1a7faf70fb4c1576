// What a customer sends: the basket of an order or a quote, a tip afterwards, and the quote's
// answer. One source for validation, types and OpenAPI.
import { Type, type Static } from 'typebox';
import {
  Code,
  CurrencyCode,
  FreeText,
  MAX_REQUEST_AMOUNT,
  MoneyInput,
  Name,
  Quantity,
  Timestamp,
  Uuid,
} from '../../platform/http/schema.js';
import {
  ChannelSchema,
  Delivery,
  DeliveryTermsSchema,
  DiscountSchema,
  OrderLineSchema,
  OrderRewardSchema,
  TotalsSchema,
} from './schema.js';

// --- the basket (orders and quotes) -------------------------------------------------------------

const ModifierPickFields = {
  option_id: Uuid,
  quantity: Type.Optional(Quantity(99, { default: 1, description: 'Units of this option per item' })),
};
const ChildModifierPick = Type.Object(ModifierPickFields, { additionalProperties: false });
const ModifierPick = Type.Object(
  {
    ...ModifierPickFields,
    modifiers: Type.Optional(
      Type.Array(ChildModifierPick, {
        maxItems: 20,
        description: 'Picks in the group this option opens (nested modifiers)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ModifierPickInput = Static<typeof ModifierPick>;

const LineInput = Type.Object(
  {
    item_id: Uuid,
    variant_id: Type.Optional(Uuid),
    quantity: Quantity(999),
    modifiers: Type.Optional(Type.Array(ModifierPick, { maxItems: 40 })),
    notes: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type LineInput = Static<typeof LineInput>;

/** A tip: 0..MAX_REQUEST_AMOUNT minor units, so a negative, huge or unsafe figure is a 400, never a pricing fault. */
const Tip = MoneyInput(MAX_REQUEST_AMOUNT, { description: 'A tip, in minor units of the store’s currency' });

export const TipBody = Type.Object({ tip: Tip }, { additionalProperties: false });
export type TipBody = Static<typeof TipBody>;

export const OrderBody = Type.Object(
  {
    channel: ChannelSchema,
    lines: Type.Array(LineInput, { minItems: 1, maxItems: 100 }),
    scheduled_for: Type.Optional({
      ...Timestamp,
      description: 'When the order should be ready (RFC 3339); absent: as soon as possible',
    }),
    table_token: Type.Optional(
      Type.String({ minLength: 16, maxLength: 64, description: 'The table’s QR token (dine_in orders)' }),
    ),
    delivery: Type.Optional(Delivery),
    tip: Type.Optional(Tip),
    payment: Type.Optional(
      Type.Object(
        {
          method: Type.Union([Type.Literal('cash'), Type.Literal('online')], {
            description:
              '`cash`: paid at the counter or on delivery. `online`: the order waits in `placed` until payment is authorized, and expires unpaid.',
          }),
        },
        { additionalProperties: false },
      ),
    ),
    external_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'A partner’s id for this order: placing the same one again returns the existing order',
      }),
    ),
    source: Type.Optional(
      Type.String({
        maxLength: 40,
        pattern: '^[a-z0-9][a-z0-9_-]{0,39}$',
        description: 'Who issued external_id (e.g. a partner’s name); default `direct`',
      }),
    ),
    notes: Type.Optional(Type.String({ maxLength: 500 })),
    expected_total: Type.Optional(
      MoneyInput(Number.MAX_SAFE_INTEGER, {
        description:
          'The total the customer was shown (the quote’s totals.total). When placing, an order whose price has changed since — a flash sale sold out, a promotion reached its limit or changed, a price moved — is refused 409 (FLASH_SALE_SOLD_OUT, PROMOTION_LIMIT_REACHED or PRICE_CHANGED) instead of being placed at a price the customer did not see. Ignored by quotes.',
      }),
    ),
    coupon_code: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 40,
        description:
          'A promotion code (case-insensitive). One that does not apply is a quote problem (COUPON_NOT_FOUND, COUPON_EXPIRED, COUPON_NOT_APPLICABLE, COUPON_LIMIT_REACHED) and makes placing fail 422 with the same code.',
      }),
    ),
    reward_id: Type.Optional(
      Type.String({
        format: 'uuid',
        maxLength: 36,
        description:
          'A loyalty reward of the brand (GET /v1/organizations/{orgId}/loyalty) to spend points on. Applied after the promotions. One that cannot be used is a quote problem (REWARD_NOT_FOUND, LOYALTY_NOT_MEMBER, INSUFFICIENT_POINTS, REWARD_NOT_APPLICABLE) and makes placing fail 422 with the same code; placing holds the points, fulfilment spends them, and an order that ends unfulfilled gives them back.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type OrderBody = Static<typeof OrderBody>;

// --- quotes -------------------------------------------------------------------------------------

export const BasketProblem = Type.Object({
  code: Code(100, {
    description:
      'Stable code, e.g. ITEM_UNAVAILABLE, MODIFIER_RULES_BROKEN, STORE_CLOSED, SLOT_FULL, INSUFFICIENT_STOCK',
  }),
  path: FreeText(1024, { description: 'JSON Pointer into the request body ("" for the whole basket)' }),
  message: FreeText(1000),
});
export type BasketProblem = Static<typeof BasketProblem>;

export const QuoteSchema = Type.Object({
  store_id: Uuid,
  channel: ChannelSchema,
  currency: CurrencyCode,
  prices_include_tax: Type.Boolean(),
  orderable: Type.Boolean({ description: 'True when placing this exact body now would pass every check' }),
  problems: Type.Array(BasketProblem, { maxItems: 1000 }),
  promised_at: Type.Union([Timestamp, Type.Null()], {
    description: 'When it would be ready (null when it cannot be placed)',
  }),
  lines: Type.Array(OrderLineSchema, { maxItems: 100, description: 'The lines that could be priced' }),
  totals: TotalsSchema,
  delivery: Type.Union([DeliveryTermsSchema, Type.Null()]),
  discounts: Type.Array(DiscountSchema, {
    maxItems: 100,
    description: 'The promotions that apply, in the order they were applied; their amounts add up to totals.discounts',
  }),
  promotions_not_applied: Type.Array(
    Type.Object({
      promotion_id: Uuid,
      name: Name(200),
      code: Type.Union([Type.String({ maxLength: 40 }), Type.Null()]),
      reason_code: Code(60, {
        description:
          'NOT_STARTED, EXPIRED, NOT_AT_THIS_STORE, NOT_ON_CHANNEL, OUTSIDE_HOURS, SIGN_IN_REQUIRED, FIRST_ORDER_ONLY, RETURNING_ONLY, TIER_ONLY, MINIMUM_NOT_MET, RULE_NOT_MET, LIMIT_REACHED, BUDGET_SPENT, CUSTOMER_LIMIT_REACHED, SOLD_OUT, NOT_COMBINABLE, NOTHING_TO_DISCOUNT',
      }),
      reason: FreeText(300, {
        description: 'In words, e.g. "minimum order 20.00", "does not combine with Pizza + drink"',
      }),
    }),
    { maxItems: 100, description: 'Candidates that did not apply, and why' },
  ),
  reward: Type.Union([OrderRewardSchema, Type.Null()], {
    description: 'The loyalty reward (reward_id) as it would be given; null without one or when it cannot be used',
  }),
});
export type Quote = Static<typeof QuoteSchema>;
