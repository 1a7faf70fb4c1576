// Events inventory appends to the outbox, in the transaction of the change. Payloads are ids and
// small facts. Reservations by orders append none (the order's own events carry that story),
// except when an order takes a level across its low-stock mark.
export type InventoryEvents = {
  /** Someone set an item's tracked stock at a store, or stopped tracking it (`quantity` null). */
  'inventory.stock.changed': { organization_id: string; store_id: string; item_id: string; quantity: number | null };
  /** An order took the level from above the item's low-stock mark to at or below it: once per crossing. */
  'inventory.stock.low': {
    organization_id: string;
    store_id: string;
    item_id: string;
    quantity: number;
    low_stock_at: number;
    order_id: string;
  };
};

/** Stock changes of one store are delivered in order, apart from the store's tenancy events. */
export const stockAggregate = (storeId: string) => ({ type: 'stock', id: storeId });
