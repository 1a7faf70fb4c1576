// SQL for the ordering tables, and nothing else. Every function takes the executor (the pool or
// a transaction) first, so services decide what runs in which transaction.
import { sql, type ColumnType, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';
import type { PriceBreakdown, PricedModifier } from './pricing.js';
import type { Capacity, Channel, DeliveryInput, OrderStatus } from './schema.js';

type Json<T> = ColumnType<T, string, string>;
export type PaymentStatus = 'not_required' | 'awaiting' | 'authorized' | 'paid' | 'voided' | 'refunded';
export type ActorKind = 'customer' | 'staff' | 'courier' | 'system';

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
    delivery: Json<DeliveryInput | null>;
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
const t = (ex: Executor) => ex.withTables<OrderingTables>();

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
  delivery: DeliveryInput | null;
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
  holds_released: boolean;
  status_reason: string | null;
  placed_at: Date;
  updated_at: Date;
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

export interface EventRow {
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

export interface NewEvent {
  type: EventRow['type'];
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  actor_kind: ActorKind;
  actor_id: string | null;
  reason: string | null;
}

export const orderingRepo = {
  // --- settings ---------------------------------------------------------------------------------

  async findSettings(ex: Executor, storeId: string) {
    return t(ex).selectFrom('store_ordering_settings').selectAll().where('store_id', '=', storeId).executeTakeFirst();
  },

  async findSettingsForUpdate(ex: Executor, storeId: string) {
    return t(ex)
      .selectFrom('store_ordering_settings')
      .selectAll()
      .where('store_id', '=', storeId)
      .forUpdate()
      .executeTakeFirst();
  },

  async saveSettings(ex: Executor, row: NewSettingsRow): Promise<void> {
    await t(ex)
      .insertInto('store_ordering_settings')
      .values(row)
      .onConflict((oc) => oc.column('store_id').doUpdateSet(row))
      .execute();
  },

  // --- kitchen slots ----------------------------------------------------------------------------

  /**
   * Takes one order and `items` items of a slot's capacity, atomically: one upsert whose update
   * only happens while there is room. False when the slot is full. The row lock it takes is held
   * until commit, so concurrent orders for the slot queue here and never overbook.
   */
  async takeSlot(
    ex: Executor,
    slot: {
      storeId: string;
      pool: string;
      startsAt: Date;
      items: number;
      maxOrders: number | null;
      maxItems: number | null;
    },
  ): Promise<boolean> {
    const maxOrders = slot.maxOrders ?? 2147483647;
    const maxItems = slot.maxItems ?? 2147483647;
    if (maxOrders < 1 || slot.items > maxItems) return false;
    const { rows } = await sql<{ ok: number }>`
      INSERT INTO kitchen_slots AS k (store_id, pool, starts_at, orders_taken, items_taken)
      VALUES (${slot.storeId}, ${slot.pool}, ${slot.startsAt}, 1, ${slot.items})
      ON CONFLICT (store_id, pool, starts_at) DO UPDATE
        SET orders_taken = k.orders_taken + 1, items_taken = k.items_taken + excluded.items_taken
        WHERE k.orders_taken + 1 <= ${maxOrders} AND k.items_taken + excluded.items_taken <= ${maxItems}
      RETURNING 1 AS ok`.execute(ex);
    return rows.length === 1;
  },

  async releaseSlot(
    ex: Executor,
    slot: { storeId: string; pool: string; startsAt: Date; items: number },
  ): Promise<void> {
    await t(ex)
      .updateTable('kitchen_slots')
      .set((eb) => ({ orders_taken: eb('orders_taken', '-', 1), items_taken: eb('items_taken', '-', slot.items) }))
      .where('store_id', '=', slot.storeId)
      .where('pool', '=', slot.pool)
      .where('starts_at', '=', slot.startsAt)
      .execute();
  },

  async slotUsage(ex: Executor, storeId: string, pool: string, from: Date, to: Date) {
    return t(ex)
      .selectFrom('kitchen_slots')
      .select(['starts_at', 'orders_taken', 'items_taken'])
      .where('store_id', '=', storeId)
      .where('pool', '=', pool)
      .where('starts_at', '>=', from)
      .where('starts_at', '<', to)
      .execute();
  },

  // --- counters ---------------------------------------------------------------------------------

  /**
   * The next `events` activity numbers of the store and, when `newOrder`, the next order number
   * of its local day. Locks the store's counter row until commit: the activity sequence is then
   * gap-free and in commit order, which is what lets the kitchen feed resume from a number.
   */
  async nextNumbers(
    ex: Executor,
    input: { storeId: string; businessDate: string; events: number; newOrder: boolean },
  ): Promise<{ firstSeq: number; number: number }> {
    const add = input.newOrder ? 1 : 0;
    const { rows } = await sql<{ last_seq: string; last_number: number }>`
      INSERT INTO store_order_counters AS c (store_id, last_seq, business_date, last_number)
      VALUES (${input.storeId}, ${input.events}, ${input.businessDate}, ${add})
      ON CONFLICT (store_id) DO UPDATE SET
        last_seq = c.last_seq + ${input.events},
        last_number = CASE WHEN c.business_date = excluded.business_date THEN c.last_number + ${add}
                           WHEN excluded.business_date > c.business_date THEN ${add} ELSE c.last_number + ${add} END,
        business_date = GREATEST(c.business_date, excluded.business_date)
      RETURNING last_seq, last_number`.execute(ex);
    const row = rows[0]!;
    return { firstSeq: Number(row.last_seq) - input.events + 1, number: row.last_number };
  },

  // --- orders -----------------------------------------------------------------------------------

  async insertOrder(ex: Executor, row: NewOrderRow, lines: LineRow[]): Promise<OrderRow> {
    const inserted = (await t(ex)
      .insertInto('orders')
      .values(row)
      .returningAll()
      .executeTakeFirstOrThrow()) as OrderRow;
    await t(ex)
      .insertInto('order_lines')
      .values(lines.map((line) => ({ ...line, modifiers: JSON.stringify(line.modifiers) })))
      .execute();
    return inserted;
  },

  async appendEvents(
    ex: Executor,
    order: { storeId: string; orderId: string; at: Date },
    firstSeq: number,
    events: NewEvent[],
  ): Promise<void> {
    await t(ex)
      .insertInto('order_events')
      .values(
        events.map((event, index) => ({
          ...event,
          store_id: order.storeId,
          order_id: order.orderId,
          seq: firstSeq + index,
          occurred_at: order.at,
        })),
      )
      .execute();
  },

  async findOrder(ex: Executor, orderId: string, options: { forUpdate?: boolean } = {}): Promise<OrderRow | undefined> {
    let query = t(ex).selectFrom('orders').selectAll().where('id', '=', orderId);
    if (options.forUpdate) query = query.forUpdate();
    return (await query.executeTakeFirst()) as OrderRow | undefined;
  },

  async findByIdempotencyKey(
    ex: Executor,
    storeId: string,
    placedBy: string,
    key: string,
  ): Promise<OrderRow | undefined> {
    return (await t(ex)
      .selectFrom('orders')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('placed_by', '=', placedBy)
      .where('idempotency_key', '=', key)
      .executeTakeFirst()) as OrderRow | undefined;
  },

  async findByExternalId(
    ex: Executor,
    input: { organizationId: string; source: string; channel: Channel; externalId: string },
  ): Promise<OrderRow | undefined> {
    return (await t(ex)
      .selectFrom('orders')
      .selectAll()
      .where('organization_id', '=', input.organizationId)
      .where('source', '=', input.source)
      .where('channel', '=', input.channel)
      .where('external_id', '=', input.externalId)
      .executeTakeFirst()) as OrderRow | undefined;
  },

  async linesOf(ex: Executor, orderIds: string[]): Promise<LineRow[]> {
    if (orderIds.length === 0) return [];
    return (await t(ex)
      .selectFrom('order_lines')
      .selectAll()
      .where('order_id', 'in', orderIds)
      .orderBy('order_id')
      .orderBy('line_no')
      .execute()) as LineRow[];
  },

  async eventsOf(ex: Executor, orderId: string): Promise<EventRow[]> {
    return (await t(ex)
      .selectFrom('order_events')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('seq')
      .execute()) as EventRow[];
  },

  /** Moves an order on, only from the status and version the caller read (the row is locked). */
  async changeStatus(
    ex: Executor,
    input: {
      orderId: string;
      from: OrderStatus;
      version: number;
      to: OrderStatus;
      at: Date;
      reason: string | null;
      releaseHolds: boolean;
      paymentStatus?: PaymentStatus;
      expiresAt?: Date | null;
    },
  ): Promise<OrderRow | undefined> {
    return (await t(ex)
      .updateTable('orders')
      .set({
        status: input.to,
        version: input.version + 1,
        updated_at: input.at,
        ...(input.reason !== null ? { status_reason: input.reason } : {}),
        ...(input.releaseHolds ? { holds_released: true } : {}),
        ...(input.paymentStatus !== undefined ? { payment_status: input.paymentStatus } : {}),
        ...(input.expiresAt !== undefined ? { expires_at: input.expiresAt } : {}),
      })
      .where('id', '=', input.orderId)
      .where('status', '=', input.from)
      .where('version', '=', input.version)
      .returningAll()
      .executeTakeFirst()) as OrderRow | undefined;
  },

  /** The order's payment status (and expiry), from the version the caller read under its lock. */
  async setPaymentStatus(
    ex: Executor,
    input: { orderId: string; version: number; paymentStatus: PaymentStatus; expiresAt?: Date | null; at: Date },
  ): Promise<OrderRow | undefined> {
    return (await t(ex)
      .updateTable('orders')
      .set({
        payment_status: input.paymentStatus,
        version: input.version + 1,
        updated_at: input.at,
        ...(input.expiresAt !== undefined ? { expires_at: input.expiresAt } : {}),
      })
      .where('id', '=', input.orderId)
      .where('version', '=', input.version)
      .returningAll()
      .executeTakeFirst()) as OrderRow | undefined;
  },

  /** A new tip: the price snapshot, tip and total move together. */
  async setTip(
    ex: Executor,
    input: { orderId: string; version: number; pricing: PriceBreakdown; at: Date },
  ): Promise<OrderRow | undefined> {
    return (await t(ex)
      .updateTable('orders')
      .set({
        pricing: JSON.stringify(input.pricing),
        tip: input.pricing.tip,
        total: input.pricing.total,
        version: input.version + 1,
        updated_at: input.at,
      })
      .where('id', '=', input.orderId)
      .where('version', '=', input.version)
      .returningAll()
      .executeTakeFirst()) as OrderRow | undefined;
  },

  /**
   * Orders that ended (a final status), by id, with the status they ended from (the kitchen had
   * started on it or not): what the invariant checker needs to know of them.
   */
  async endedOrders(ex: Executor, page: { afterId: string | null; limit: number }): Promise<EndedOrderRow[]> {
    const after = page.afterId === null ? sql`true` : sql`o.id > ${page.afterId}`;
    const { rows } = await sql<EndedOrderRow>`
      SELECT o.id, o.store_id, o.organization_id, o.number, o.status, o.total, o.payment_method, o.holds_released, e.from_status AS ended_from
      FROM orders o
      LEFT JOIN LATERAL (
        SELECT from_status FROM order_events
        WHERE order_id = o.id AND type = 'status_changed' AND to_status = o.status
        ORDER BY seq DESC LIMIT 1
      ) e ON true
      WHERE o.status IN ('picked_up', 'delivered', 'completed', 'rejected', 'cancelled', 'expired') AND ${after}
      ORDER BY o.id
      LIMIT ${page.limit}`.execute(ex);
    return rows;
  },

  /** Unpaid online orders past their expiry, oldest first. */
  async expiredUnpaid(ex: Executor, now: Date, limit: number): Promise<Array<{ id: string }>> {
    return t(ex)
      .selectFrom('orders')
      .select('id')
      .where('status', '=', 'placed')
      .where('payment_status', '=', 'awaiting')
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
  },

  async listForCustomer(
    ex: Executor,
    input: { customerId: string; after: { placed_at: Date; id: string } | null; limit: number },
  ): Promise<OrderRow[]> {
    let query = t(ex).selectFrom('orders').selectAll().where('customer_id', '=', input.customerId);
    if (input.after) {
      const after = input.after;
      query = query.where((eb) =>
        eb.or([
          eb('placed_at', '<', after.placed_at),
          eb.and([eb('placed_at', '=', after.placed_at), eb('id', '<', after.id)]),
        ]),
      );
    }
    return (await query
      .orderBy('placed_at', 'desc')
      .orderBy('id', 'desc')
      .limit(input.limit + 1)
      .execute()) as OrderRow[];
  },

  async listForStore(
    ex: Executor,
    input: {
      storeId: string;
      status?: OrderStatus;
      channel?: Channel;
      from?: Date;
      to?: Date;
      after: { placed_at: Date; id: string } | null;
      limit: number;
    },
  ): Promise<OrderRow[]> {
    let query = t(ex).selectFrom('orders').selectAll().where('store_id', '=', input.storeId);
    if (input.status) query = query.where('status', '=', input.status);
    if (input.channel) query = query.where('channel', '=', input.channel);
    if (input.from) query = query.where('placed_at', '>=', input.from);
    if (input.to) query = query.where('placed_at', '<', input.to);
    if (input.after) {
      const after = input.after;
      query = query.where((eb) =>
        eb.or([
          eb('placed_at', '<', after.placed_at),
          eb.and([eb('placed_at', '=', after.placed_at), eb('id', '<', after.id)]),
        ]),
      );
    }
    return (await query
      .orderBy('placed_at', 'desc')
      .orderBy('id', 'desc')
      .limit(input.limit + 1)
      .execute()) as OrderRow[];
  },
};
