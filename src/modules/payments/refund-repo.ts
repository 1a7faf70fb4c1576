// SQL for refunds: the hold a refund takes on what was captured (on the payment row, so refunds
// racing for one payment queue on it), and the refund rows from request to outcome.
import { sql } from 'kysely';
import { paymentTables as t, type Executor, type RefundRow } from './tables.js';

export const refundRepo = {
  /**
   * Reserves `amount` of what was captured for a refund: one conditional update, so concurrent
   * refunds queue on the row and the sum can never pass the capture. False when it would.
   */
  async reserveRefund(ex: Executor, paymentId: string, amount: number, at: Date): Promise<boolean> {
    const { rows } = await sql<{ id: string }>`
      UPDATE payments SET amount_refunded = amount_refunded + ${amount}, updated_at = ${at}, version = version + 1
      WHERE id = ${paymentId} AND status = 'captured' AND amount_refunded + ${amount} <= amount_captured
      RETURNING id`.execute(ex);
    return rows.length === 1;
  },

  async releaseRefund(ex: Executor, paymentId: string, amount: number, at: Date): Promise<void> {
    await sql`UPDATE payments SET amount_refunded = amount_refunded - ${amount}, updated_at = ${at}, version = version + 1 WHERE id = ${paymentId}`.execute(
      ex,
    );
  },

  async insertRefund(ex: Executor, row: Omit<RefundRow, 'provider_ref' | 'failure_code'>): Promise<RefundRow> {
    return (await t(ex)
      .insertInto('payment_refunds')
      .values({ ...row, lines: JSON.stringify(row.lines) })
      .returningAll()
      .executeTakeFirstOrThrow()) as RefundRow;
  },

  async findRefund(
    ex: Executor,
    refundId: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<RefundRow | undefined> {
    let query = t(ex).selectFrom('payment_refunds').selectAll().where('id', '=', refundId);
    if (options.forUpdate) query = query.forUpdate();
    return (await query.executeTakeFirst()) as RefundRow | undefined;
  },

  async refundsOf(
    ex: Executor,
    paymentId: string,
    page: { after: { created_at: Date; id: string } | null; limit: number },
  ): Promise<RefundRow[]> {
    let query = t(ex).selectFrom('payment_refunds').selectAll().where('payment_id', '=', paymentId);
    if (page.after) {
      const after = page.after;
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>', after.created_at),
          eb.and([eb('created_at', '=', after.created_at), eb('id', '>', after.id)]),
        ]),
      );
    }
    return (await query
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit + 1)
      .execute()) as RefundRow[];
  },

  /** Every refund of the payment that is not failed (for line quantities already refunded). */
  async liveRefundsOf(ex: Executor, paymentId: string): Promise<RefundRow[]> {
    return (await t(ex)
      .selectFrom('payment_refunds')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .where('status', '!=', 'failed')
      .execute()) as RefundRow[];
  },

  async finishRefund(
    ex: Executor,
    input: {
      refundId: string;
      to: 'succeeded' | 'failed';
      providerRef: string | null;
      failureCode: string | null;
      at: Date;
    },
  ): Promise<RefundRow | undefined> {
    return (await t(ex)
      .updateTable('payment_refunds')
      .set({ status: input.to, provider_ref: input.providerRef, failure_code: input.failureCode, updated_at: input.at })
      .where('id', '=', input.refundId)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst()) as RefundRow | undefined;
  },
};
