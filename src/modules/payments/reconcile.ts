// Reconciliation: payments and refunds stuck in a transitional state for longer than
// PAYMENTS_RECONCILE_AFTER_SECONDS are compared with their provider and repaired — a webhook that
// never came, a step whose job died with its worker (after the provider acted, or before). What
// the provider says is applied through the same recorder as everything else; a step the provider
// has not done is asked for again (idempotently). Every difference found is counted.
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import type { JobDefinition, JobSender } from '../../platform/jobs/queue.js';
import { UNFULFILLED_STATUSES, type OrderingApi } from '../ordering/index.js';
import type { CheckoutService } from './checkout.js';
import type { ProviderRegistry } from './providers/registry.js';
import { BEFORE_AUTHORIZATION, type PaymentRecorder } from './record.js';
import { paymentsRepo as repo, type PaymentRow, type RefundRow } from './repo.js';
import { SAGA_JOBS } from './saga.js';

export interface ReconcileDeps {
  db: Db;
  clock: () => Date;
  afterSeconds: number;
  providers: ProviderRegistry;
  recorder: PaymentRecorder;
  checkout: Pick<CheckoutService, 'openPayment'>;
  ordering: { api: Pick<OrderingApi, 'orderForPayment'> };
  jobs: JobSender;
  logger: Logger;
  registry?: Registry;
  announce(payment: PaymentRow): Promise<void>;
}

export type Discrepancy =
  | 'intent_missing'
  | 'authorization_unrecorded'
  | 'capture_unrecorded'
  | 'capture_not_done'
  | 'void_unrecorded'
  | 'void_not_done'
  | 'refund_unrecorded'
  | 'refund_not_done'
  | 'status_behind';

export interface ReconcileReport {
  checked: number;
  discrepancies: Partial<Record<Discrepancy, number>>;
}

const BATCH = 100;

export function createReconciler(deps: ReconcileDeps) {
  const registers = deps.registry ? [deps.registry] : [];
  const found = new Counter({
    name: 'payments_reconciliation_discrepancies_total',
    help: 'Differences between Brigade and a payment provider found (and repaired) by reconciliation, by kind',
    labelNames: ['kind'] as const,
    registers,
  });
  const lastRun = new Gauge({
    name: 'payments_reconciliation_last_run_discrepancies',
    help: 'Differences the last reconciliation run found',
    registers,
  });

  async function locked(paymentId: string, work: (trx: Tx, payment: PaymentRow) => Promise<unknown>): Promise<void> {
    const payment = await inTransaction(deps.db, async (trx) => {
      const row = await repo.find(trx, paymentId, { forUpdate: true });
      if (!row) return null;
      await work(trx, row);
      // Looked at now: the next look waits another period.
      await repo.touch(trx, paymentId, deps.clock());
      return (await repo.find(trx, paymentId)) ?? null;
    });
    if (payment) await deps.announce(payment);
  }

  async function payment(row: PaymentRow): Promise<Discrepancy | null> {
    if (row.status === 'pending') {
      // The process died between the order's commit and the intent: open it now (same key, same
      // intent), then it goes the way of any other — voided if its order ended meanwhile.
      const order = await deps.ordering.api.orderForPayment(row.order_id);
      const opened = await deps.checkout.openPayment(row);
      if (order && UNFULFILLED_STATUSES.includes(order.status))
        await locked(row.id, (trx, current) => deps.recorder.requestVoid(trx, current));
      return opened.status === 'pending' ? null : 'intent_missing';
    }
    if (row.provider === 'cash') {
      // Nothing remote to ask: a cash step that did not finish is simply run again.
      if (row.status === 'capturing') await deps.jobs.send(SAGA_JOBS.capture, { payment_id: row.id });
      else if (row.status === 'voiding') await deps.jobs.send(SAGA_JOBS.void, { payment_id: row.id });
      else await locked(row.id, async () => undefined);
      return row.status === 'capturing' ? 'capture_not_done' : row.status === 'voiding' ? 'void_not_done' : null;
    }
    if (row.provider_ref === null) return null;
    const intent = await (await deps.providers.of(row)).fetchIntent(row.provider_ref);
    let kind: Discrepancy | null = null;
    // Judged on the row as it is under the lock: a webhook may have recorded the change since the scan.
    await locked(row.id, async (trx, current) => {
      if (current.status === 'capturing')
        kind = intent.status === 'captured' ? 'capture_unrecorded' : 'capture_not_done';
      else if (current.status === 'voiding') kind = intent.status === 'voided' ? 'void_unrecorded' : 'void_not_done';
      else if (
        BEFORE_AUTHORIZATION.includes(current.status) &&
        (intent.status === 'authorized' || intent.status === 'captured')
      )
        kind = 'authorization_unrecorded';
      else if (BEFORE_AUTHORIZATION.includes(current.status) && intent.status === 'voided') kind = 'status_behind';
      await deps.recorder.applyIntent(trx, current, intent);
      // The provider has not done the step: ask again (the job repeats it with the same key).
      if (kind === 'capture_not_done') await deps.jobs.sendIn(trx, SAGA_JOBS.capture, { payment_id: row.id });
      if (kind === 'void_not_done') await deps.jobs.sendIn(trx, SAGA_JOBS.void, { payment_id: row.id });
    });
    return kind;
  }

  async function refund(row: RefundRow): Promise<Discrepancy | null> {
    const paymentRow = await repo.find(deps.db, row.payment_id);
    if (!paymentRow) return null;
    const known =
      paymentRow.provider === 'cash' || paymentRow.provider_ref === null
        ? []
        : await (await deps.providers.of(paymentRow)).listRefunds(paymentRow.provider_ref);
    const atProvider = known.find((candidate) => candidate.refundId === row.id);
    if (!atProvider || atProvider.status === 'pending') {
      await inTransaction(deps.db, async (trx) => {
        await repo.touchRefund(trx, row.id, deps.clock());
        if (!atProvider) await deps.jobs.sendIn(trx, SAGA_JOBS.refund, { refund_id: row.id });
      });
      return atProvider ? null : 'refund_not_done';
    }
    await locked(paymentRow.id, async (trx, current) => {
      const pending = await repo.findRefund(trx, row.id, { forUpdate: true });
      if (!pending) return;
      if (atProvider.status === 'succeeded') await deps.recorder.refundSucceeded(trx, current, pending, atProvider);
      else await deps.recorder.refundFailed(trx, current, pending, 'refund_failed');
    });
    return 'refund_unrecorded';
  }

  async function run(): Promise<ReconcileReport> {
    const olderThan = new Date(deps.clock().getTime() - deps.afterSeconds * 1000);
    const report: ReconcileReport = { checked: 0, discrepancies: {} };
    const count = (kind: Discrepancy | null) => {
      if (kind === null) return;
      report.discrepancies[kind] = (report.discrepancies[kind] ?? 0) + 1;
      found.inc({ kind });
    };
    const work: Array<() => Promise<Discrepancy | null>> = [
      ...(await repo.transitional(deps.db, olderThan, BATCH)).map((row) => () => payment(row)),
      ...(await repo.pendingRefunds(deps.db, olderThan, BATCH)).map((row) => () => refund(row)),
    ];
    for (const item of work) {
      report.checked++;
      try {
        count(await item());
      } catch (error) {
        // One provider being down must not stop the others being reconciled; the next run retries.
        deps.logger.warn({ err: error }, 'reconciling a payment failed');
      }
    }
    lastRun.set(Object.values(report.discrepancies).reduce((sum, n) => sum + n, 0));
    if (Object.keys(report.discrepancies).length > 0)
      deps.logger.warn({ ...report }, 'payment reconciliation repaired differences');
    return report;
  }

  const job: JobDefinition = {
    name: 'payments.reconcile',
    policy: 'singleton',
    cron: '* * * * *',
    runOnStart: true,
    retryLimit: 0,
    handler: async () => {
      await run();
    },
  };

  return { run, job };
}
