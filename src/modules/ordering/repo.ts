// SQL of orders and their lines. Every function takes the executor (the pool or a transaction)
// first, so services decide what runs in which transaction. The tables' shapes are in tables.ts.
import { sql } from 'kysely';
import type { PriceBreakdown } from './pricing.js';
import type { Channel, OrderStatus } from './schema.js';
import { FINAL_STATUSES, UNFULFILLED_STATUSES, UNPAYABLE_AT_PLACEMENT } from './statuses.js';
import type {
  EndedOrderRow,
  Executor,
  LineRow,
  NewOrderRow,
  OrderingTables,
  OrderRow,
  PaymentStatus,
} from './tables.js';

const t = (ex: Executor) => ex.withTables<OrderingTables>();

export const ordersRepo = {
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
      .where('status_reason', 'is distinct from', UNPAYABLE_AT_PLACEMENT)
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
      .where('status_reason', 'is distinct from', UNPAYABLE_AT_PLACEMENT)
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
      WHERE o.status IN (${sql.join(FINAL_STATUSES.map((status) => sql.lit(status)))}) AND ${after}
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

  /** Whether the customer has an order at the brand that did not end unfulfilled (first-order promotions). */
  async hasOrderedAt(ex: Executor, customerId: string, organizationId: string): Promise<boolean> {
    const row = await t(ex)
      .selectFrom('orders')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('organization_id', '=', organizationId)
      .where('status', 'not in', UNFULFILLED_STATUSES)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
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

  /** Orders whose delivery details are not sealed with the newest data key yet, in id order (re-encryption). */
  async deliveriesToReseal(
    ex: Executor,
    input: { afterId: string | null; limit: number },
  ): Promise<Array<Pick<OrderRow, 'id' | 'organization_id' | 'delivery' | 'delivery_sealed'>>> {
    let query = t(ex)
      .selectFrom('orders')
      .select(['id', 'organization_id', 'delivery', 'delivery_sealed'])
      .where((eb) => eb.or([eb('delivery_sealed', 'is not', null), eb(sql`delivery`, '<>', sql`'null'::jsonb`)]));
    if (input.afterId !== null) query = query.where('id', '>', input.afterId);
    return (await query.orderBy('id').limit(input.limit).execute()) as Array<
      Pick<OrderRow, 'id' | 'organization_id' | 'delivery' | 'delivery_sealed'>
    >;
  },

  /** Re-sealed details, only if the row still holds what was read (an erasure meanwhile wins). */
  async setSealedDelivery(ex: Executor, orderId: string, change: { from: Buffer | null; to: Buffer }): Promise<void> {
    let query = t(ex)
      .updateTable('orders')
      .set({ delivery_sealed: change.to, delivery: JSON.stringify(null) })
      .where('id', '=', orderId);
    query =
      change.from === null
        ? query.where('delivery_sealed', 'is', null).where(sql`delivery`, '<>', sql`'null'::jsonb`)
        : query.where('delivery_sealed', '=', change.from);
    await query.execute();
  },

  /** Every order of a customer, oldest first (their data export). */
  async allForCustomer(ex: Executor, customerId: string): Promise<OrderRow[]> {
    return (await t(ex)
      .selectFrom('orders')
      .selectAll()
      .where('customer_id', '=', customerId)
      .orderBy('placed_at')
      .orderBy('id')
      .execute()) as OrderRow[];
  },

  /** Erasure: the customer's orders keep their money and lines, lose where to and whom. */
  async wipeCustomerDeliveries(ex: Executor, customerId: string): Promise<string[]> {
    const rows = await t(ex)
      .updateTable('orders')
      .set({ delivery_sealed: null, delivery: JSON.stringify(null), notes: null })
      .where('customer_id', '=', customerId)
      .returning('organization_id')
      .execute();
    return [...new Set(rows.map((row) => row.organization_id))];
  },

  async ordersByIds(ex: Executor, orderIds: string[]): Promise<OrderRow[]> {
    if (orderIds.length === 0) return [];
    return (await t(ex).selectFrom('orders').selectAll().where('id', 'in', orderIds).execute()) as OrderRow[];
  },
};
