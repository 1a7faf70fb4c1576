// Schemas of ordering's orders as they are shown and moved: one source for validation, types and
// OpenAPI. What a customer sends (the basket, quotes) is in basket-schema.ts; how a store takes
// orders (slots, settings) in kitchen-schema.ts.
import { Type, type Static } from 'typebox';
import {
  Code,
  Count,
  FreeText,
  GeoPointSchema,
  Int,
  MoneySchema,
  Name,
  Quantity,
  Timestamp,
  Token,
  Url,
  Uuid,
  type Money,
} from '../../platform/http/schema.js';

export const CHANNELS = ['pickup', 'delivery', 'dine_in'] as const;
export type Channel = (typeof CHANNELS)[number];
export const ChannelSchema = Type.Union([Type.Literal('pickup'), Type.Literal('delivery'), Type.Literal('dine_in')]);

export const ORDER_STATUSES = [
  'placed',
  'accepted',
  'preparing',
  'ready',
  'picked_up',
  'out_for_delivery',
  'delivered',
  'completed',
  'rejected',
  'cancelled',
  'expired',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const OrderStatusSchema = Type.Union([
  Type.Literal('placed'),
  Type.Literal('accepted'),
  Type.Literal('preparing'),
  Type.Literal('ready'),
  Type.Literal('picked_up'),
  Type.Literal('out_for_delivery'),
  Type.Literal('delivered'),
  Type.Literal('completed'),
  Type.Literal('rejected'),
  Type.Literal('cancelled'),
  Type.Literal('expired'),
]);

export { MoneySchema, type Money };

// --- delivery details (sent with the basket, shown on the order) ---------------------------------

const Address = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postal_code: Type.Optional(Type.String({ maxLength: 20 })),
    country: Type.String({ maxLength: 2, pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }),
  },
  { additionalProperties: false },
);

export const Delivery = Type.Object(
  {
    address: Address,
    contact: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 100 }),
        phone: Type.String({ maxLength: 30, pattern: '^\\+?[0-9 ()-]{5,30}$' }),
      },
      { additionalProperties: false },
    ),
    instructions: Type.Optional(Type.String({ maxLength: 300 })),
    location: Type.Optional({
      ...GeoPointSchema,
      description: 'Where the address is on the map; without it the address is geocoded (stores with delivery zones)',
    }),
    quote_id: Type.Optional({
      ...Uuid,
      description: 'The quote whose delivery fee and ETA to hold (`delivery.quote_id` of a quote, for 5 minutes)',
    }),
  },
  {
    additionalProperties: false,
    description: 'Where to and whom (delivery orders): the store’s delivery zones price it.',
  },
);
export type DeliveryInput = Static<typeof Delivery>;

export const DeliveryTermsSchema = Type.Object(
  {
    zone_id: Uuid,
    fee: MoneySchema,
    eta: { ...Timestamp, description: 'When it can arrive: ready + the zone’s allowance + travel' },
    quote_id: Type.Union([Uuid, Type.Null()], { description: 'Send it as delivery.quote_id to hold these terms' }),
    quote_expires_at: Type.Union([Timestamp, Type.Null()], { description: 'Until when the fee and ETA hold' }),
    quote_status: Type.Union(
      [Type.Literal('new'), Type.Literal('honoured'), Type.Literal('expired'), Type.Literal('changed')],
      {
        description:
          '`new`: priced now; `honoured`: the quote’s fee and ETA, placed within its hold; `expired`: the quote ran out, priced again; `changed`: the address, basket or customer differ from the quote’s (or no such quote), priced again',
      },
    ),
  },
  {
    additionalProperties: false,
    description: 'The delivery zone, fee and ETA (null: not delivery, or a store without zones)',
  },
);

// --- presented orders ---------------------------------------------------------------------------

const PricedModifier = Type.Object({
  option_id: Uuid,
  group_id: Uuid,
  parent_option_id: Type.Union([Uuid, Type.Null()], { description: 'The option whose nested group this pick is in' }),
  name: Name(200),
  quantity: Quantity(99, { description: 'Per item' }),
  free_quantity: Int(0, 99, { description: 'Of those, free (the group’s free picks go to the cheapest options)' }),
  unit_price: MoneySchema,
  total: MoneySchema,
});

export const OrderLineSchema = Type.Object({
  line_no: Int(1, 100),
  item_id: Uuid,
  variant_id: Type.Union([Uuid, Type.Null()]),
  name: Name(200),
  quantity: Quantity(999),
  notes: Type.Union([FreeText(200), Type.Null()]),
  unit_price: MoneySchema,
  modifiers: Type.Array(PricedModifier, {
    maxItems: 840,
    description: 'Up to 40 picks, each with up to 20 nested ones',
  }),
  modifier_charges: MoneySchema,
  gross: MoneySchema,
  discount: MoneySchema,
  tax_rate_bps: Int(0, 10_000, { description: 'Basis points' }),
  tax: MoneySchema,
  total: MoneySchema,
});

export const TotalsSchema = Type.Object(
  {
    subtotal: MoneySchema,
    modifier_charges: MoneySchema,
    discounts: MoneySchema,
    tax: MoneySchema,
    service_charge: MoneySchema,
    delivery_fee: MoneySchema,
    tip: MoneySchema,
    total: MoneySchema,
  },
  { description: 'total = subtotal − discounts + tax (when prices exclude tax) + service_charge + delivery_fee + tip' },
);

export const DiscountSchema = Type.Object({
  promotion_id: Uuid,
  name: Name(200),
  code: Type.Union([Type.String({ maxLength: 40 }), Type.Null()], { description: 'The code it was given with' }),
  amount: MoneySchema,
});

/** A loyalty reward the order was given (its points are held, then spent when the order is fulfilled). */
export const OrderRewardSchema = Type.Object({
  reward_id: Uuid,
  name: Name(100),
  points: Int(1, 10_000_000, { description: 'The points it costs' }),
  amount: MoneySchema,
});

export const OrderSchema = Type.Object({
  id: Uuid,
  number: Type.String({
    maxLength: 16,
    pattern: '^[A-Z]+-[0-9]{3,}$',
    description: 'Per store per local day: A-001 … A-999, B-001 …',
  }),
  store_id: Uuid,
  channel: ChannelSchema,
  status: OrderStatusSchema,
  version: Count({ description: 'Also the ETag ("<version>"); send it as If-Match with a transition' }),
  customer_id: Type.Union([Uuid, Type.Null()]),
  source: Type.String({ maxLength: 40, pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' }),
  external_id: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]),
  table_id: Type.Union([Uuid, Type.Null()]),
  delivery: Type.Union([Delivery, Type.Null()]),
  delivery_terms: Type.Union([DeliveryTermsSchema, Type.Null()]),
  scheduled_for: Type.Union([Timestamp, Type.Null()]),
  promised_at: { ...Timestamp, description: 'When the kitchen promises the order ready' },
  slot_starts_at: Type.Union([Timestamp, Type.Null()], {
    description: 'The kitchen slot whose capacity the order holds',
  }),
  payment: Type.Object({
    method: Type.Union([Type.Literal('cash'), Type.Literal('online')]),
    status: Type.Union([
      Type.Literal('not_required'),
      Type.Literal('awaiting'),
      Type.Literal('authorized'),
      Type.Literal('paid'),
      Type.Literal('voided'),
      Type.Literal('refunded'),
    ]),
    checkout: Type.Optional(
      Type.Union(
        [
          Type.Object({
            payment_id: Uuid,
            provider: Code(40, { description: '`sandbox` or `stripe`' }),
            client_secret: Type.Union([Token(), Type.Null()], {
              description:
                'What the provider’s client library needs to pay (Stripe’s client_secret; the sandbox’s confirm token)',
            }),
            checkout_url: Type.Union([Url(), Type.Null()], {
              description: 'A page where the customer pays, when the provider hosts one',
            }),
          }),
          Type.Null(),
        ],
        {
          description:
            'Only in the answer to placing an online order (and its replays): how to pay it. GET /v1/orders/{id}/payment gives it again.',
        },
      ),
    ),
  }),
  expires_at: Type.Union([Timestamp, Type.Null()], { description: 'An unpaid online order expires then' }),
  currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217' }),
  prices_include_tax: Type.Boolean(),
  lines: Type.Array(OrderLineSchema, { maxItems: 100 }),
  totals: TotalsSchema,
  discounts: Type.Array(DiscountSchema, {
    maxItems: 100,
    description: 'The promotions the order was given; their amounts add up to totals.discounts',
  }),
  coupon_code: Type.Union([Type.String({ maxLength: 40 }), Type.Null()]),
  reward: Type.Union([OrderRewardSchema, Type.Null()], {
    description: 'The loyalty reward it was given; its amount is in totals.discounts',
  }),
  notes: Type.Union([FreeText(500), Type.Null()]),
  status_reason: Type.Union([FreeText(300), Type.Null()], { description: 'Why it was rejected or cancelled' }),
  placed_at: Timestamp,
  updated_at: Timestamp,
});
export type Order = Static<typeof OrderSchema>;

export const ActorKindSchema = Type.Union([
  Type.Literal('customer'),
  Type.Literal('staff'),
  Type.Literal('courier'),
  Type.Literal('system'),
]);

export const OrderHistoryEntry = Type.Object({
  type: Type.Union([Type.Literal('placed'), Type.Literal('status_changed'), Type.Literal('payment_changed')]),
  from_status: Type.Union([OrderStatusSchema, Type.Null()]),
  status: OrderStatusSchema,
  actor: ActorKindSchema,
  reason: Type.Union([FreeText(300), Type.Null()]),
  at: Timestamp,
});

export const OrderWithHistory = Type.Object({
  ...OrderSchema.properties,
  history: Type.Array(OrderHistoryEntry, { maxItems: 1000, description: 'Every status change, oldest first' }),
});

// --- transitions --------------------------------------------------------------------------------

export const ORDER_ACTIONS = [
  'accept',
  'reject',
  'start_preparing',
  'mark_ready',
  'hand_over',
  'dispatch',
  'deliver',
  'complete',
  'cancel',
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

export const TransitionBody = Type.Object(
  {
    action: Type.Union([
      Type.Literal('accept'),
      Type.Literal('reject'),
      Type.Literal('start_preparing'),
      Type.Literal('mark_ready'),
      Type.Literal('hand_over'),
      Type.Literal('dispatch'),
      Type.Literal('deliver'),
      Type.Literal('complete'),
      Type.Literal('cancel'),
    ]),
    reason: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 300,
        description: 'Required for reject and for a cancellation by the store',
      }),
    ),
  },
  { additionalProperties: false },
);
export type TransitionBody = Static<typeof TransitionBody>;

// --- params and lists ---------------------------------------------------------------------------

export const StoreParams = Type.Object({ storeId: Uuid });
export const OrderParams = Type.Object({ orderId: Uuid });

export const StoreOrdersQuery = Type.Object(
  {
    status: Type.Optional(OrderStatusSchema),
    channel: Type.Optional(ChannelSchema),
    from: Type.Optional({ ...Timestamp, description: 'Placed at or after' }),
    to: Type.Optional({ ...Timestamp, description: 'Placed before' }),
    limit: Type.Optional(Int(1, 100, { default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type StoreOrdersQuery = Static<typeof StoreOrdersQuery>;
