// Ordering's tables and the shapes of their rows: what every repo file of the module reads and
// writes. No SQL here (it is in repo.ts, history-repo.ts and kitchen-repo.ts).
import type { ColumnType, Insertable, Kysely, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';
import type { PriceBreakdown, PricedModifier } from './pricing.js';
import type { Capacity } from './kitchen-schema.js';
import type { QuoteStatus } from './delivery-port.js';
import type { OrderReward } from './rewards-port.js';
import type { Channel, DeliveryInput, OrderStatus } from './schema.js';

type Json<T> = ColumnType<T, string, string>;
export type PaymentStatus = 'not_required' | 'awaiting' | 'authorized' | 'paid' | 'voided' | 'refunded';
export type ActorKind = 'customer' | 'staff' | 'courier' | 'system';

/** The delivery terms an order was placed on (delivery-port.ts), as stored: instants as RFC 3339. */
export interface StoredDeliveryTerms {
  zone_id: string;
  zone_version: number;
  fee: number;
  eta: string;
  quote_id: string | null;
  quote_expires_at: string | null;
  quote_status: QuoteStatus;
}

/** A line's modifier as stored: the priced pick plus which option opened its group. */
export type StoredModifier = PricedModifier & { parent_option_id: string | null };

export type OrderingTables = {
  store_ordering_settings: {
    store_id: string;
    organization_id: string;
    prep_minutes: number;
    slot_minutes: number;
    capacity: Json<Capacity>;
    channel_capacity: Json<Partial<Record<Channel, Capacity>>>;
    asap_max_wait_minutes: number;
    schedule_days_ahead: number;
    auto_accept: boolean;
    service_charge_bps: number;
    service_charge_channels: Channel[];
    service_charge_min_items: number;
    unpaid_expiry_minutes: number;
    max_line_quantity: number;
    max_order_items: number;
    version: ColumnType<number, number | undefined, number>;
    updated_at: ColumnType<Date, Date | undefined, Date>;
  };
  kitchen_slots: { store_id: string; pool: string; starts_at: Date; orders_taken: number; items_taken: number };
  store_order_counters: {
    store_id: string;
    last_seq: ColumnType<string, number, number>;
    business_date: string;
    last_number: number;
  };
  orders: {
    id: string;
    organization_id: string;
    store_id: string;
    number: string;
    business_date: string;
    channel: Channel;
    status: OrderStatus;
    version: ColumnType<number, number | undefined, number>;
    customer_id: string | null;
    placed_by: string;
    idempotency_key: string | null;
    source: string;
    external_id: string | null;
    table_id: string | null;
    /** Only rows from before personal data was sealed (migration 0014), until re-encrypted. */
    delivery: Json<DeliveryInput | null>;
    /** The delivery details sealed with the organization's data key (deliveries.ts). */
    delivery_sealed: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
    delivery_terms: ColumnType<StoredDeliveryTerms | null, string | null | undefined, string | null>;
    scheduled_for: Date | null;
    promised_at: Date;
    slot_pool: string | null;
    slot_starts_at: Date | null;
    slot_items: number;
    payment_method: 'cash' | 'online';
    payment_status: PaymentStatus;
    expires_at: Date | null;
    currency: string;
    pricing: Json<PriceBreakdown>;
    subtotal: number;
    tax: number;
    tip: number;
    total: number;
    notes: string | null;
    /** The code the customer gave, as typed; null without one. */
    coupon_code: string | null;
    /** The promotions as priced at placement: [{promotion_id, name, code, amount}]. */
    discounts: ColumnType<OrderDiscount[], string | undefined, string>;
    /** The loyalty reward as priced at placement; null without one. */
    reward: ColumnType<OrderReward | null, string | null | undefined, string | null>;
    holds_released: ColumnType<boolean, boolean | undefined, boolean>;
    status_reason: string | null;
    placed_at: Date;
    updated_at: Date;
  };
  order_lines: {
    order_id: string;
    line_no: number;
    item_id: string;
    variant_id: string | null;
    name: string;
    quantity: number;
    modifiers: Json<StoredModifier[]>;
    notes: string | null;
    total: number;
  };
  order_events: {
    store_id: string;
    seq: ColumnType<string, number, number>;
    order_id: string;
    type: 'placed' | 'status_changed' | 'payment_changed';
    from_status: OrderStatus | null;
    to_status: OrderStatus;
    actor_kind: ActorKind;
    actor_id: string | null;
    reason: string | null;
    occurred_at: Date;
  };
};

export type Executor = Kysely<PlatformTables>;

export type SettingsRow = Selectable<OrderingTables['store_ordering_settings']>;
export type NewSettingsRow = Insertable<OrderingTables['store_ordering_settings']>;
export type NewOrderRow = Insertable<OrderingTables['orders']>;

export interface OrderRow {
  id: string;
  organization_id: string;
  store_id: string;
  number: string;
  business_date: string;
  channel: Channel;
  status: OrderStatus;
  version: number;
  customer_id: string | null;
  placed_by: string;
  idempotency_key: string | null;
  source: string;
  external_id: string | null;
  table_id: string | null;
  /** Plaintext only on rows from before migration 0014; read through deliveries.ts. */
  delivery: DeliveryInput | null;
  delivery_sealed: Buffer | null;
  delivery_terms: StoredDeliveryTerms | null;
  scheduled_for: Date | null;
  promised_at: Date;
  slot_pool: string | null;
  slot_starts_at: Date | null;
  slot_items: number;
  payment_method: 'cash' | 'online';
  payment_status: PaymentStatus;
  expires_at: Date | null;
  currency: string;
  pricing: PriceBreakdown;
  subtotal: number;
  tax: number;
  tip: number;
  total: number;
  notes: string | null;
  coupon_code: string | null;
  discounts: OrderDiscount[];
  reward: OrderReward | null;
  holds_released: boolean;
  status_reason: string | null;
  placed_at: Date;
  updated_at: Date;
}

/** A promotion an order was given, as priced at placement. */
export interface OrderDiscount {
  promotion_id: string;
  name: string;
  code: string | null;
  amount: number;
}

/** An order whose delivery details were opened (deliveries.ts): the only kind that is presented. */
export interface OpenedOrderRow extends OrderRow {
  readonly delivery_opened: true;
}

export interface LineRow {
  order_id: string;
  line_no: number;
  item_id: string;
  variant_id: string | null;
  name: string;
  quantity: number;
  modifiers: StoredModifier[];
  notes: string | null;
  total: number;
}

/** One entry of an order's history: a row of its store's activity sequence (order_events). */
export interface HistoryRow {
  store_id: string;
  seq: string;
  order_id: string;
  type: 'placed' | 'status_changed' | 'payment_changed';
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  actor_kind: ActorKind;
  actor_id: string | null;
  reason: string | null;
  occurred_at: Date;
}

export interface EndedOrderRow {
  id: string;
  store_id: string;
  organization_id: string;
  number: string;
  status: OrderStatus;
  total: number;
  payment_method: 'cash' | 'online';
  holds_released: boolean;
  ended_from: OrderStatus | null;
}

/** A history entry to append; its sequence number, order and time are given when it is written. */
export interface NewHistoryEntry {
  type: HistoryRow['type'];
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  actor_kind: ActorKind;
  actor_id: string | null;
  reason: string | null;
}
