// Request and response schemas of ordering: one source for validation, types and OpenAPI.
import { Type, type Static } from 'typebox';
import { MoneySchema, Timestamp, Uuid, type Money } from '../../platform/http/schema.js';

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

// --- the basket (orders and quotes) -------------------------------------------------------------

const ModifierPickFields = {
  option_id: Uuid,
  quantity: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 99, default: 1, description: 'Units of this option per item' }),
  ),
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
    quantity: Type.Integer({ minimum: 1, maximum: 999 }),
    modifiers: Type.Optional(Type.Array(ModifierPick, { maxItems: 40 })),
    notes: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type LineInput = Static<typeof LineInput>;

const Address = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postal_code: Type.Optional(Type.String({ maxLength: 20 })),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }),
  },
  { additionalProperties: false },
);

const Delivery = Type.Object(
  {
    address: Address,
    contact: Type.Object(
      { name: Type.String({ minLength: 1, maxLength: 100 }), phone: Type.String({ pattern: '^\\+?[0-9 ()-]{5,30}$' }) },
      { additionalProperties: false },
    ),
    instructions: Type.Optional(Type.String({ maxLength: 300 })),
  },
  {
    additionalProperties: false,
    description: 'Where to and whom (delivery orders). Zones and fees come with fulfilment.',
  },
);
export type DeliveryInput = Static<typeof Delivery>;

export const TipBody = Type.Object({ tip: MoneySchema }, { additionalProperties: false });
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
    tip: Type.Optional(MoneySchema),
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
        pattern: '^[a-z0-9][a-z0-9_-]{0,39}$',
        description: 'Who issued external_id (e.g. a partner’s name); default `direct`',
      }),
    ),
    notes: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type OrderBody = Static<typeof OrderBody>;

// --- presented orders ---------------------------------------------------------------------------

const PricedModifier = Type.Object({
  option_id: Uuid,
  group_id: Uuid,
  parent_option_id: Type.Union([Uuid, Type.Null()], { description: 'The option whose nested group this pick is in' }),
  name: Type.String(),
  quantity: Type.Integer({ description: 'Per item' }),
  free_quantity: Type.Integer({ description: 'Of those, free (the group’s free picks go to the cheapest options)' }),
  unit_price: MoneySchema,
  total: MoneySchema,
});

export const OrderLineSchema = Type.Object({
  line_no: Type.Integer(),
  item_id: Uuid,
  variant_id: Type.Union([Uuid, Type.Null()]),
  name: Type.String(),
  quantity: Type.Integer(),
  notes: Type.Union([Type.String(), Type.Null()]),
  unit_price: MoneySchema,
  modifiers: Type.Array(PricedModifier),
  modifier_charges: MoneySchema,
  gross: MoneySchema,
  discount: MoneySchema,
  tax_rate_bps: Type.Integer(),
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

export const OrderSchema = Type.Object({
  id: Uuid,
  number: Type.String({ description: 'Per store per local day: A-001 … A-999, B-001 …' }),
  store_id: Uuid,
  channel: ChannelSchema,
  status: OrderStatusSchema,
  version: Type.Integer({ description: 'Also the ETag ("<version>"); send it as If-Match with a transition' }),
  customer_id: Type.Union([Uuid, Type.Null()]),
  source: Type.String(),
  external_id: Type.Union([Type.String(), Type.Null()]),
  table_id: Type.Union([Uuid, Type.Null()]),
  delivery: Type.Union([Delivery, Type.Null()]),
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
            provider: Type.String({ description: '`sandbox` or `stripe`' }),
            client_secret: Type.Union([Type.String(), Type.Null()], {
              description:
                'What the provider’s client library needs to pay (Stripe’s client_secret; the sandbox’s confirm token)',
            }),
            checkout_url: Type.Union([Type.String(), Type.Null()], {
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
  currency: Type.String(),
  prices_include_tax: Type.Boolean(),
  lines: Type.Array(OrderLineSchema),
  totals: TotalsSchema,
  notes: Type.Union([Type.String(), Type.Null()]),
  status_reason: Type.Union([Type.String(), Type.Null()], { description: 'Why it was rejected or cancelled' }),
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
  reason: Type.Union([Type.String(), Type.Null()]),
  at: Timestamp,
});

export const OrderWithHistory = Type.Object({
  ...OrderSchema.properties,
  history: Type.Array(OrderHistoryEntry, { description: 'Every status change, oldest first' }),
});

// --- quotes -------------------------------------------------------------------------------------

export const BasketProblem = Type.Object({
  code: Type.String({
    description:
      'Stable code, e.g. ITEM_UNAVAILABLE, MODIFIER_RULES_BROKEN, STORE_CLOSED, SLOT_FULL, INSUFFICIENT_STOCK',
  }),
  path: Type.String({ description: 'JSON Pointer into the request body ("" for the whole basket)' }),
  message: Type.String(),
});
export type BasketProblem = Static<typeof BasketProblem>;

export const QuoteSchema = Type.Object({
  store_id: Uuid,
  channel: ChannelSchema,
  currency: Type.String(),
  prices_include_tax: Type.Boolean(),
  orderable: Type.Boolean({ description: 'True when placing this exact body now would pass every check' }),
  problems: Type.Array(BasketProblem),
  promised_at: Type.Union([Timestamp, Type.Null()], {
    description: 'When it would be ready (null when it cannot be placed)',
  }),
  lines: Type.Array(OrderLineSchema, { description: 'The lines that could be priced' }),
  totals: TotalsSchema,
});
export type Quote = Static<typeof QuoteSchema>;

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

// --- slots and settings -------------------------------------------------------------------------

const Capacity = Type.Object(
  {
    orders: Type.Union([Type.Integer({ minimum: 1, maximum: 1000 }), Type.Null()], {
      description: 'Orders per slot; null: no limit',
    }),
    items: Type.Union([Type.Integer({ minimum: 1, maximum: 10000 }), Type.Null()], {
      description: 'Items per slot; null: no limit',
    }),
  },
  { additionalProperties: false },
);
export type Capacity = Static<typeof Capacity>;

export const SlotsQuery = Type.Object(
  {
    date: Type.Optional(
      Type.String({ format: 'date', description: 'Store-local date (YYYY-MM-DD); default: today at the store' }),
    ),
    channel: Type.Optional(ChannelSchema),
  },
  { additionalProperties: false },
);

export const SlotList = Type.Object({
  store_id: Uuid,
  date: Type.String({ format: 'date' }),
  channel: ChannelSchema,
  timezone: Type.String(),
  slot_minutes: Type.Integer(),
  slots: Type.Array(
    Type.Object({
      starts_at: Timestamp,
      ends_at: Timestamp,
      capacity: Capacity,
      remaining: Type.Object({
        orders: Type.Union([Type.Integer(), Type.Null()]),
        items: Type.Union([Type.Integer(), Type.Null()]),
      }),
      orderable: Type.Boolean({
        description: 'Can still be chosen now: not too soon for the prep time, and with room',
      }),
    }),
    { description: 'Slots anchored to each opening time of the day, in order' },
  ),
});

const settingsFields = {
  prep_minutes: Type.Integer({
    minimum: 0,
    maximum: 240,
    description: 'From order to ready; the last-order cut-off is closing time minus this',
  }),
  slot_minutes: Type.Union([
    Type.Literal(5),
    Type.Literal(10),
    Type.Literal(15),
    Type.Literal(20),
    Type.Literal(30),
    Type.Literal(60),
  ]),
  capacity: Capacity,
  channel_capacity: Type.Object(
    { pickup: Type.Optional(Capacity), delivery: Type.Optional(Capacity), dine_in: Type.Optional(Capacity) },
    { additionalProperties: false, description: 'Channels with a capacity pool of their own' },
  ),
  asap_max_wait_minutes: Type.Integer({
    minimum: 0,
    maximum: 720,
    description: 'An ASAP order is refused rather than promised later than this past its earliest ready time',
  }),
  schedule_days_ahead: Type.Integer({ minimum: 0, maximum: 60 }),
  auto_accept: Type.Boolean({ description: 'Accept orders as soon as they are placed (and paid, when paid online)' }),
  service_charge_bps: Type.Integer({
    minimum: 0,
    maximum: 5000,
    description: 'Of the discounted subtotal, in basis points',
  }),
  service_charge_channels: Type.Array(ChannelSchema, { uniqueItems: true }),
  service_charge_min_items: Type.Integer({
    minimum: 0,
    description: 'Charged from this many items (large parties); 0: always',
  }),
  unpaid_expiry_minutes: Type.Integer({ minimum: 1, maximum: 1440 }),
  max_line_quantity: Type.Integer({ minimum: 1, maximum: 999 }),
  max_order_items: Type.Integer({ minimum: 1, maximum: 9999 }),
};

export const OrderingSettingsSchema = Type.Object({ store_id: Uuid, ...settingsFields });
export type OrderingSettings = Static<typeof OrderingSettingsSchema>;
export const OrderingSettingsPatch = Type.Partial(Type.Object(settingsFields, { additionalProperties: false }), {
  additionalProperties: false,
});
export type OrderingSettingsPatch = Static<typeof OrderingSettingsPatch>;

// --- params and lists ---------------------------------------------------------------------------

export const StoreParams = Type.Object({ storeId: Uuid });
export const OrderParams = Type.Object({ orderId: Uuid });

export const StoreOrdersQuery = Type.Object(
  {
    status: Type.Optional(OrderStatusSchema),
    channel: Type.Optional(ChannelSchema),
    from: Type.Optional({ ...Timestamp, description: 'Placed at or after' }),
    to: Type.Optional({ ...Timestamp, description: 'Placed before' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type StoreOrdersQuery = Static<typeof StoreOrdersQuery>;
