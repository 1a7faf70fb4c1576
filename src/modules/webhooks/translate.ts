// Internal events → the public catalogue (catalogue.ts). Only the fields a partner's schema names
// are copied, so an internal event that grows a field (or a personal one) never leaks it.
import type { CloudEvent } from '../../platform/events/index.js';

export interface PublicEvent {
  type: string;
  data: Record<string, unknown>;
  /** The order it is about: endpoints that ask for per-order FIFO get these one after another. */
  orderId: string | null;
}

type Data = Record<string, unknown>;
const pick = (data: Data, keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, data[key] ?? null]));

const ORDER = ['order_id', 'organization_id', 'store_id', 'number', 'channel'] as const;
const PAYMENT = ['payment_id', 'order_id', 'organization_id', 'store_id', 'amount', 'currency'] as const;

const transition = (type: string) => (data: Data) => ({
  type,
  data: { ...pick(data, ORDER), status: data.to ?? null, reason: data.reason ?? null },
});

const TRANSLATIONS: Record<string, (data: Data) => { type: string; data: Data }> = {
  'ordering.order.placed': (data) => ({
    type: 'order.placed',
    data: pick(data, [...ORDER, 'status', 'total', 'currency', 'promised_at', 'payment_method']),
  }),
  'ordering.order.accepted': transition('order.accepted'),
  'ordering.order.rejected': transition('order.rejected'),
  'ordering.order.marked_ready': transition('order.ready'),
  'ordering.order.dispatched': transition('order.dispatched'),
  // Fulfilment has three names, one per channel; partners get one (API-CONVENTIONS.md).
  'ordering.order.picked_up': transition('order.completed'),
  'ordering.order.delivered': transition('order.completed'),
  'ordering.order.completed': transition('order.completed'),
  'ordering.order.cancelled': transition('order.cancelled'),
  'ordering.order.expired': transition('order.cancelled'),
  'payments.payment.captured': (data) => ({
    type: 'payment.captured',
    data: pick(data, [...PAYMENT, 'amount_captured']),
  }),
  'payments.refund.succeeded': (data) => ({
    type: 'payment.refunded',
    data: pick(data, [...PAYMENT, 'refund_id', 'refund_amount']),
  }),
  'reviews.review.created': (data) => ({
    type: 'review.created',
    data: pick(data, ['review_id', 'order_id', 'organization_id', 'store_id', 'rating', 'state']),
  }),
  // Not about one order (the order that crossed the mark is internal): no per-order FIFO.
  'inventory.stock.low': (data) => ({
    type: 'stock.low',
    data: pick(data, ['organization_id', 'store_id', 'item_id', 'quantity', 'low_stock_at']),
  }),
};

/** The internal event types that have a public face. */
export const TRANSLATED_TYPES = Object.keys(TRANSLATIONS);

export function toPublicEvent(event: CloudEvent): PublicEvent {
  const translate = TRANSLATIONS[event.type];
  if (!translate) throw new Error(`${event.type} has no public webhook type`);
  const translated = translate(event.data as Data);
  const orderId = translated.data.order_id;
  return { ...translated, orderId: typeof orderId === 'string' ? orderId : null };
}

/** The wire body: `{type, timestamp, data}` (Standard Webhooks' payload shape). */
export const bodyOf = (type: string, at: Date, data: Data) =>
  JSON.stringify({ type, timestamp: at.toISOString(), data });
