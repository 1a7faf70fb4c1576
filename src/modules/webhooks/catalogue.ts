// The public catalogue of webhook event types (GET /v1/webhook-event-types): what a partner can
// subscribe to, each with the JSON Schema of its `data`. These names and shapes are a contract,
// versioned apart from the internal events they come from: an internal event can be renamed or
// grow without a partner noticing, and nothing internal (names, personal data, provider
// details) leaks out. translate.ts maps the internal events onto these.
import { Type, type TSchema } from 'typebox';
import { CurrencyCode, Int, INT32_MAX, Nullable, Timestamp, Uuid } from '../../platform/http/schema.js';

export interface PublicEventType {
  type: string;
  version: number;
  description: string;
  schema: TSchema;
}

const Channel = Type.Union([Type.Literal('pickup'), Type.Literal('delivery'), Type.Literal('dine_in')]);
const Amount = Int(0, INT32_MAX, { description: 'Minor units of the currency' });
const orderRef = {
  order_id: Uuid,
  organization_id: Uuid,
  store_id: Uuid,
  number: Type.String({ maxLength: 20, description: 'The ticket number the guest is told, e.g. A-007' }),
  channel: Channel,
};
const Transition = Type.Object({
  ...orderRef,
  status: Type.String({ maxLength: 40, description: 'The order’s status after the change' }),
  reason: Nullable(Type.String({ maxLength: 500 })),
});
const paymentRef = {
  payment_id: Uuid,
  order_id: Uuid,
  organization_id: Uuid,
  store_id: Uuid,
  amount: Amount,
  currency: CurrencyCode,
};

export const EVENT_TYPES: readonly PublicEventType[] = [
  {
    type: 'order.placed',
    version: 1,
    description: 'An order was placed (online orders may still await payment; see `status`).',
    schema: Type.Object({
      ...orderRef,
      status: Type.String({ maxLength: 40 }),
      total: Amount,
      currency: CurrencyCode,
      promised_at: Timestamp,
      payment_method: Type.Union([Type.Literal('cash'), Type.Literal('online')]),
    }),
  },
  { type: 'order.accepted', version: 1, description: 'The store accepted the order.', schema: Transition },
  {
    type: 'order.rejected',
    version: 1,
    description: 'The store rejected the order; `reason` says why.',
    schema: Transition,
  },
  { type: 'order.ready', version: 1, description: 'The kitchen marked the order ready.', schema: Transition },
  {
    type: 'order.dispatched',
    version: 1,
    description: 'A delivery order left the store with its courier.',
    schema: Transition,
  },
  {
    type: 'order.completed',
    version: 1,
    description:
      'The order was fulfilled: picked up (pickup), delivered (delivery) or completed (dine-in); `status` says which.',
    schema: Transition,
  },
  {
    type: 'order.cancelled',
    version: 1,
    description: 'The order was cancelled, or expired unaccepted (`status` expired); `reason` says why.',
    schema: Transition,
  },
  {
    type: 'payment.captured',
    version: 1,
    description: 'The order’s payment was captured.',
    schema: Type.Object({ ...paymentRef, amount_captured: Amount }),
  },
  {
    type: 'payment.refunded',
    version: 1,
    description: 'A refund of the order’s payment succeeded (`refund_amount` of `amount`).',
    schema: Type.Object({ ...paymentRef, refund_id: Uuid, refund_amount: Amount }),
  },
  {
    type: 'review.created',
    version: 1,
    description: 'A guest reviewed a fulfilled order (`state` held while moderation looks at it).',
    schema: Type.Object({
      review_id: Uuid,
      order_id: Uuid,
      organization_id: Uuid,
      store_id: Uuid,
      rating: Int(1, 5),
      state: Type.Union([Type.Literal('published'), Type.Literal('held')]),
    }),
  },
  {
    type: 'stock.low',
    version: 1,
    description:
      'An order took an item’s tracked stock at a store from above its low-stock mark to at or below it (once per crossing).',
    schema: Type.Object({
      organization_id: Uuid,
      store_id: Uuid,
      item_id: Uuid,
      quantity: Int(0, INT32_MAX, { description: 'What is left after the order' }),
      low_stock_at: Int(0, INT32_MAX, { description: 'The mark a manager set' }),
    }),
  },
  {
    type: 'webhook.test',
    version: 1,
    description: 'Sent by POST …/webhook-endpoints/{endpointId}/test, to try a receiver.',
    schema: Type.Object({ endpoint_id: Uuid, organization_id: Uuid }),
  },
];

const PUBLIC = new Set(EVENT_TYPES.map((entry) => entry.type));
export const isPublicEventType = (type: string) => PUBLIC.has(type);
