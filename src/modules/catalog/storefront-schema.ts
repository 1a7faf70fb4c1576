// Request and response schemas of the storefront menu (validation and the OpenAPI document).
import { Type } from 'typebox';
import { Timestamp, Uuid } from '../../platform/http/schema.js';

const Money = Type.Object(
  {
    amount: Type.Integer({ description: 'Minor units' }),
    currency: Type.String({ description: 'ISO 4217, the store’s currency' }),
  },
  { description: 'Effective price: store + channel override, else store override, else the brand price' },
);

const optionFields = {
  id: Uuid,
  name: Type.String(),
  price: Money,
  max_quantity: Type.Integer({ minimum: 1, description: 'How many of this option may be picked' }),
};

const groupFields = {
  id: Uuid,
  name: Type.String(),
  min_select: Type.Integer({ minimum: 0 }),
  max_select: Type.Integer({ minimum: 1 }),
  free_quantity: Type.Integer({ minimum: 0, description: 'The first picks that cost nothing' }),
};

const ChildGroup = Type.Object(
  { ...groupFields, options: Type.Array(Type.Object({ ...optionFields, child_group: Type.Null() })) },
  { description: 'The group an option opens (nested modifiers, one level)' },
);

const ModifierGroup = Type.Object({
  ...groupFields,
  options: Type.Array(Type.Object({ ...optionFields, child_group: Type.Union([ChildGroup, Type.Null()]) }), {
    description: 'Available options only (brand-wide unavailable and 86’d options are left out)',
  }),
});

const Item = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  image_url: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  allergens: Type.Array(Type.String()),
  sku: Type.Union([Type.String(), Type.Null()]),
  price: Money,
  tax: Type.Object({
    category: Type.Union([Type.String(), Type.Null()], { description: 'Tax category code' }),
    rate_bps: Type.Integer({
      description: 'The store’s rate for the category in basis points (1900 = 19%); 0 when none is set',
    }),
    prices_include_tax: Type.Boolean(),
  }),
  variants: Type.Array(
    Type.Object({ id: Uuid, name: Type.String(), sku: Type.Union([Type.String(), Type.Null()]), price: Money }),
  ),
  modifier_groups: Type.Array(ModifierGroup),
});

export const ResolvedMenuSchema = Type.Object(
  {
    store_id: Uuid,
    channel: Type.String(),
    currency: Type.String(),
    prices_include_tax: Type.Boolean(),
    menus: Type.Array(
      Type.Object({
        id: Uuid,
        name: Type.String(),
        categories: Type.Array(
          Type.Object({
            id: Uuid,
            name: Type.String(),
            description: Type.Union([Type.String(), Type.Null()]),
            items: Type.Array(Item),
          }),
        ),
      }),
      {
        description:
          'Menus published to the store and served at `at`, in the store’s order; categories without orderable items are left out',
      },
    ),
  },
  { description: 'The resolved menu' },
);

export const MenuParams = Type.Object({ storeId: Uuid });

export const MenuQuery = Type.Object({
  channel: Type.Optional(
    Type.Union([Type.Literal('pickup'), Type.Literal('delivery'), Type.Literal('dine_in')], { default: 'pickup' }),
  ),
  at: Type.Optional({ ...Timestamp, description: 'The moment to resolve for (RFC 3339); default: now' }),
});

export const MenuHeaders = Type.Object({
  'if-none-match': Type.Optional(
    Type.String({ maxLength: 2048, description: 'ETag(s) of a cached copy; 304 when still current' }),
  ),
});
