// Request and response schemas of catalog management: one source for validation, response
// serialization, TypeScript types and the OpenAPI document. Rules a JSON schema cannot express
// (a required group its options cannot satisfy, nesting depth, references) live in validate.ts.
import { Type, type Static, type TSchema } from 'typebox';
import { Page, PaginationQuery, Timestamp, Uuid } from '../../platform/http/schema.js';

function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

const Ref = Type.String({
  minLength: 1,
  maxLength: 100,
  description:
    'Stable client key (like a SKU), unique per kind in the brand; import/export match on it. Defaults to the id.',
});
const Name = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Price = Type.Integer({
  minimum: 0,
  maximum: 100_000_000,
  description: 'Minor units of the store’s currency (1250 = 12.50); never negative',
});
const Word = Type.String({ pattern: '^[a-z0-9_-]{1,40}$' });
const Sku = Type.String({ minLength: 1, maxLength: 64 });
const ImageUrl = Type.String({ pattern: '^https://', maxLength: 2000 });
const LocalTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'Store-local HH:MM',
  examples: ['07:00'],
});
const TaxCode = Type.String({ pattern: '^[a-z0-9_-]{1,40}$', examples: ['food'] });
const Channel = Type.Union([Type.Literal('pickup'), Type.Literal('delivery'), Type.Literal('dine_in')]);
const closed = { additionalProperties: false } as const;

export const OrganizationParams = Type.Object({ organizationId: Uuid });
export const StoreParams = Type.Object({ storeId: Uuid });
export const IdParams = Type.Object({ id: Uuid });
export const StoreItemParams = Type.Object({ storeId: Uuid, id: Uuid });
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ description: 'ETag from a previous read: the write happens only if it is still current (else 412)' }),
  ),
});
export const ListQuery = Type.Object(PaginationQuery, closed);
export const ItemListQuery = Type.Object({ ...PaginationQuery, category_id: Type.Optional(Uuid) }, closed);

// --- tax categories ----------------------------------------------------------------------------

export const TaxCategory = Type.Object({ id: Uuid, code: Type.String(), name: Type.String() });
export type TaxCategory = Static<typeof TaxCategory>;
export const CreateTaxCategoryBody = Type.Object({ code: TaxCode, name: Name(100) }, closed);
export const UpdateTaxCategoryBody = Type.Object(
  { code: Type.Optional(TaxCode), name: Type.Optional(Name(100)) },
  { ...closed, minProperties: 1 },
);

// --- categories ------------------------------------------------------------------------------

export const Category = Type.Object({
  id: Uuid,
  ref: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  position: Type.Integer(),
});
export type Category = Static<typeof Category>;
const categoryFields = {
  ref: Ref,
  name: Name(100),
  description: Nullable(Type.String({ maxLength: 1000 })),
  position: Type.Integer({ minimum: 0, maximum: 100_000 }),
};
export const CreateCategoryBody = Type.Object(
  {
    ...categoryFields,
    ref: Type.Optional(Ref),
    description: Type.Optional(categoryFields.description),
    position: Type.Optional(categoryFields.position),
  },
  closed,
);
export const UpdateCategoryBody = Type.Partial(Type.Object(categoryFields, closed), { minProperties: 1 });

// --- items -----------------------------------------------------------------------------------

export const Variant = Type.Object({
  id: Uuid,
  ref: Type.String(),
  name: Type.String(),
  price: Type.Integer(),
  sku: Nullable(Type.String()),
});
const VariantInput = Type.Object(
  {
    id: Type.Optional(Uuid),
    ref: Type.Optional(Ref),
    name: Name(100),
    price: Price,
    sku: Type.Optional(Nullable(Sku)),
  },
  { ...closed, description: 'An existing variant keeps its id when `id` (or its `ref`) is given' },
);
export const Item = Type.Object({
  id: Uuid,
  ref: Type.String(),
  category_id: Uuid,
  name: Type.String(),
  description: Nullable(Type.String()),
  image_url: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  allergens: Type.Array(Type.String()),
  sku: Nullable(Type.String()),
  tax_category_id: Nullable(Uuid),
  price: Type.Integer({ description: 'Base price in minor units (used when the item has no variants)' }),
  position: Type.Integer(),
  variants: Type.Array(Variant),
  modifier_group_ids: Type.Array(Uuid, { description: 'Attached modifier groups, in display order' }),
});
export type Item = Static<typeof Item>;
const itemFields = {
  ref: Ref,
  category_id: Uuid,
  name: Name(200),
  description: Nullable(Type.String({ maxLength: 2000 })),
  image_url: Nullable(ImageUrl),
  tags: Type.Array(Word, { maxItems: 30, uniqueItems: true, description: 'e.g. vegetarian, vegan, spicy' }),
  allergens: Type.Array(Word, { maxItems: 30, uniqueItems: true, description: 'e.g. gluten, milk, nuts' }),
  sku: Nullable(Sku),
  tax_category_id: Nullable(Uuid),
  price: Price,
  position: Type.Integer({ minimum: 0, maximum: 100_000 }),
  variants: Type.Array(VariantInput, { maxItems: 50, description: 'Replaces the variants (sizes)' }),
  modifier_group_ids: Type.Array(Uuid, { maxItems: 50, description: 'Replaces the attached groups, in order' }),
};
export const CreateItemBody = Type.Object(
  {
    category_id: itemFields.category_id,
    name: itemFields.name,
    price: itemFields.price,
    ref: Type.Optional(itemFields.ref),
    description: Type.Optional(itemFields.description),
    image_url: Type.Optional(itemFields.image_url),
    tags: Type.Optional(itemFields.tags),
    allergens: Type.Optional(itemFields.allergens),
    sku: Type.Optional(itemFields.sku),
    tax_category_id: Type.Optional(itemFields.tax_category_id),
    position: Type.Optional(itemFields.position),
    variants: Type.Optional(itemFields.variants),
    modifier_group_ids: Type.Optional(itemFields.modifier_group_ids),
  },
  closed,
);
export const UpdateItemBody = Type.Partial(Type.Object(itemFields, closed), { minProperties: 1 });

export interface VariantInput {
  id?: string;
  ref?: string;
  name: string;
  price: number;
  sku?: string | null;
}
export interface ItemInput {
  ref?: string;
  category_id?: string;
  name?: string;
  description?: string | null;
  image_url?: string | null;
  tags?: string[];
  allergens?: string[];
  sku?: string | null;
  tax_category_id?: string | null;
  price?: number;
  position?: number;
  variants?: VariantInput[];
  modifier_group_ids?: string[];
}

// --- modifier groups -------------------------------------------------------------------------

export const ModifierOption = Type.Object({
  id: Uuid,
  ref: Type.String(),
  name: Type.String(),
  price: Type.Integer(),
  max_quantity: Type.Integer(),
  is_available: Type.Boolean(),
  child_group_id: Nullable(Uuid),
});
const OptionInput = Type.Object(
  {
    id: Type.Optional(Uuid),
    ref: Type.Optional(Ref),
    name: Name(100),
    price: Type.Optional(Price),
    max_quantity: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: 'How many of this one option may be picked' }),
    ),
    is_available: Type.Optional(Type.Boolean({ description: 'Brand-wide switch; per-store unavailability is an 86' })),
    child_group_id: Type.Optional(Nullable(Uuid)),
  },
  {
    ...closed,
    description: 'An existing option keeps its id (and its store prices and 86s) when `id` (or its `ref`) is given',
  },
);
export const ModifierGroup = Type.Object({
  id: Uuid,
  ref: Type.String(),
  name: Type.String(),
  min_select: Type.Integer(),
  max_select: Type.Integer(),
  free_quantity: Type.Integer(),
  options: Type.Array(ModifierOption),
});
export type ModifierGroup = Static<typeof ModifierGroup>;
const groupFields = {
  ref: Ref,
  name: Name(100),
  min_select: Type.Integer({
    minimum: 0,
    maximum: 1000,
    description: 'Picks required (counting quantities); above 0 makes the group required',
  }),
  max_select: Type.Integer({ minimum: 1, maximum: 1000, description: 'Picks allowed at most; at least min_select' }),
  free_quantity: Type.Integer({ minimum: 0, maximum: 1000, description: 'The first picks that cost nothing' }),
  options: Type.Array(OptionInput, { maxItems: 100, description: 'Replaces the options, in order' }),
};
export const CreateModifierGroupBody = Type.Object(
  {
    name: groupFields.name,
    ref: Type.Optional(groupFields.ref),
    min_select: Type.Optional(groupFields.min_select),
    max_select: Type.Optional(groupFields.max_select),
    free_quantity: Type.Optional(groupFields.free_quantity),
    options: Type.Optional(groupFields.options),
  },
  closed,
);
export const UpdateModifierGroupBody = Type.Partial(Type.Object(groupFields, closed), { minProperties: 1 });

export interface OptionInput {
  id?: string;
  ref?: string;
  name: string;
  price?: number;
  max_quantity?: number;
  is_available?: boolean;
  child_group_id?: string | null;
}
export interface GroupInput {
  ref?: string;
  name?: string;
  min_select?: number;
  max_select?: number;
  free_quantity?: number;
  options?: OptionInput[];
}

// --- menus -----------------------------------------------------------------------------------

export const AvailabilityWindow = Type.Object(
  {
    weekday: Type.Integer({ minimum: 1, maximum: 7, description: 'ISO weekday: 1 = Monday … 7 = Sunday' }),
    starts_at: LocalTime,
    ends_at: Type.String({ ...LocalTime, description: 'Store-local HH:MM; at or before starts_at runs past midnight' }),
  },
  closed,
);
export const Menu = Type.Object({
  id: Uuid,
  ref: Type.String(),
  name: Type.String(),
  availability: Type.Array(AvailabilityWindow, { description: 'When the menu is served, store-local; empty: always' }),
  category_ids: Type.Array(Uuid, { description: 'Categories listed, in order' }),
});
export type Menu = Static<typeof Menu>;
const menuFields = {
  ref: Ref,
  name: Name(100),
  availability: Type.Array(AvailabilityWindow, { maxItems: 70 }),
  category_ids: Type.Array(Uuid, { maxItems: 200 }),
};
export const CreateMenuBody = Type.Object(
  {
    name: menuFields.name,
    ref: Type.Optional(menuFields.ref),
    availability: Type.Optional(menuFields.availability),
    category_ids: Type.Optional(menuFields.category_ids),
  },
  closed,
);
export const UpdateMenuBody = Type.Partial(Type.Object(menuFields, closed), { minProperties: 1 });

// --- store-scoped ----------------------------------------------------------------------------

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
          rate_bps: Type.Integer({ minimum: 0, maximum: 10_000, description: 'Basis points: 1900 = 19%' }),
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
  channel: Nullable(Type.String()),
  price: Type.Integer(),
});
export const PriceOverridesBody = Type.Object(
  { overrides: Type.Array(PriceOverrideInput, { maxItems: 2000 }) },
  closed,
);
export const PriceOverrides = Type.Object({ overrides: Type.Array(PriceOverride) });

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
export const EightySixList = Type.Object({ data: Type.Array(EightySix) });

// --- import / export -------------------------------------------------------------------------

const DocOption = Type.Object(
  {
    ref: Ref,
    name: Name(100),
    price: Type.Optional(Price),
    max_quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    is_available: Type.Optional(Type.Boolean()),
    child_group: Type.Optional(Nullable(Type.String({ description: 'ref of the modifier group this option opens' }))),
  },
  closed,
);
const DocGroup = Type.Object(
  {
    ref: Ref,
    name: Name(100),
    min_select: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    max_select: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    free_quantity: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    options: Type.Array(DocOption, { maxItems: 100 }),
  },
  closed,
);
const DocVariant = Type.Object({ ref: Ref, name: Name(100), price: Price, sku: Type.Optional(Nullable(Sku)) }, closed);
const DocItem = Type.Object(
  {
    ref: Ref,
    name: Name(200),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    image_url: Type.Optional(Nullable(ImageUrl)),
    tags: Type.Optional(Type.Array(Word, { maxItems: 30, uniqueItems: true })),
    allergens: Type.Optional(Type.Array(Word, { maxItems: 30, uniqueItems: true })),
    sku: Type.Optional(Nullable(Sku)),
    tax_category: Type.Optional(Nullable(Type.String({ description: 'code of a tax category' }))),
    price: Price,
    variants: Type.Optional(Type.Array(DocVariant, { maxItems: 50 })),
    modifier_groups: Type.Optional(
      Type.Array(Type.String(), { maxItems: 50, description: 'refs of modifier groups, in order' }),
    ),
  },
  closed,
);
const DocCategory = Type.Object(
  {
    ref: Ref,
    name: Name(100),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    items: Type.Array(DocItem, { maxItems: 2000 }),
  },
  closed,
);
const DocMenu = Type.Object(
  {
    ref: Ref,
    name: Name(100),
    availability: Type.Optional(Type.Array(AvailabilityWindow, { maxItems: 70 })),
    categories: Type.Array(Type.String(), { maxItems: 200, description: 'refs of categories, in order' }),
  },
  closed,
);
export const CatalogDocument = Type.Object(
  {
    tax_categories: Type.Array(Type.Object({ code: TaxCode, name: Name(100) }, closed), { maxItems: 100 }),
    modifier_groups: Type.Array(DocGroup, { maxItems: 1000 }),
    categories: Type.Array(DocCategory, {
      maxItems: 500,
      description: 'In display order, each with its items in order',
    }),
    menus: Type.Array(DocMenu, { maxItems: 50 }),
  },
  {
    ...closed,
    description:
      'A whole brand catalog. Everything is matched by `ref` (tax categories by `code`); what the document leaves out is deleted.',
  },
);
export type CatalogDocument = Static<typeof CatalogDocument>;

const Counts = Type.Object({ created: Type.Integer(), updated: Type.Integer(), deleted: Type.Integer() });
export const ImportReport = Type.Object({
  catalog_version: Type.Integer({
    description: 'The brand’s catalog version after the import (unchanged when nothing changed)',
  }),
  changed: Type.Boolean(),
  tax_categories: Counts,
  categories: Counts,
  items: Counts,
  modifier_groups: Counts,
  menus: Counts,
});
export type ImportReport = Static<typeof ImportReport>;

export const TaxCategoryPage = Page(TaxCategory);
export const CategoryPage = Page(Category);
export const ItemPage = Page(Item);
export const ModifierGroupPage = Page(ModifierGroup);
export const MenuPage = Page(Menu);
