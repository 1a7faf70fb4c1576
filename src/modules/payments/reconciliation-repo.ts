// SQL that looks across payments rather than at one: what has waited on a provider too long (the
// reconciler's worklist, and its mark that it looked) and the books per order (the invariant
// checker's sums of operations and refunds against the payment row).
import { sql } from 'kysely';
import { paymentTables as t, type Executor, type PaymentAuditRow, type PaymentRow, type RefundRow } from './tables.js';

export const reconciliationRepo = {
  /** Payments waiting on a provider (or a webhook) since before `olderThan`, oldest first. */
  async transitional(ex: Executor, olderThan: Date, limit: number): Promise<PaymentRow[]> {
    return (await t(ex)
      .selectFrom('payments')
      .selectAll()
      .where('status', 'in', ['pending', 'requires_payment', 'processing', 'capturing', 'voiding'])
      .where('updated_at', '<', olderThan)
      .orderBy('updated_at')
      .limit(limit)
      .execute()) as PaymentRow[];
  },

  /** Marks the payment as looked at (the reconciler's next look waits another period). */
  async touch(ex: Executor, paymentId: string, at: Date): Promise<void> {
    await t(ex).updateTable('payments').set({ updated_at: at }).where('id', '=', paymentId).execute();
  },

  async pendingRefunds(ex: Executor, olderThan: Date, limit: number): Promise<RefundRow[]> {
    return (await t(ex)
      .selectFrom('payment_refunds')
      .selectAll()
      .where('status', '=', 'pending')
      .where('updated_at', '<', olderThan)
      .orderBy('updated_at')
      .limit(limit)
      .execute()) as RefundRow[];
  },

  async touchRefund(ex: Executor, refundId: string, at: Date): Promise<void> {
    await t(ex).updateTable('payment_refunds').set({ updated_at: at }).where('id', '=', refundId).execute();
  },

  /** Per order: its payment with the sums of what the provider confirmed and of its refunds. */
  async auditByOrders(ex: Executor, orderIds: string[]): Promise<PaymentAuditRow[]> {
    if (orderIds.length === 0) return [];
    const { rows } = await sql<PaymentAuditRow>`
      SELECT p.id, p.order_id, p.provider, p.status, p.amount, p.amount_captured, p.amount_refunded, p.updated_at,
             coalesce(o.captures, 0)::int AS captures, coalesce(o.captured, 0)::bigint AS captured_by_operations,
             coalesce(o.refunded, 0)::bigint AS refunded_by_operations,
             coalesce(r.succeeded, 0)::bigint AS refunds_succeeded, coalesce(r.pending, 0)::bigint AS refunds_pending
      FROM payments p
      LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE kind = 'capture') AS captures,
               sum(amount) FILTER (WHERE kind = 'capture') AS captured, sum(amount) FILTER (WHERE kind = 'refund') AS refunded
        FROM payment_operations WHERE payment_id = p.id
      ) o ON true
      LEFT JOIN LATERAL (
        SELECT sum(amount) FILTER (WHERE status = 'succeeded') AS succeeded, sum(amount) FILTER (WHERE status = 'pending') AS pending
        FROM payment_refunds WHERE payment_id = p.id
      ) r ON true
      WHERE p.order_id IN (${sql.join(orderIds)})`.execute(ex);
    return rows;
  },
};
