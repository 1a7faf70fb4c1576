// SQL for the payments tables, and nothing else. Every function takes the executor (the pool or
// a transaction) first; state changes are conditional on the status the caller read, so two
// paths racing (a webhook and a confirm call, a job and the reconciler) change a payment once.
import { sql, type ColumnType, type Kysely } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';
import type { ProviderName } from './provider.js';

export type PaymentStatus =
  | 'pending'
  | 'requires_payment'
  | 'processing'
  | 'authorized'
  | 'capturing'
  | 'captured'
  | 'voiding'
  | 'voided'
  | 'failed';
export type OperationKind = 'authorization' | 'authorization_increase' | 'capture' | 'void' | 'refund';
export type RefundStatus = 'pending' | 'succeeded' | 'failed';
export type OnlineProvider = Exclude<ProviderName, 'cash'>;

type Json<T> = ColumnType<T, string, string>;

export interface RefundLine {
  line_no: number;
  quantity: number;
  amount: number;
}

type PaymentsTables = {
  store_payment_settings: {
    store_id: string;
    organization_id: string;
    provider: OnlineProvider | null;
    capture_on: 'acceptance' | 'completion';
    version: ColumnType<number, number | undefined, number>;
    updated_at: Date;
  };
  payment_provider_accounts: {
    organization_id: string;
    provider: 'stripe';
    sealed_credentials: Buffer;
    key_hint: string;
    created_at: Date;
    updated_at: Date;
  };
  payments: {
    id: string;
    organization_id: string;
    store_id: string;
    order_id: string;
    provider: ProviderName;
    provider_ref: string | null;
    status: PaymentStatus;
    currency: string;
    amount: number;
    amount_authorized: ColumnType<number, number | undefined, number>;
    amount_captured: ColumnType<number, number | undefined, number>;
    amount_refunded: ColumnType<number, number | undefined, number>;
    client_secret: string | null;
    checkout_url: string | null;
    last_failure_code: string | null;
    version: ColumnType<number, number | undefined, number>;
    created_at: Date;
    updated_at: Date;
  };
  payment_refunds: {
    id: string;
    payment_id: string;
    organization_id: string;
    store_id: string;
    order_id: string;
    amount: number;
    reason: string;
    lines: Json<RefundLine[]>;
    status: RefundStatus;
    provider_ref: string | null;
    failure_code: string | null;
    requested_by: string | null;
    created_at: Date;
    updated_at: Date;
  };
  payment_operations: {
    id: string;
    payment_id: string;
    kind: OperationKind;
    amount: number;
    step_key: string;
    provider_ref: string | null;
    occurred_at: Date;
  };
  payment_webhook_events: {
    provider: ProviderName;
    event_id: string;
    kind: string;
    payment_id: string | null;
    received_at: Date;
  };
};

export type Executor = Kysely<PlatformTables>;
const t = (ex: Executor) => ex.withTables<PaymentsTables>();

export interface PaymentRow {
  id: string;
  organization_id: string;
  store_id: string;
  order_id: string;
  provider: ProviderName;
  provider_ref: string | null;
  status: PaymentStatus;
  currency: string;
  amount: number;
  amount_authorized: number;
  amount_captured: number;
  amount_refunded: number;
  client_secret: string | null;
  checkout_url: string | null;
  last_failure_code: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface RefundRow {
  id: string;
  payment_id: string;
  organization_id: string;
  store_id: string;
  order_id: string;
  amount: number;
  reason: string;
  lines: RefundLine[];
  status: RefundStatus;
  provider_ref: string | null;
  failure_code: string | null;
  requested_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface PaymentAuditRow {
  id: string;
  order_id: string;
  provider: ProviderName;
  status: PaymentStatus;
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  updated_at: Date;
  captures: number;
  captured_by_operations: number;
  refunded_by_operations: number;
  refunds_succeeded: number;
  refunds_pending: number;
}

export interface StorePaymentSettingsRow {
  store_id: string;
  organization_id: string;
  provider: OnlineProvider | null;
  capture_on: 'acceptance' | 'completion';
  version: number;
  updated_at: Date;
}

/** Fields a state change may set besides the status. */
export type PaymentChanges = Partial<
  Pick<
    PaymentRow,
    | 'provider_ref'
    | 'amount'
    | 'amount_authorized'
    | 'amount_captured'
    | 'client_secret'
    | 'checkout_url'
    | 'last_failure_code'
  >
>;

export const paymentsRepo = {
  // --- settings and credentials -------------------------------------------------------------

  async storeSettings(
    ex: Executor,
    storeId: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<StorePaymentSettingsRow | undefined> {
    let query = t(ex).selectFrom('store_payment_settings').selectAll().where('store_id', '=', storeId);
    if (options.forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },

  async saveStoreSettings(
    ex: Executor,
    row: Omit<StorePaymentSettingsRow, 'version'> & { version: number },
  ): Promise<void> {
    await t(ex)
      .insertInto('store_payment_settings')
      .values(row)
      .onConflict((oc) =>
        oc.column('store_id').doUpdateSet({
          provider: row.provider,
          capture_on: row.capture_on,
          version: row.version,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  },

  async providerAccount(ex: Executor, organizationId: string, provider: 'stripe') {
    return t(ex)
      .selectFrom('payment_provider_accounts')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('provider', '=', provider)
      .executeTakeFirst();
  },

  async saveProviderAccount(
    ex: Executor,
    row: { organization_id: string; provider: 'stripe'; sealed_credentials: Buffer; key_hint: string; at: Date },
  ): Promise<void> {
    const values = {
      organization_id: row.organization_id,
      provider: row.provider,
      sealed_credentials: row.sealed_credentials,
      key_hint: row.key_hint,
      created_at: row.at,
      updated_at: row.at,
    };
    await t(ex)
      .insertInto('payment_provider_accounts')
      .values(values)
      .onConflict((oc) =>
        oc
          .columns(['organization_id', 'provider'])
          .doUpdateSet({ sealed_credentials: row.sealed_credentials, key_hint: row.key_hint, updated_at: row.at }),
      )
      .execute();
  },

  async deleteProviderAccount(ex: Executor, organizationId: string, provider: 'stripe'): Promise<boolean> {
    const result = await t(ex)
      .deleteFrom('payment_provider_accounts')
      .where('organization_id', '=', organizationId)
      .where('provider', '=', provider)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  },

  // --- payments -------------------------------------------------------------------------------

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

  /** Marks the payment as looked at (the reconciler's next look waits another period). */
  async touch(ex: Executor, paymentId: string, at: Date): Promise<void> {
    await t(ex).updateTable('payments').set({ updated_at: at }).where('id', '=', paymentId).execute();
  },

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

  // --- refunds --------------------------------------------------------------------------------

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

  // --- operations and webhooks ----------------------------------------------------------------

  /** Records a confirmed money movement once per (payment, step): false when it was already recorded. */
  async recordOperation(
    ex: Executor,
    row: {
      id: string;
      payment_id: string;
      kind: OperationKind;
      amount: number;
      step_key: string;
      provider_ref: string | null;
      occurred_at: Date;
    },
  ): Promise<boolean> {
    const inserted = await t(ex)
      .insertInto('payment_operations')
      .values(row)
      .onConflict((oc) => oc.columns(['payment_id', 'step_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  },

  /** Claims a provider event for processing: false when it was processed before. */
  async claimWebhookEvent(
    ex: Executor,
    row: { provider: ProviderName; event_id: string; kind: string; payment_id: string | null; received_at: Date },
  ): Promise<boolean> {
    const inserted = await t(ex)
      .insertInto('payment_webhook_events')
      .values(row)
      .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
      .returning('event_id')
      .executeTakeFirst();
    return inserted !== undefined;
  },
};
