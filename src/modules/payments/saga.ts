// The checkout saga after authorization. Orders and payments each keep their own state machine;
// what connects them is events:
//   order accepted/completed → capture requested; order cancelled/rejected/expired → void
//   requested (or, once captured, a full refund); a refund requested by staff.
// Each request is a payment state change plus an outbox event in one transaction; a subscriber
// turns the event into a pg-boss job in its own transaction (sendIn); the job calls the provider
// with the step's idempotency key and records the outcome. A crash anywhere repeats a step, and
// the repeat is harmless: the provider answers the same key with the same result, and recording
// is conditional on the state. Transport failures throw (pg-boss retries with backoff); refusals
// are outcomes (capture failed, refund failed), recorded and announced.
import type { Logger } from 'pino';
import type { CrashPoint } from '../../platform/crash-points.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import type { EventBus } from '../../platform/events/index.js';
import type { JobDefinition, JobSender } from '../../platform/jobs/queue.js';
import type { OrderingEvents } from '../ordering/index.js';
import type { PaymentsEvents } from './events.js';
import { ProviderRejectedError, type ProviderIntent } from './provider.js';
import type { ProviderRegistry } from './providers/registry.js';
import { stepKeys, type PaymentRecorder } from './record.js';
import { paymentsRepo as repo, type PaymentRow } from './repo.js';
import type { PaymentSettingsService } from './settings.js';

export interface SagaDeps {
  db: Db;
  providers: ProviderRegistry;
  recorder: PaymentRecorder;
  settings: Pick<PaymentSettingsService, 'effective'>;
  jobs: JobSender;
  crash: CrashPoint;
  logger: Logger;
  announce(payment: PaymentRow): Promise<void>;
}

export const SAGA_JOBS = { capture: 'payments.capture', void: 'payments.void', refund: 'payments.refund' } as const;

/** Job data: ids only, the state is read fresh. */
interface PaymentJob {
  payment_id: string;
}
interface RefundJob {
  refund_id: string;
}

export function createSaga(deps: SagaDeps) {
  const { recorder } = deps;

  /** Runs `work` on the locked payment, then tells the store's feeds. */
  async function withPayment(
    paymentId: string,
    work: (trx: Tx, payment: PaymentRow) => Promise<unknown>,
  ): Promise<void> {
    const payment = await inTransaction(deps.db, async (trx) => {
      const locked = await repo.find(trx, paymentId, { forUpdate: true });
      if (!locked) return null;
      await work(trx, locked);
      return (await repo.find(trx, paymentId)) ?? null;
    });
    if (payment) await deps.announce(payment);
  }

  /** A refused step may still have happened (its answer was lost the first time): the provider's view decides. */
  async function afterRefusal(
    payment: PaymentRow,
    refusal: ProviderRejectedError,
    otherwise: (trx: Tx, payment: PaymentRow) => Promise<unknown>,
  ): Promise<void> {
    const provider = await deps.providers.of(payment);
    const intent: ProviderIntent | null =
      payment.provider === 'cash' || payment.provider_ref === null
        ? null
        : await provider.fetchIntent(payment.provider_ref);
    deps.logger.warn(
      { payment_id: payment.id, code: refusal.code, provider_status: intent?.status },
      'payment provider refused a saga step',
    );
    await withPayment(payment.id, async (trx, locked) => {
      if (intent && (intent.status === 'captured' || intent.status === 'voided'))
        return recorder.applyIntent(trx, locked, intent);
      return otherwise(trx, locked);
    });
  }

  async function capture(data: PaymentJob): Promise<void> {
    const payment = await repo.find(deps.db, data.payment_id);
    if (payment?.status !== 'capturing') return;
    const provider = await deps.providers.of(payment);
    let intent: ProviderIntent;
    try {
      intent = await provider.capture(payment.provider_ref ?? payment.id, payment.amount, stepKeys.capture(payment.id));
    } catch (error) {
      if (error instanceof ProviderRejectedError)
        return afterRefusal(payment, error, (trx, locked) => recorder.captureFailed(trx, locked, error.code));
      throw error;
    }
    // The dangerous moment: the money is taken and Brigade has not written it down yet.
    deps.crash('payments.capture.after-provider');
    await withPayment(payment.id, (trx, locked) => recorder.captured(trx, locked, intent.amountCaptured));
  }

  async function voidPayment(data: PaymentJob): Promise<void> {
    const payment = await repo.find(deps.db, data.payment_id);
    if (payment?.status !== 'voiding') return;
    // Never reached the provider (its intent was not created): nothing is held there.
    if (payment.provider_ref === null && payment.provider !== 'cash')
      return withPayment(payment.id, (trx, locked) => recorder.voided(trx, locked));
    const provider = await deps.providers.of(payment);
    try {
      await provider.void(payment.provider_ref ?? payment.id, stepKeys.void(payment.id));
    } catch (error) {
      // Captured meanwhile (the capture raced the cancellation): recorded as such, then refunded.
      if (error instanceof ProviderRejectedError) return afterRefusal(payment, error, async () => undefined);
      throw error;
    }
    deps.crash('payments.void.after-provider');
    await withPayment(payment.id, (trx, locked) => recorder.voided(trx, locked));
  }

  async function refund(data: RefundJob): Promise<void> {
    const pending = await repo.findRefund(deps.db, data.refund_id);
    if (pending?.status !== 'pending') return;
    const payment = await repo.find(deps.db, pending.payment_id);
    if (!payment) return;
    const provider = await deps.providers.of(payment);
    let outcome: Awaited<ReturnType<typeof provider.refund>>;
    try {
      outcome = await provider.refund(
        payment.provider_ref ?? payment.id,
        { refundId: pending.id, amount: pending.amount, reason: pending.reason },
        stepKeys.refund(pending.id),
      );
    } catch (error) {
      if (error instanceof ProviderRejectedError) {
        return withPayment(payment.id, async (trx, locked) => {
          const current = await repo.findRefund(trx, pending.id, { forUpdate: true });
          if (current) await recorder.refundFailed(trx, locked, current, error.code);
        });
      }
      throw error;
    }
    deps.crash('payments.refund.after-provider');
    // Still pending at the provider: its webhook (or the reconciler) finishes it.
    if (outcome.status === 'pending') return;
    await withPayment(payment.id, async (trx, locked) => {
      const current = await repo.findRefund(trx, pending.id, { forUpdate: true });
      if (!current) return;
      if (outcome.status === 'succeeded') await recorder.refundSucceeded(trx, locked, current, outcome);
      else await recorder.refundFailed(trx, locked, current, 'refund_failed');
    });
  }

  // Retries for outages: 10 attempts from 2 s with backoff reach past ten minutes; after that the
  // dead letter waits and the reconciler keeps comparing the payment with its provider. Polled
  // often: a customer watching their order waits for these.
  const step = {
    retryLimit: 10,
    retryDelaySeconds: 2,
    expireInSeconds: 120,
    concurrency: 2,
    pollingIntervalSeconds: 0.5,
  };
  const jobs: JobDefinition[] = [
    { name: SAGA_JOBS.capture, ...step, handler: (data: PaymentJob) => capture(data) },
    { name: SAGA_JOBS.void, ...step, handler: (data: PaymentJob) => voidPayment(data) },
    { name: SAGA_JOBS.refund, ...step, handler: (data: RefundJob) => refund(data) },
  ];

  /** The requests become jobs; order endings and completions become requests. */
  function subscribe(bus: Pick<EventBus<PaymentsEvents & OrderingEvents>, 'subscribe'>): void {
    bus.subscribe('payments.payment.capture_requested', 'payments.schedule-capture', async (event, { trx }) => {
      await deps.jobs.sendIn(
        trx,
        SAGA_JOBS.capture,
        { payment_id: event.data.payment_id },
        { singletonKey: event.data.payment_id },
      );
    });
    bus.subscribe('payments.payment.void_requested', 'payments.schedule-void', async (event, { trx }) => {
      await deps.jobs.sendIn(
        trx,
        SAGA_JOBS.void,
        { payment_id: event.data.payment_id },
        { singletonKey: event.data.payment_id },
      );
    });
    bus.subscribe('payments.refund.requested', 'payments.schedule-refund', async (event, { trx }) => {
      await deps.jobs.sendIn(
        trx,
        SAGA_JOBS.refund,
        { refund_id: event.data.refund_id },
        { singletonKey: event.data.refund_id },
      );
    });

    const onEnded = async (orderId: string, trx: Tx) => {
      const payment = await repo.findByOrder(trx, orderId, { forUpdate: true });
      if (!payment) return;
      if (payment.status === 'captured') {
        const left = payment.amount_captured - payment.amount_refunded;
        if (left > 0)
          await recorder.requestRefund(trx, payment, {
            amount: left,
            lines: [],
            reason: 'order_cancelled',
            requestedBy: null,
          });
        return;
      }
      // Capturing: the capture finishes, sees the order ended, and refunds (record.ts).
      if (payment.status !== 'capturing') await recorder.requestVoid(trx, payment);
    };
    bus.subscribe('ordering.order.cancelled', 'payments.release-cancelled-order', async (event, { trx }) =>
      onEnded(event.data.order_id, trx),
    );
    bus.subscribe('ordering.order.rejected', 'payments.release-rejected-order', async (event, { trx }) =>
      onEnded(event.data.order_id, trx),
    );
    bus.subscribe('ordering.order.expired', 'payments.release-expired-order', async (event, { trx }) =>
      onEnded(event.data.order_id, trx),
    );

    const captureFor = async (orderId: string, trx: Tx, options: { cash: boolean }) => {
      const payment = await repo.findByOrder(trx, orderId, { forUpdate: true });
      if (payment && (options.cash || payment.provider !== 'cash')) await recorder.requestCapture(trx, payment);
    };
    // Cash is only ever taken when the order is handed over.
    bus.subscribe('ordering.order.accepted', 'payments.capture-on-acceptance', async (event, { trx }) => {
      if ((await deps.settings.effective(event.data.store_id, trx)).captureOn === 'acceptance')
        await captureFor(event.data.order_id, trx, { cash: false });
    });
    for (const [type, name] of [
      ['ordering.order.picked_up', 'payments.capture-picked-up-order'],
      ['ordering.order.delivered', 'payments.capture-delivered-order'],
      ['ordering.order.completed', 'payments.capture-completed-order'],
    ] as const) {
      bus.subscribe(type, name, async (event, { trx }) => captureFor(event.data.order_id, trx, { cash: true }));
    }
  }

  return { jobs, subscribe, capture, voidPayment, refund };
}

export type Saga = ReturnType<typeof createSaga>;
