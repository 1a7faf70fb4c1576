// Every change of a payment's state, inside the caller's transaction, in one place: the payment
// row (conditional on the status it was read in), the money movement the provider confirmed
// (once per step), the order's mirror of it (ordering's recordPaymentIn), and the event. Webhooks,
// the client's confirm call, the saga's jobs and the reconciler all land here, so whichever path
// learns of a change first records it and the others find nothing left to do. State only moves
// forward: a late "authorized" after "captured" changes nothing.
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import { UNFULFILLED_STATUSES, type OrderingApi, type OrderStatus } from '../ordering/index.js';
import { paymentAggregate, type PaymentFacts, type PaymentsEvents } from './events.js';
import type { ProviderIntent, ProviderRefund } from './provider.js';
import {
  paymentsRepo as repo,
  type PaymentChanges,
  type PaymentRow,
  type PaymentStatus,
  type RefundLine,
  type RefundRow,
} from './repo.js';

export interface RecorderDeps {
  clock: () => Date;
  events: EventAppender<PaymentsEvents>;
  ordering: { api: Pick<OrderingApi, 'recordPaymentIn'> };
}

/** Orders that ended without being fulfilled (ordering's UNFULFILLED_STATUSES) must hold no money. */
const closed = (order: { status: OrderStatus } | null) => order === null || UNFULFILLED_STATUSES.includes(order.status);

/** Still waiting for the customer's money. */
export const BEFORE_AUTHORIZATION: readonly PaymentStatus[] = ['pending', 'requires_payment', 'processing'];
/** Money held or about to be, not taken. */
const VOIDABLE: readonly PaymentStatus[] = [...BEFORE_AUTHORIZATION, 'authorized', 'voiding'];

export const stepKeys = {
  intent: (paymentId: string) => `intent:${paymentId}`,
  capture: (paymentId: string) => `capture:${paymentId}`,
  void: (paymentId: string) => `void:${paymentId}`,
  refund: (refundId: string) => `refund:${refundId}`,
  increase: (paymentId: string, amount: number) => `increase:${paymentId}:${amount}`,
};

export function createPaymentRecorder(deps: RecorderDeps) {
  const facts = (payment: PaymentRow): PaymentFacts => ({
    payment_id: payment.id,
    order_id: payment.order_id,
    organization_id: payment.organization_id,
    store_id: payment.store_id,
    provider: payment.provider,
    amount: payment.amount,
    currency: payment.currency,
  });
  const aggregate = (payment: PaymentRow) => paymentAggregate(payment.id);

  async function move(
    trx: Tx,
    payment: PaymentRow,
    from: readonly PaymentStatus[],
    to: PaymentStatus,
    changes?: PaymentChanges,
  ): Promise<PaymentRow | null> {
    return (await repo.changeStatus(trx, { paymentId: payment.id, from, to, at: deps.clock(), changes })) ?? null;
  }

  async function operation(
    trx: Tx,
    payment: PaymentRow,
    kind: Parameters<typeof repo.recordOperation>[1]['kind'],
    amount: number,
    stepKey: string,
    providerRef: string | null,
  ) {
    return repo.recordOperation(trx, {
      id: uuidv7(),
      payment_id: payment.id,
      kind,
      amount,
      step_key: stepKey,
      provider_ref: providerRef,
      occurred_at: deps.clock(),
    });
  }

  const recorder = {
    facts,

    /** Asks the saga to release the money (a job voids it at the provider). */
    async requestVoid(trx: Tx, payment: PaymentRow): Promise<PaymentRow | null> {
      const moved = await move(
        trx,
        payment,
        VOIDABLE.filter((status) => status !== 'voiding'),
        'voiding',
      );
      if (moved)
        await deps.events.append(trx, {
          type: 'payments.payment.void_requested',
          aggregate: aggregate(moved),
          data: facts(moved),
        });
      return moved;
    },

    /** Asks the saga to take the money (a job captures `amount` at the provider). Cash is taken from "awaiting" directly. */
    async requestCapture(trx: Tx, payment: PaymentRow): Promise<PaymentRow | null> {
      const from: readonly PaymentStatus[] =
        payment.provider === 'cash' ? ['requires_payment', 'authorized'] : ['authorized'];
      const moved = await move(trx, payment, from, 'capturing');
      if (moved)
        await deps.events.append(trx, {
          type: 'payments.payment.capture_requested',
          aggregate: aggregate(moved),
          data: facts(moved),
        });
      return moved;
    },

    async authorized(trx: Tx, payment: PaymentRow, intent: ProviderIntent): Promise<PaymentRow | null> {
      const moved = await move(trx, payment, BEFORE_AUTHORIZATION, 'authorized', {
        amount_authorized: intent.amountAuthorized,
        last_failure_code: null,
        provider_ref: payment.provider_ref ?? intent.ref,
      });
      if (!moved) return null;
      await operation(trx, moved, 'authorization', intent.amountAuthorized, 'authorization', intent.ref);
      const order = await deps.ordering.api.recordPaymentIn(trx, moved.order_id, 'authorized');
      // The order ended while the customer was paying (cancelled, expired): give the money back.
      if (closed(order)) return recorder.requestVoid(trx, moved);
      await deps.events.append(trx, {
        type: 'payments.payment.authorized',
        aggregate: aggregate(moved),
        data: facts(moved),
      });
      return moved;
    },

    async captured(trx: Tx, payment: PaymentRow, amountCaptured: number): Promise<PaymentRow | null> {
      const moved = await move(
        trx,
        payment,
        [...BEFORE_AUTHORIZATION, 'authorized', 'capturing', 'voiding'],
        'captured',
        {
          amount_captured: amountCaptured,
          amount_authorized: Math.max(payment.amount_authorized, amountCaptured),
        },
      );
      if (!moved) return null;
      await operation(trx, moved, 'capture', amountCaptured, stepKeys.capture(moved.id), moved.provider_ref);
      await deps.events.append(trx, {
        type: 'payments.payment.captured',
        aggregate: aggregate(moved),
        data: { ...facts(moved), amount_captured: amountCaptured },
      });
      const order = await deps.ordering.api.recordPaymentIn(trx, moved.order_id, 'paid');
      // Taken for an order that was cancelled meanwhile (it was captured at acceptance, or the
      // cancellation raced the capture): everything goes back.
      if (closed(order))
        await recorder.requestRefund(trx, moved, {
          amount: amountCaptured,
          lines: [],
          reason: 'order_cancelled',
          requestedBy: null,
        });
      return moved;
    },

    /**
     * Reserves `amount` of the capture and asks the saga to refund it. Null when the payment
     * cannot give that much back (never captured, or already refunded that far).
     */
    async requestRefund(
      trx: Tx,
      payment: PaymentRow,
      input: { amount: number; lines: RefundLine[]; reason: string; requestedBy: string | null },
    ): Promise<RefundRow | null> {
      if (input.amount <= 0 || !(await repo.reserveRefund(trx, payment.id, input.amount, deps.clock()))) return null;
      const now = deps.clock();
      const refund = await repo.insertRefund(trx, {
        id: uuidv7(),
        payment_id: payment.id,
        organization_id: payment.organization_id,
        store_id: payment.store_id,
        order_id: payment.order_id,
        amount: input.amount,
        reason: input.reason,
        lines: input.lines,
        status: 'pending',
        requested_by: input.requestedBy,
        created_at: now,
        updated_at: now,
      });
      await deps.events.append(trx, {
        type: 'payments.refund.requested',
        aggregate: aggregate(payment),
        data: { ...facts(payment), refund_id: refund.id, refund_amount: refund.amount },
      });
      return refund;
    },

    async voided(trx: Tx, payment: PaymentRow): Promise<PaymentRow | null> {
      const moved = await move(trx, payment, VOIDABLE, 'voided');
      if (!moved) return null;
      await operation(trx, moved, 'void', 0, stepKeys.void(moved.id), moved.provider_ref);
      await deps.ordering.api.recordPaymentIn(trx, moved.order_id, 'voided');
      await deps.events.append(trx, {
        type: 'payments.payment.voided',
        aggregate: aggregate(moved),
        data: facts(moved),
      });
      return moved;
    },

    /** The provider refused to capture for good: a person has to look (the event says so). */
    async captureFailed(trx: Tx, payment: PaymentRow, code: string): Promise<PaymentRow | null> {
      const moved = await move(trx, payment, ['capturing'], 'failed', { last_failure_code: code });
      if (moved)
        await deps.events.append(trx, {
          type: 'payments.payment.capture_failed',
          aggregate: aggregate(moved),
          data: { ...facts(moved), failure_code: code },
        });
      return moved;
    },

    /** The provider's view of the intent, applied forward only. */
    async applyIntent(trx: Tx, payment: PaymentRow, intent: ProviderIntent): Promise<PaymentRow | null> {
      switch (intent.status) {
        case 'requires_payment': {
          if (!BEFORE_AUTHORIZATION.includes(payment.status)) return null;
          const declined =
            intent.lastFailureCode !== null &&
            (payment.status === 'processing' || intent.lastFailureCode !== payment.last_failure_code);
          const moved = await move(trx, payment, BEFORE_AUTHORIZATION, 'requires_payment', {
            provider_ref: payment.provider_ref ?? intent.ref,
            last_failure_code: intent.lastFailureCode,
          });
          if (moved && declined)
            await deps.events.append(trx, {
              type: 'payments.payment.declined',
              aggregate: aggregate(moved),
              data: { ...facts(moved), failure_code: intent.lastFailureCode },
            });
          return moved;
        }
        case 'processing':
          return move(trx, payment, ['pending', 'requires_payment'], 'processing', {
            provider_ref: payment.provider_ref ?? intent.ref,
          });
        case 'authorized':
          return recorder.authorized(trx, payment, intent);
        case 'captured': {
          // Captured at the provider while we still thought it authorized (a capture whose answer
          // was lost): record the authorization it implies, then the capture.
          const current = BEFORE_AUTHORIZATION.includes(payment.status)
            ? ((await recorder.authorized(trx, payment, intent)) ?? payment)
            : payment;
          return recorder.captured(trx, current, intent.amountCaptured);
        }
        case 'voided':
          return recorder.voided(trx, payment);
      }
    },

    async refundSucceeded(
      trx: Tx,
      payment: PaymentRow,
      refund: RefundRow,
      providerRefund: ProviderRefund,
    ): Promise<RefundRow | null> {
      const finished = await repo.finishRefund(trx, {
        refundId: refund.id,
        to: 'succeeded',
        providerRef: providerRefund.ref,
        failureCode: null,
        at: deps.clock(),
      });
      if (!finished) return null;
      await operation(trx, payment, 'refund', finished.amount, stepKeys.refund(finished.id), providerRefund.ref);
      await deps.events.append(trx, {
        type: 'payments.refund.succeeded',
        aggregate: aggregate(payment),
        data: { ...facts(payment), refund_id: finished.id, refund_amount: finished.amount },
      });
      const current = await repo.find(trx, payment.id);
      if (current && current.amount_refunded === current.amount_captured)
        await deps.ordering.api.recordPaymentIn(trx, payment.order_id, 'refunded');
      return finished;
    },

    async refundFailed(trx: Tx, payment: PaymentRow, refund: RefundRow, code: string): Promise<RefundRow | null> {
      const finished = await repo.finishRefund(trx, {
        refundId: refund.id,
        to: 'failed',
        providerRef: null,
        failureCode: code,
        at: deps.clock(),
      });
      if (!finished) return null;
      // The reservation goes: what could not be refunded may be refunded again.
      await repo.releaseRefund(trx, payment.id, finished.amount, deps.clock());
      await deps.events.append(trx, {
        type: 'payments.refund.failed',
        aggregate: aggregate(payment),
        data: { ...facts(payment), refund_id: finished.id, refund_amount: finished.amount, failure_code: code },
      });
      return finished;
    },
  };
  return recorder;
}

export type PaymentRecorder = ReturnType<typeof createPaymentRecorder>;
