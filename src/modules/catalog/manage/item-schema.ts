// Schemas of what a guest picks: items with their variants (sizes), and modifier groups with
// their options (an option may open one nested group).
import { Type, type Static } from 'typebox';
import { FreeText, Int, Page, PaginationQuery, Uuid } from '../../../platform/http/schema.js';
import { closed, ImageUrl, Name, Nullable, Position, Price, Ref, Sku, Word } from './schema-fields.js';

// --- items -----------------------------------------------------------------------------------

export const Variant = Type.Object({
  id: Uuid,
  ref: Ref,
  name: Name(100),
  price: Price,
  sku: Nullable(Sku),
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
  ref: Ref,
  category_id: Uuid,
  name: Name(200),
  description: Nullable(FreeText(2000)),
  image_url: Nullable(ImageUrl),
  tags: Type.Array(Word, { maxItems: 30 }),
  allergens: Type.Array(Word, { maxItems: 30 }),
  sku: Nullable(Sku),
  tax_category_id: Nullable(Uuid),
  price: { ...Price, description: 'Base price in minor units (used when the item has no variants)' },
  position: Position,
  variants: Type.Array(Variant, { maxItems: 50 }),
  modifier_group_ids: Type.Array(Uuid, { maxItems: 50, description: 'Attached modifier groups, in display order' }),
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
  position: Position,
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
  ref: Ref,
  name: Name(100),
  price: Price,
  max_quantity: Int(1, 1000),
  is_available: Type.Boolean(),
  child_group_id: Nullable(Uuid),
});
const OptionInput = Type.Object(
  {
    id: Type.Optional(Uuid),
    ref: Type.Optional(Ref),
    name: Name(100),
    price: Type.Optional(Price),
    max_quantity: Type.Optional(Int(1, 1000, { description: 'How many of this one option may be picked' })),
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
  ref: Ref,
  name: Name(100),
  min_select: Int(0, 1000),
  max_select: Int(1, 1000),
  free_quantity: Int(0, 1000),
  options: Type.Array(ModifierOption, { maxItems: 100 }),
});
export type ModifierGroup = Static<typeof ModifierGroup>;
const groupFields = {
  ref: Ref,
  name: Name(100),
  min_select: Int(0, 1000, {
    description: 'Picks required (counting quantities); above 0 makes the group required',
  }),
  max_select: Int(1, 1000, { description: 'Picks allowed at most; at least min_select' }),
  free_quantity: Int(0, 1000, { description: 'The first picks that cost nothing' }),
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

export const ItemListQuery = Type.Object({ ...PaginationQuery, category_id: Type.Optional(Uuid) }, closed);
export const ItemPage = Page(Item);
export const ModifierGroupPage = Page(ModifierGroup);
