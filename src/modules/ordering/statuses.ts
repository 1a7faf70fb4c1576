// What an order's status means, stated once. The state machine, the live streams, tips, the
// expiry of unpaid orders and payments (through ordering's index) all read these sets instead of
// writing their own lists.
import type { OrderStatus } from './schema.js';

/** Statuses an order never leaves. */
export const FINAL_STATUSES: readonly OrderStatus[] = [
  'picked_up',
  'delivered',
  'completed',
  'rejected',
  'cancelled',
  'expired',
];

/** The order reached its customer: its payment is captured. */
export const FULFILLED_STATUSES: readonly OrderStatus[] = ['picked_up', 'delivered', 'completed'];

/** The order ended without being fulfilled: it must hold no money, no kitchen slot. */
export const UNFULFILLED_STATUSES: readonly OrderStatus[] = ['cancelled', 'rejected', 'expired'];

/** Stock goes back only when the kitchen had not started on the order. */
export const STOCK_RETURNS_FROM: readonly OrderStatus[] = ['placed', 'accepted'];

export const isFinal = (status: OrderStatus): boolean => FINAL_STATUSES.includes(status);

/**
 * Why placement cancels an order whose payment could not be opened. Its request was answered
 * with a 503, so the order was never acknowledged: its Idempotency-Key and external id no longer
 * name it (migration 0011), and a retry places the order again.
 */
export const UNPAYABLE_AT_PLACEMENT = 'payment_unavailable';

export const isUnpayableAtPlacement = (row: { status: OrderStatus; status_reason: string | null }): boolean =>
  row.status === 'cancelled' && row.status_reason === UNPAYABLE_AT_PLACEMENT;
