// Schemas of a store's own catalog settings: the menus it publishes, its tax rates, its prices
// (per channel) and its 86s.
import { Type } from 'typebox';
import { Int, Timestamp, Uuid } from '../../../platform/http/schema.js';
import { Channel, closed, Nullable, Price } from './schema-fields.js';

export const PublishedMenus = Type.Object(
  {
    menu_ids: Type.Array(Uuid, { maxItems: 50, uniqueItems: true, description: 'Menus the store publishes, in order' }),
  },
  closed,
);

export const TaxSettings = Type.Object(
  {
    prices_include_tax: Type.Boolean({
      description: 'Whether the store’s prices already include tax (EU style) or tax is added on top',
    }),
    rates: Type.Array(
      Type.Object(
        {
          tax_category_id: Uuid,
          rate_bps: Int(0, 10_000, { description: 'Basis points: 1900 = 19%' }),
        },
        closed,
      ),
      { maxItems: 100 },
    ),
  },
  closed,
);

const overrideFields = {
  item_id: Type.Optional(Uuid),
  variant_id: Type.Optional(Uuid),
  option_id: Type.Optional(Uuid),
  channel: Type.Optional(Nullable(Channel)),
  price: Price,
};
export const PriceOverrideInput = Type.Object(overrideFields, {
  ...closed,
  description: 'Exactly one of item_id, variant_id, option_id; channel null or absent: every channel',
});
export const PriceOverride = Type.Object({
  id: Uuid,
  item_id: Nullable(Uuid),
  variant_id: Nullable(Uuid),
  option_id: Nullable(Uuid),
  channel: Nullable(Type.String({ maxLength: 8, pattern: '^(pickup|delivery|dine_in)$' })),
  price: Price,
});
export const PriceOverridesBody = Type.Object(
  { overrides: Type.Array(PriceOverrideInput, { maxItems: 2000 }) },
  closed,
);
export const PriceOverrides = Type.Object({ overrides: Type.Array(PriceOverride, { maxItems: 2000 }) });

export const EightySixBody = Type.Object(
  {
    item_id: Type.Optional(Uuid),
    option_id: Type.Optional(Uuid),
    until: Type.Optional(Nullable(Timestamp)),
  },
  {
    ...closed,
    description:
      'Exactly one of item_id, option_id. `until` absent or null: until un-86’d; else back on sale at that time',
  },
);
export const EightySix = Type.Object({
  id: Uuid,
  item_id: Nullable(Uuid),
  option_id: Nullable(Uuid),
  until: Nullable(Timestamp),
  reason: Type.Union([Type.Literal('manual'), Type.Literal('sold_out')], {
    description:
      '`manual`: 86’d by staff. `sold_out`: the item’s tracked stock reached zero; lifted by itself when stock comes back',
  }),
  created_at: Timestamp,
});
export const EightySixList = Type.Object({
  data: Type.Array(EightySix, { maxItems: 10_000, description: 'At most one per item and per option' }),
});
