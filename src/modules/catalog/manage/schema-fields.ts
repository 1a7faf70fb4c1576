// The parts every catalog management schema is built of: field types (refs, names, prices,
// local times), the path parameters and the If-Match header. The *-schema.ts files beside this
// one are the single source for validation, serialization, TypeScript types and the OpenAPI
// document; rules a JSON schema cannot express (a required group its options cannot satisfy,
// nesting depth, references) live in validate.ts.
import { Type } from 'typebox';
import { Int, Nullable, PaginationQuery, Uuid } from '../../../platform/http/schema.js';

/** The catalog's schemas take it from here with the other fields. */
export { Nullable };

export const Ref = Type.String({
  minLength: 1,
  maxLength: 100,
  description:
    'Stable client key (like a SKU), unique per kind in the brand; import/export match on it. Defaults to the id.',
});
export const Name = (max: number) => Type.String({ minLength: 1, maxLength: max });
export const Price = Int(0, 100_000_000, {
  description: 'Minor units of the store’s currency (1250 = 12.50); never negative',
});
export const Word = Type.String({ maxLength: 40, pattern: '^[a-z0-9_-]{1,40}$' });
export const Sku = Type.String({ minLength: 1, maxLength: 64 });
export const ImageUrl = Type.String({ pattern: '^https://', maxLength: 2000 });
export const LocalTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  maxLength: 5,
  description: 'Store-local HH:MM',
  examples: ['07:00'],
});
export const TaxCode = Type.String({ maxLength: 40, pattern: '^[a-z0-9_-]{1,40}$', examples: ['food'] });
export const Channel = Type.Union([Type.Literal('pickup'), Type.Literal('delivery'), Type.Literal('dine_in')]);
export const closed = { additionalProperties: false } as const;

export const OrganizationParams = Type.Object({ organizationId: Uuid });
export const StoreParams = Type.Object({ storeId: Uuid });
export const IdParams = Type.Object({ id: Uuid });
export const StoreItemParams = Type.Object({ storeId: Uuid, id: Uuid });
export { IfMatchHeaders } from '../../../platform/http/schema.js';
/** A position in a display order, as a client sets it. */
export const Position = Int(0, 100_000);

export const ListQuery = Type.Object(PaginationQuery, closed);
