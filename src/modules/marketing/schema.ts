// Request and response schemas of promotion management and the store's promotion list: one
// source for validation, serialization, TypeScript types and the OpenAPI document. The shapes
// mirror model.ts (Conditions, Effect, Rule); what a JSON schema cannot say (a rule's operator
// for its attribute, ids of the brand, exactly one of two fields) is checked by rules.ts (422).
//
// Money: every amount here (min_subtotal, max_discount, budget, an effect's amount or price) is
// an integer in minor units of the store's currency, without a currency field: a promotion
// applies at its organization's stores, and 500 means 5.00 in the currency of the store where
// it is used. Rates are basis points (1000 = 10%).
import { Type, type Static, type TSchema } from 'typebox';
import { CODE_PATTERN } from './model.js';
import {
  Count,
  DaypartSchema,
  FreeText,
  Int,
  INT32_MAX,
  MinorUnits,
  Name,
  Nullable,
  Page,
  PaginationQuery,
  Timestamp,
  Uuid,
} from '../../platform/http/schema.js';

const closed = { additionalProperties: false } as const;

/** How many ids one list in a promotion may name. */
export const MAX_IDS = 200;
/** How many codes one batch may generate. */
export const MAX_BATCH = 10_000;

const Ids = (what: string) => Type.Array(Uuid, { minItems: 1, maxItems: MAX_IDS, description: `${what} ids` });
const Bps = Int(1, 10_000, { description: 'Basis points: 1000 = 10%, 10000 = 100%' });
const Amount = (description: string) => Int(1, INT32_MAX, { description: `${description}; minor units` });
const PriceField = (description: string) => Int(0, INT32_MAX, { description: `${description}; minor units` });
const Units = (description: string) => Int(1, 10_000, { description });

export const ChannelSchema = Type.Union([Type.Literal('pickup'), Type.Literal('delivery'), Type.Literal('dine_in')]);
export const KindSchema = Type.Union([Type.Literal('automatic'), Type.Literal('code')], {
  description: '`automatic`: applies whenever its conditions hold; `code`: only with one of its codes',
});
export const SegmentSchema = Type.Union([Type.Literal('first_order'), Type.Literal('returning')], {
  description: '`first_order`: the customer’s first order at the brand; `returning`: any later one',
});

export const LineTargetSchema = Type.Object(
  {
    item_ids: Type.Optional(Ids('Item')),
    category_ids: Type.Optional(Ids('Category')),
    variant_ids: Type.Optional(Ids('Variant')),
  },
  { ...closed, description: 'Order lines matching any of the lists (at least one list must be given)' },
);

export const RuleSchema = Type.Object(
  {
    attribute: Type.Union(
      [
        Type.Literal('subtotal'),
        Type.Literal('item_quantity'),
        Type.Literal('channel'),
        Type.Literal('store'),
        Type.Literal('item'),
        Type.Literal('category'),
        Type.Literal('weekday'),
      ],
      {
        description:
          'subtotal: gte|lte [minor units]; item_quantity: gte [units] with `target`; channel, store: in|not_in; item, category: includes_any|excludes [ids]; weekday: in [1..7]',
      },
    ),
    operator: Type.Union([
      Type.Literal('gte'),
      Type.Literal('lte'),
      Type.Literal('in'),
      Type.Literal('not_in'),
      Type.Literal('includes_any'),
      Type.Literal('excludes'),
    ]),
    values: Type.Array(
      Type.Union([Type.String({ minLength: 1, maxLength: 36, pattern: '^[A-Za-z0-9_-]+$' }), Int(0, INT32_MAX)]),
      { minItems: 1, maxItems: MAX_IDS },
    ),
    target: Type.Optional(LineTargetSchema),
  },
  { ...closed, description: 'A rule as data; every rule of a promotion must hold' },
);

export const ConditionsSchema = Type.Object(
  {
    store_ids: Type.Optional(Ids('Store')),
    channels: Type.Optional(Type.Array(ChannelSchema, { minItems: 1, maxItems: 3 })),
    dayparts: Type.Optional(Type.Array(DaypartSchema, { minItems: 1, maxItems: 20 })),
    segments: Type.Optional(
      Type.Array(SegmentSchema, {
        minItems: 1,
        maxItems: 2,
        description: 'Only for a signed-in customer: a guest order never matches a segment',
      }),
    ),
    loyalty_tiers: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9][a-z0-9_-]*$' }), {
        minItems: 1,
        maxItems: 10,
        description:
          'A tier perk: only for members of the brand’s loyalty program in one of these tiers (tier keys, e.g. `gold`); a guest order never matches',
      }),
    ),
    min_subtotal: Type.Optional(PriceField('The subtotal before any discount must reach this')),
    rules: Type.Optional(Type.Array(RuleSchema, { minItems: 1, maxItems: 20 })),
  },
  {
    ...closed,
    description: 'Where and when the promotion applies; an absent field does not restrict it',
  },
);

const ComboComponentSchema = Type.Object(
  { target: LineTargetSchema, quantity: Units('Units of matching lines') },
  closed,
);

const effect = <T extends string, P extends Record<string, TSchema>>(type: T, properties: P, description: string) =>
  Type.Object({ type: Type.Literal(type), ...properties }, { ...closed, description });

export const EffectSchema = Type.Union(
  [
    effect('order_percentage', { percent_bps: Bps }, 'A share of what is left of the whole order'),
    effect('order_fixed', { amount: Amount('Off the order, capped at what is left') }, 'A fixed amount off the order'),
    effect('line_percentage', { percent_bps: Bps, target: LineTargetSchema }, 'A share of matching lines'),
    effect(
      'line_fixed',
      { amount_per_unit: Amount('Off each matching unit'), target: LineTargetSchema },
      'A fixed amount off each matching unit',
    ),
    effect(
      'delivery_fee',
      { percent_bps: Type.Optional(Bps), amount: Type.Optional(Amount('Off the fee, capped at it')) },
      'Off the delivery fee: exactly one of `percent_bps` and `amount`',
    ),
    effect(
      'buy_x_get_y',
      {
        buy: ComboComponentSchema,
        get: ComboComponentSchema,
        percent_bps: Bps,
        max_applications: Type.Optional(Units('At most this many discounted groups per order')),
      },
      'Buy `buy.quantity` of buy.target, get `get.quantity` of get.target `percent_bps` off (10000 = free)',
    ),
    effect(
      'combo',
      {
        components: Type.Array(ComboComponentSchema, { minItems: 1, maxItems: 10, description: 'At least two' }),
        price: PriceField('The bundle price (modifier charges stay on top)'),
        max_applications: Type.Optional(Units('At most this many bundles per order')),
      },
      'Units matching every component, sold together at `price`',
    ),
    effect(
      'fixed_price',
      { target: LineTargetSchema, price: PriceField('Unit price of matching units, when cheaper') },
      'Matching units at a fixed unit price',
    ),
    effect(
      'flash_sale',
      {
        item_id: Uuid,
        percent_bps: Type.Optional(Bps),
        price: Type.Optional(PriceField('Unit price during the sale')),
        units_per_day: Units('Units in the pool per store and local day (reset at the store’s midnight)'),
        per_customer_per_day: Units('Units one customer may take per day'),
      },
      'A daily unit pool of one item, each unit at a share off or at a price: exactly one of `percent_bps` and `price`',
    ),
  ],
  { description: 'What the promotion gives, by `type`' },
);

export const EffectTypeSchema = Type.Union([
  Type.Literal('order_percentage'),
  Type.Literal('order_fixed'),
  Type.Literal('line_percentage'),
  Type.Literal('line_fixed'),
  Type.Literal('delivery_fee'),
  Type.Literal('buy_x_get_y'),
  Type.Literal('combo'),
  Type.Literal('fixed_price'),
  Type.Literal('flash_sale'),
]);

const Priority = Int(-1000, 1000, { description: 'Higher applies first' });
const Combinable = Type.Boolean({ description: 'Whether it may apply together with other promotions' });
export const Limit = (description: string) => Int(1, INT32_MAX, { description });

const editable = {
  description: Nullable(FreeText(2000)),
  advertised: Type.Boolean({ description: 'Listed on the store’s promotions (banners)' }),
  active: Type.Boolean(),
  priority: Priority,
  combinable: Combinable,
  starts_at: Nullable(Timestamp),
  ends_at: Nullable(Timestamp),
  conditions: ConditionsSchema,
  effect: EffectSchema,
  max_discount: Nullable(Limit('At most this much off per order; minor units')),
  usage_limit: Nullable(Limit('Total uses over every order holding or having confirmed a redemption')),
  budget: Nullable(Limit('Total discount given; minor units')),
  per_customer_limit: Nullable(Limit('Uses per signed-in customer (guests cannot use a limited promotion)')),
};

export const CreatePromotionBody = Type.Object(
  {
    name: Name(200),
    kind: KindSchema,
    effect: EffectSchema,
    description: Type.Optional(editable.description),
    advertised: Type.Optional(editable.advertised),
    active: Type.Optional(editable.active),
    priority: Type.Optional(editable.priority),
    combinable: Type.Optional(editable.combinable),
    starts_at: Type.Optional(editable.starts_at),
    ends_at: Type.Optional(editable.ends_at),
    conditions: Type.Optional(editable.conditions),
    max_discount: Type.Optional(editable.max_discount),
    usage_limit: Type.Optional(editable.usage_limit),
    budget: Type.Optional(editable.budget),
    per_customer_limit: Type.Optional(editable.per_customer_limit),
  },
  closed,
);
export type CreatePromotionBody = Static<typeof CreatePromotionBody>;

export const PatchPromotionBody = Type.Object(
  {
    name: Type.Optional(Name(200)),
    kind: Type.Optional(KindSchema),
    description: Type.Optional(editable.description),
    advertised: Type.Optional(editable.advertised),
    active: Type.Optional(editable.active),
    priority: Type.Optional(editable.priority),
    combinable: Type.Optional(editable.combinable),
    starts_at: Type.Optional(editable.starts_at),
    ends_at: Type.Optional(editable.ends_at),
    conditions: Type.Optional(editable.conditions),
    effect: Type.Optional(editable.effect),
    max_discount: Type.Optional(editable.max_discount),
    usage_limit: Type.Optional(editable.usage_limit),
    budget: Type.Optional(editable.budget),
    per_customer_limit: Type.Optional(editable.per_customer_limit),
  },
  { ...closed, minProperties: 1, description: 'Fields given replace the old ones (conditions and effect whole)' },
);
export type PatchPromotionBody = Static<typeof PatchPromotionBody>;

export const PromotionSchema = Type.Object({
  id: Uuid,
  organization_id: Uuid,
  name: Name(200),
  description: Nullable(FreeText(2000)),
  kind: KindSchema,
  advertised: Type.Boolean(),
  active: Type.Boolean(),
  priority: Priority,
  combinable: Combinable,
  starts_at: Nullable(Timestamp),
  ends_at: Nullable(Timestamp),
  conditions: ConditionsSchema,
  effect: EffectSchema,
  max_discount: Nullable(Limit('Minor units')),
  usage_limit: Nullable(Limit('Total uses')),
  budget: Nullable(Limit('Minor units')),
  per_customer_limit: Nullable(Limit('Uses per customer')),
  usage: Type.Object(
    {
      uses: Count({ description: 'Orders holding or having confirmed a redemption' }),
      discount_spent: MinorUnits({ description: 'Their discounts; minor units' }),
    },
    { description: 'From the redemption ledger (held and confirmed), not released ones' },
  ),
  codes_count: Count(),
  version: Count({ description: 'Also the ETag' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type PromotionOut = Static<typeof PromotionSchema>;
export const PromotionPage = Page(PromotionSchema);

export const OrganizationParams = Type.Object({ organizationId: Uuid });
export const PromotionParams = Type.Object({ organizationId: Uuid, promotionId: Uuid });
export const CodeParams = Type.Object({ organizationId: Uuid, promotionId: Uuid, codeId: Uuid });
export const StoreParams = Type.Object({ storeId: Uuid });

export const PromotionListQuery = Type.Object(
  {
    ...PaginationQuery,
    kind: Type.Optional(KindSchema),
    active: Type.Optional(Type.Boolean()),
  },
  closed,
);
export type PromotionListQuery = Static<typeof PromotionListQuery>;

export { IfMatchHeaders } from '../../platform/http/schema.js';

// --- the store's promotions (public) ----------------------------------------------------------

export const StorePromotionSchema = Type.Object({
  id: Uuid,
  name: Name(200),
  description: Nullable(FreeText(2000)),
  kind: KindSchema,
  code: Nullable(
    Type.String({
      maxLength: 40,
      pattern: CODE_PATTERN,
      description: 'The code to type, when the promotion has exactly one shared code; null otherwise',
    }),
  ),
  effect_type: EffectTypeSchema,
  channels: Type.Array(ChannelSchema, { maxItems: 3 }),
  ends_at: Nullable(Timestamp),
});
export type StorePromotionOut = Static<typeof StorePromotionSchema>;
export const StorePromotionList = Type.Object({
  data: Type.Array(StorePromotionSchema, { maxItems: 100 }),
});
