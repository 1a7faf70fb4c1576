// SQL for the payment rows. Every function takes the executor (the pool or a transaction) first;
// a state change is conditional on the status the caller read, so two paths racing (a webhook and
// a confirm call, a job and the reconciler) change a payment once.
import type { ProviderName } from './provider.js';
import {
  paymentTables as t,
  type Executor,
  type PaymentChanges,
  type PaymentRow,
  type PaymentStatus,
} from './tables.js';

export const paymentRepo = {
  async insertPayment(
    ex: Executor,
    row: Omit<
      PaymentRow,
      | 'amount_authorized'
      | 'amount_captured'
      | 'amount_refunded'
      | 'version'
      | 'client_secret'
      | 'checkout_url'
      | 'last_failure_code'
      | 'provider_ref'
    >,
  ): Promise<PaymentRow> {
    return (await t(ex).insertInto('payments').values(row).returningAll().executeTakeFirstOrThrow()) as PaymentRow;
  },

  async find(ex: Executor, paymentId: string, options: { forUpdate?: boolean } = {}): Promise<PaymentRow | undefined> {
    let query = t(ex).selectFrom('payments').selectAll().where('id', '=', paymentId);
    if (options.forUpdate) query = query.forUpdate();
    return (await query.executeTakeFirst()) as PaymentRow | undefined;
  },

  async findByOrder(
    ex: Executor,
    orderId: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<PaymentRow | undefined> {
    let query = t(ex).selectFrom('payments').selectAll().where('order_id', '=', orderId);
    if (options.forUpdate) query = query.forUpdate();
    return (await query.executeTakeFirst()) as PaymentRow | undefined;
  },

  async findByProviderRef(
    ex: Executor,
    provider: ProviderName,
    ref: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<PaymentRow | undefined> {
    let query = t(ex)
      .selectFrom('payments')
      .selectAll()
      .where('provider', '=', provider)
      .where('provider_ref', '=', ref);
    if (options.forUpdate) query = query.forUpdate();
    return (await query.executeTakeFirst()) as PaymentRow | undefined;
  },

  /** Moves the payment from one of `from` to `to`; undefined when it had moved on meanwhile. */
  async changeStatus(
    ex: Executor,
    input: { paymentId: string; from: readonly PaymentStatus[]; to: PaymentStatus; at: Date; changes?: PaymentChanges },
  ): Promise<PaymentRow | undefined> {
    return (await t(ex)
      .updateTable('payments')
      .set((eb) => ({ ...input.changes, status: input.to, updated_at: input.at, version: eb('version', '+', 1) }))
      .where('id', '=', input.paymentId)
      .where('status', 'in', [...input.from])
      .returningAll()
      .executeTakeFirst()) as PaymentRow | undefined;
  },
};
