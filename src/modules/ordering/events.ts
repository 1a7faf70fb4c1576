// Events ordering appends, in the order's transaction: one per placement and one per transition
// (named for what happened). Payloads are ids and small facts; a consumer needing the lines
// reads the order.
import type { AggregateRef } from '../../platform/events/index.js';
import type { Channel, OrderStatus } from './schema.js';

export interface OrderFacts {
  order_id: string;
  organization_id: string;
  store_id: string;
  number: string;
  channel: Channel;
}

export interface OrderTransitionFacts extends OrderFacts {
  from: OrderStatus;
  to: OrderStatus;
  actor: 'customer' | 'staff' | 'courier' | 'system';
  reason: string | null;
}

export const TRANSITION_EVENTS = {
  accept: 'ordering.order.accepted',
  reject: 'ordering.order.rejected',
  start_preparing: 'ordering.order.preparation_started',
  mark_ready: 'ordering.order.marked_ready',
  hand_over: 'ordering.order.picked_up',
  dispatch: 'ordering.order.dispatched',
  deliver: 'ordering.order.delivered',
  complete: 'ordering.order.completed',
  cancel: 'ordering.order.cancelled',
  expire: 'ordering.order.expired',
} as const;

export type OrderingEvents = {
  'ordering.order.placed': OrderFacts & {
    status: OrderStatus;
    /** The signed-in customer who placed it; null for an order staff placed. */
    customer_id: string | null;
    total: number;
    currency: string;
    promised_at: string;
    payment_method: 'cash' | 'online';
  };
  'ordering.order.payment_authorized': OrderFacts;
  'ordering.order.payment_changed': OrderFacts & { payment_status: 'authorized' | 'paid' | 'voided' | 'refunded' };
  'ordering.order.tip_changed': OrderFacts & { tip: number; total: number; currency: string };
} & { [K in (typeof TRANSITION_EVENTS)[keyof typeof TRANSITION_EVENTS]]: OrderTransitionFacts };

export const orderAggregate = (orderId: string): AggregateRef => ({ type: 'order', id: orderId });
