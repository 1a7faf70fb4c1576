// Schemas of the brand catalog's structure: tax categories, categories and menus with their
// weekly hours. Items and modifier groups are in item-schema.ts.
import { Type, type Static } from 'typebox';
import { FreeText, Int, Page, Uuid } from '../../../platform/http/schema.js';
import { closed, LocalTime, Name, Nullable, Position, Ref, TaxCode } from './schema-fields.js';

// --- tax categories ----------------------------------------------------------------------------

export const TaxCategory = Type.Object({ id: Uuid, code: TaxCode, name: Name(100) });
export type TaxCategory = Static<typeof TaxCategory>;
export const CreateTaxCategoryBody = Type.Object({ code: TaxCode, name: Name(100) }, closed);
export const UpdateTaxCategoryBody = Type.Object(
  { code: Type.Optional(TaxCode), name: Type.Optional(Name(100)) },
  { ...closed, minProperties: 1 },
);

// --- categories ------------------------------------------------------------------------------

export const Category = Type.Object({
  id: Uuid,
  ref: Ref,
  name: Name(100),
  description: Nullable(FreeText(1000)),
  position: Position,
});
export type Category = Static<typeof Category>;
const categoryFields = {
  ref: Ref,
  name: Name(100),
  description: Nullable(Type.String({ maxLength: 1000 })),
  position: Position,
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

// --- menus -----------------------------------------------------------------------------------

export const AvailabilityWindow = Type.Object(
  {
    weekday: Int(1, 7, { description: 'ISO weekday: 1 = Monday … 7 = Sunday' }),
    starts_at: LocalTime,
    ends_at: Type.String({ ...LocalTime, description: 'Store-local HH:MM; at or before starts_at runs past midnight' }),
  },
  closed,
);
export const Menu = Type.Object({
  id: Uuid,
  ref: Ref,
  name: Name(100),
  availability: Type.Array(AvailabilityWindow, {
    maxItems: 70,
    description: 'When the menu is served, store-local; empty: always',
  }),
  category_ids: Type.Array(Uuid, { maxItems: 200, description: 'Categories listed, in order' }),
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

export const TaxCategoryPage = Page(TaxCategory);
export const CategoryPage = Page(Category);
export const MenuPage = Page(Menu);
