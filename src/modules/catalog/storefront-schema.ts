// Request and response schemas of the storefront menu (validation and the OpenAPI document).
import { Type } from 'typebox';
import { CurrencyCode, FreeText, Int, Name, Timestamp, Uuid } from '../../platform/http/schema.js';

/** Word-like labels (tags, allergens, tax codes) as the catalog stores them. */
const Word = Type.String({ maxLength: 40, pattern: '^[a-z0-9_-]{1,40}$' });
const Sku = Type.String({ maxLength: 64 });

const Money = Type.Object(
  {
    amount: Int(0, 100_000_000, { description: 'Minor units' }),
    currency: { ...CurrencyCode, description: 'ISO 4217, the store’s currency' },
  },
  { description: 'Effective price: store + channel override, else store override, else the brand price' },
);

const optionFields = {
  id: Uuid,
  name: Name(100),
  price: Money,
  max_quantity: Int(1, 1000, { description: 'How many of this option may be picked' }),
};

const groupFields = {
  id: Uuid,
  name: Name(100),
  min_select: Int(0, 1000),
  max_select: Int(1, 1000),
  free_quantity: Int(0, 1000, { description: 'The first picks that cost nothing' }),
};

const ChildGroup = Type.Object(
  {
    ...groupFields,
    options: Type.Array(Type.Object({ ...optionFields, child_group: Type.Null() }), { maxItems: 100 }),
  },
  { description: 'The group an option opens (nested modifiers, one level)' },
);

const ModifierGroup = Type.Object({
  ...groupFields,
  options: Type.Array(Type.Object({ ...optionFields, child_group: Type.Union([ChildGroup, Type.Null()]) }), {
    maxItems: 100,
    description: 'Available options only (brand-wide unavailable and 86’d options are left out)',
  }),
});

const Item = Type.Object({
  id: Uuid,
  name: Name(200),
  description: Type.Union([FreeText(2000), Type.Null()]),
  image_url: Type.Union([Type.String({ maxLength: 2000, pattern: '^https://' }), Type.Null()]),
  tags: Type.Array(Word, { maxItems: 30 }),
  allergens: Type.Array(Word, { maxItems: 30 }),
  sku: Type.Union([Sku, Type.Null()]),
  price: Money,
  tax: Type.Object({
    category: Type.Union([Word, Type.Null()], { description: 'Tax category code' }),
    rate_bps: Int(0, 10_000, {
      description: 'The store’s rate for the category in basis points (1900 = 19%); 0 when none is set',
    }),
    prices_include_tax: Type.Boolean(),
  }),
  variants: Type.Array(Type.Object({ id: Uuid, name: Name(100), sku: Type.Union([Sku, Type.Null()]), price: Money }), {
    maxItems: 50,
  }),
  modifier_groups: Type.Array(ModifierGroup, { maxItems: 50 }),
});

export const ResolvedMenuSchema = Type.Object(
  {
    store_id: Uuid,
    channel: Type.Union([Type.Literal('pickup'), Type.Literal('delivery'), Type.Literal('dine_in')]),
    currency: CurrencyCode,
    prices_include_tax: Type.Boolean(),
    menus: Type.Array(
      Type.Object({
        id: Uuid,
        name: Name(100),
        categories: Type.Array(
          Type.Object({
            id: Uuid,
            name: Name(100),
            description: Type.Union([FreeText(1000), Type.Null()]),
            items: Type.Array(Item, { maxItems: 2000 }),
          }),
          { maxItems: 200 },
        ),
      }),
      {
        maxItems: 50,
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
