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
