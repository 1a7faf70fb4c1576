// Reading payments, the customer's confirm call, and refunds requested by staff. Every write
// here is one transaction on the locked payment; the money moves later, in the saga's jobs.
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../../platform/http/errors.js';
import type { IdempotencyClaim } from '../../platform/http/idempotency/index.js';
import { decodeCursor, isUuid, toPage, type PageOf } from '../../platform/http/schema.js';
import { isOrderParty, type OrderingApi, type OrderPaymentFacts } from '../ordering/index.js';
import { assertPaymentsRule, mayPaymentsRule, RULES } from './access.js';
import { providerProblem } from './checkout.js';
import { presentPayment, presentRefund } from './present.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { PaymentRecorder } from './record.js';
import { paymentsRepo as repo, type PaymentRow, type RefundLine } from './repo.js';
import type { Payment, Refund, RefundBody } from './schema.js';

export interface PaymentsServiceDeps {
  db: Db;
  providers: ProviderRegistry;
  recorder: PaymentRecorder;
  ordering: { api: Pick<OrderingApi, 'orderForPayment'> };
  announce(payment: PaymentRow): Promise<void>;
}

const refundCursor = (cursor: string | undefined) => {
  const key = decodeCursor(
    cursor,
    ['created_at', 'id'] as const,
    (candidate) => isUuid(candidate.id) && !Number.isNaN(Date.parse(candidate.created_at)),
  );
  return key ? { created_at: new Date(key.created_at), id: key.id } : null;
};

/**
 * What `lines` give back: each unit its share of the line's total, and the last unit of a line
 * whatever is left of it, so refunding a whole line (in one go or in parts) gives back exactly
 * its total. Throws when a line does not exist or more units than it had are named.
 */
export function refundLines(
  order: Pick<OrderPaymentFacts, 'lines'>,
  requested: Array<{ line_no: number; quantity: number }>,
  earlier: RefundLine[],
): RefundLine[] {
  const merged = new Map<number, number>();
  for (const line of requested) merged.set(line.line_no, (merged.get(line.line_no) ?? 0) + line.quantity);
  return [...merged].map(([lineNo, quantity], index) => {
    const line = order.lines.find((candidate) => candidate.line_no === lineNo);
    if (!line)
      throw new ValidationError([{ path: `/body/lines/${index}/line_no`, message: 'is not a line of this order' }]);
    const before = earlier.filter((entry) => entry.line_no === lineNo);
    const unitsBefore = before.reduce((sum, entry) => sum + entry.quantity, 0);
    const amountBefore = before.reduce((sum, entry) => sum + entry.amount, 0);
    if (unitsBefore + quantity > line.quantity) {
      throw new UnprocessableError(
        'REFUND_EXCEEDS_LINE',
        `Line ${lineNo} has ${line.quantity - unitsBefore} unit(s) left to refund.`,
        [{ path: `/body/lines/${index}/quantity`, message: `must be <= ${line.quantity - unitsBefore}` }],
      );
    }
    const amount =
      unitsBefore + quantity === line.quantity
        ? line.total - amountBefore
        : Math.floor((line.total * quantity) / line.quantity);
    return { line_no: lineNo, quantity, amount };
  });
}

export function createPaymentsService(deps: PaymentsServiceDeps) {
  /** The payment and its order, if this caller may see them: the payer, or the store's people. Else 404. */
  async function visible(principal: Principal | null, find: () => Promise<PaymentRow | undefined>) {
    const payment = await find();
    if (!payment) throw new NotFoundError('payment');
    const order = await deps.ordering.api.orderForPayment(payment.order_id);
    if (!order) throw new NotFoundError('payment');
    const forPayer = isOrderParty(principal, order);
    if (
      !forPayer &&
      !mayPaymentsRule(principal, RULES.readPayments, {
        organizationId: payment.organization_id,
        storeId: payment.store_id,
      })
    )
      throw new NotFoundError('payment');
    return { payment, order, forPayer };
  }

  return {
    async get(principal: Principal | null, paymentId: string): Promise<Payment> {
      const { payment, forPayer } = await visible(principal, () => repo.find(deps.db, paymentId));
      return presentPayment(payment, { forPayer });
    },

    async ofOrder(principal: Principal | null, orderId: string): Promise<Payment> {
      const { payment, forPayer } = await visible(principal, () => repo.findByOrder(deps.db, orderId));
      return presentPayment(payment, { forPayer });
    },

    /**
     * The customer's client says "I paid": ask the provider and apply what it says, exactly as
     * its webhook would (whichever comes first records it; the other finds nothing to do).
     */
    async confirm(principal: Principal | null, paymentId: string): Promise<Payment> {
      const { payment, forPayer } = await visible(principal, () => repo.find(deps.db, paymentId));
      if (payment.provider === 'cash' || payment.provider_ref === null) return presentPayment(payment, { forPayer });
      let intent;
      try {
        intent = await (await deps.providers.of(payment)).fetchIntent(payment.provider_ref);
      } catch (error) {
        throw providerProblem(error);
      }
      const updated = await inTransaction(deps.db, async (trx) => {
        const locked = await repo.find(trx, payment.id, { forUpdate: true });
        if (!locked) throw new NotFoundError('payment');
        await deps.recorder.applyIntent(trx, locked, intent);
        return (await repo.find(trx, payment.id))!;
      });
      await deps.announce(updated);
      return presentPayment(updated, { forPayer });
    },

    /**
     * `claim` is the request's Idempotency-Key: the refund records its id as the recovery point in
     * the transaction that holds the money back, so a retry after a crash finds it, not a second one.
     */
    async requestRefund(
      principal: Principal | null,
      paymentId: string,
      body: RefundBody,
      claim: IdempotencyClaim | null = null,
    ): Promise<Refund> {
      const { payment: read } = await visible(principal, () => repo.find(deps.db, paymentId));
      assertPaymentsRule(
        principal,
        RULES.refund,
        { organizationId: read.organization_id, storeId: read.store_id },
        'payment',
      );
      if ((body.amount === undefined) === (body.lines === undefined)) {
        throw new ValidationError(
          [{ path: '/body', message: 'name either amount or lines, not both' }],
          'A refund is for an amount or for order lines.',
        );
      }
      if (body.amount && body.amount.currency !== read.currency) {
        throw new UnprocessableError('CURRENCY_MISMATCH', `This payment is in ${read.currency}.`, [
          { path: '/body/amount/currency', message: `must be ${read.currency}` },
        ]);
      }
      const recovered = claim?.recovered?.refund_id;
      if (typeof recovered === 'string') {
        const earlier = await repo.findRefund(deps.db, recovered);
        if (earlier?.payment_id === read.id) return presentRefund(earlier, read.currency);
      }
      const refund = await inTransaction(deps.db, async (trx) => {
        const payment = await repo.find(trx, paymentId, { forUpdate: true });
        if (!payment) throw new NotFoundError('payment');
        if (payment.status !== 'captured')
          throw new ConflictError(
            'PAYMENT_NOT_CAPTURED',
            `Nothing was taken yet (the payment is ${payment.status}); cancel the order instead.`,
          );
        let lines: RefundLine[] = [];
        let amount = body.amount?.amount ?? 0;
        if (body.lines) {
          const order = await deps.ordering.api.orderForPayment(payment.order_id, trx);
          if (!order) throw new NotFoundError('payment');
          const earlier = (await repo.liveRefundsOf(trx, payment.id)).flatMap((row) => row.lines);
          lines = refundLines(order, body.lines, earlier);
          amount = lines.reduce((sum, line) => sum + line.amount, 0);
        }
        const left = payment.amount_captured - payment.amount_refunded;
        if (amount <= 0)
          throw new UnprocessableError('REFUND_AMOUNT_INVALID', 'A refund gives back at least one minor unit.', [
            { path: '/body', message: 'amounts to nothing' },
          ]);
        const requested =
          amount <= left
            ? await deps.recorder.requestRefund(trx, payment, {
                amount,
                lines,
                reason: body.reason,
                requestedBy: principal?.kind === 'user' ? principal.userId : null,
              })
            : null;
        if (!requested) {
          throw new UnprocessableError(
            'REFUND_EXCEEDS_CAPTURE',
            `At most ${left} (${payment.currency} minor units) is left to refund.`,
            [{ path: body.lines ? '/body/lines' : '/body/amount/amount', message: `must be <= ${left}` }],
          );
        }
        await recordAudit(trx, {
          organizationId: payment.organization_id,
          storeId: payment.store_id,
          action: 'payments.refund.requested',
          target: { type: 'payment', id: payment.id },
          after: { refund_id: requested.id, amount, currency: payment.currency, lines, reason: body.reason ?? null },
        });
        await claim?.commitIn(trx, { refund_id: requested.id });
        return requested;
      });
      return presentRefund(refund, read.currency);
    },

    async refunds(
      principal: Principal | null,
      paymentId: string,
      query: { limit?: number; cursor?: string },
    ): Promise<PageOf<Refund>> {
      const { payment } = await visible(principal, () => repo.find(deps.db, paymentId));
      const limit = query.limit ?? 20;
      const rows = await repo.refundsOf(deps.db, payment.id, { after: refundCursor(query.cursor), limit });
      return toPage(
        rows,
        limit,
        (row) => presentRefund(row, payment.currency),
        (row) => ({ created_at: row.created_at.toISOString(), id: row.id }),
      );
    },
  };
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
