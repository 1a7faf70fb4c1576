// Request and response schemas of the stock routes: one source for validation, serialization,
// TypeScript types and the OpenAPI document.
import { Type, type Static, type TSchema } from 'typebox';
import { Int, Page, PaginationQuery, Timestamp, Uuid } from '../../platform/http/schema.js';

function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

const closed = { additionalProperties: false } as const;

/** A restaurant counts portions, not pallets; the bound keeps every delta inside an integer column. */
export const MAX_QUANTITY = 1_000_000;

export const StoreParams = Type.Object({ storeId: Uuid });
export const StockParams = Type.Object({ storeId: Uuid, itemId: Uuid });
export const StockQuery = Type.Object(PaginationQuery, closed);

export const SetStockBody = Type.Object(
  {
    // One type list, not anyOf [integer, null]: with the server's type coercion ajv would turn a
    // null into 0 in the integer branch, and "stop tracking" would become "sold out".
    quantity: Type.Unsafe<number | null>({
      type: ['integer', 'null'],
      format: 'int32',
      minimum: 0,
      maximum: MAX_QUANTITY,
      description: 'Portions left to sell at the store; null stops tracking (unlimited)',
    }),
    low_stock_at: Type.Optional(
      Type.Unsafe<number | null>({
        type: ['integer', 'null'],
        format: 'int32',
        minimum: 0,
        maximum: MAX_QUANTITY,
        description:
          'When orders take the level from above this to at or below it, the store’s managers are told the item runs low (once per crossing). Null: never. Absent: unchanged.',
      }),
    ),
  },
  closed,
);

export const StockLevel = Type.Object({
  store_id: Uuid,
  item_id: Uuid,
  tracked: Type.Boolean({ description: 'false: the store does not count this item (it never sells out by stock)' }),
  quantity: Nullable(Int(0, MAX_QUANTITY, { description: 'Left to sell; null when not tracked' })),
  low_stock_at: Nullable(Int(0, MAX_QUANTITY, { description: 'The low-stock mark; null: no alert' })),
  updated_at: Nullable(Timestamp),
});
export type StockLevel = Static<typeof StockLevel>;
export const StockPage = Page(StockLevel);

export type MoveReason = 'set' | 'untracked' | 'order_reserved' | 'order_released';

export const StockMove = Type.Object({
  id: Uuid,
  delta: Int(-MAX_QUANTITY, MAX_QUANTITY, { description: 'Change of the level; never 0' }),
  balance_after: Int(0, MAX_QUANTITY, { description: 'The level right after this move' }),
  reason: Type.Union(
    [Type.Literal('set'), Type.Literal('untracked'), Type.Literal('order_reserved'), Type.Literal('order_released')],
    {
      description:
        '`set`: a manager set the count; `untracked`: tracking stopped; `order_reserved` / `order_released`: an order took or gave back stock',
    },
  ),
  order_id: Nullable(Uuid),
  created_at: Timestamp,
});
export type StockMove = Static<typeof StockMove>;
export const StockMovePage = Page(StockMove);
