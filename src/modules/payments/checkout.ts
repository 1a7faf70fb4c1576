// Starting a payment: what ordering calls through its PaymentsPort. The payment row is written in
// the order's own transaction; the provider's intent is created after commit (never a network
// call inside a transaction), with an idempotency key derived from the payment id, so a retry —
// or the reconciler, when the process died in between — gets the same intent, never a second one.
import { v7 as uuidv7 } from 'uuid';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import {
  AppError,
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
  UnprocessableError,
} from '../../platform/http/errors.js';
import type { Checkout, PaymentOpening, PaymentsPort } from '../ordering/index.js';
import { ProviderRejectedError, type PaymentProvider } from './provider.js';
import { ProviderNotConfiguredError, type ProviderRegistry } from './providers/registry.js';
import { stepKeys, type PaymentRecorder } from './record.js';
import { paymentsRepo as repo, type PaymentRow } from './repo.js';
import type { PaymentSettingsService } from './settings.js';

export interface CheckoutDeps {
  db: Db;
  clock: () => Date;
  providers: ProviderRegistry;
  settings: Pick<PaymentSettingsService, 'effective'>;
  recorder: PaymentRecorder;
  /** After a payment change committed: the store's live feeds look again. */
  announce(payment: PaymentRow): Promise<void>;
}

/**
 * A provider failure as the client should see it: down (503, retry shortly) or refused (422).
 * Anything else is a bug and stays itself.
 */
export function providerProblem(error: unknown): unknown {
  if (error instanceof ProviderRejectedError)
    return new UnprocessableError('PAYMENT_REJECTED', `The payment provider refused: ${error.message}`, [
      { path: '', message: error.code, code: error.code },
    ]);
  if (error instanceof ProviderNotConfiguredError)
    return new UnprocessableError(
      'ONLINE_PAYMENT_UNAVAILABLE',
      'This store’s payment provider is not set up; pay at the counter.',
    );
  if (error instanceof AppError && error.status === 503)
    return new ServiceUnavailableError(
      'PAYMENT_PROVIDER_UNAVAILABLE',
      'The payment provider is not answering; nothing was charged. Try again in a few seconds.',
      5,
    );
  return error;
}

export const checkoutOf = (payment: PaymentRow): Checkout | null =>
  payment.provider === 'cash' || payment.provider_ref === null
    ? null
    : {
        payment_id: payment.id,
        provider: payment.provider,
        client_secret: payment.client_secret,
        checkout_url: payment.checkout_url,
      };

export function createCheckout(deps: CheckoutDeps) {
  /** Creates the provider intent of a pending payment (idempotently) and records it. */
  async function openPayment(payment: PaymentRow): Promise<PaymentRow> {
    if (payment.status !== 'pending') return payment;
    const provider = await deps.providers.of(payment);
    const intent = await provider.createIntent(
      {
        paymentId: payment.id,
        orderId: payment.order_id,
        amount: payment.amount,
        currency: payment.currency,
        description: `Brigade order ${payment.order_id}`,
      },
      stepKeys.intent(payment.id),
    );
    const opened = await inTransaction(deps.db, async (trx) => {
      const current = await repo.find(trx, payment.id, { forUpdate: true });
      if (!current) return null;
      const withIntent =
        current.status === 'pending'
          ? await repo.changeStatus(trx, {
              paymentId: current.id,
              from: ['pending'],
              to: 'requires_payment',
              at: deps.clock(),
              changes: {
                provider_ref: intent.ref,
                client_secret: intent.clientSecret,
                checkout_url: intent.checkoutUrl,
              },
            })
          : current;
      // The intent may already be further along (a fast customer, a retry after payment).
      if (withIntent && intent.status !== 'requires_payment') await deps.recorder.applyIntent(trx, withIntent, intent);
      return repo.find(trx, payment.id);
    });
    if (!opened) throw new NotFoundError('payment');
    await deps.announce(opened);
    return opened;
  }

  const port: PaymentsPort = {
    async assertCanTake(store, method) {
      if (method === 'cash') return;
      const settings = await deps.settings.effective(store.id);
      const provider: PaymentProvider | null = settings.provider
        ? await deps.providers.named(settings.provider, store.organization_id)
        : null;
      if (!provider)
        throw new UnprocessableError(
          'ONLINE_PAYMENT_UNAVAILABLE',
          'This store takes no online payments; pay at the counter.',
          [{ path: '/payment/method', message: 'must be cash here', code: 'ONLINE_PAYMENT_UNAVAILABLE' }],
        );
      // Fail fast while the provider's circuit is open: no order is placed for nobody to pay.
      if (!provider.available())
        throw new ServiceUnavailableError(
          'PAYMENT_PROVIDER_UNAVAILABLE',
          'Online payment is unavailable right now (the provider is failing); nothing was ordered or charged. Try again shortly or pay at the counter.',
          10,
        );
    },

    async createIn(trx: Tx, order: PaymentOpening) {
      const now = deps.clock();
      const provider = order.method === 'cash' ? 'cash' : (await deps.settings.effective(order.store_id, trx)).provider;
      // assertCanTake ran before the transaction; a settings change since is a conflict, not a cash order.
      if (provider === null)
        throw new ConflictError(
          'CONCURRENT_UPDATE',
          'The store’s payment settings changed while the order was placed; retry.',
        );
      const id = uuidv7();
      await repo.insertPayment(trx, {
        id,
        organization_id: order.organization_id,
        store_id: order.store_id,
        order_id: order.id,
        provider,
        // Cash needs nothing set up: it waits for the counter from the start.
        status: provider === 'cash' ? 'requires_payment' : 'pending',
        currency: order.currency,
        amount: order.total,
        created_at: now,
        updated_at: now,
      });
    },

    async open(orderId) {
      const payment = await repo.findByOrder(deps.db, orderId);
      if (!payment || payment.provider === 'cash') return null;
      try {
        return checkoutOf(await openPayment(payment));
      } catch (error) {
        throw providerProblem(error);
      }
    },

    async prepareTotal(orderId, newTotal) {
      const payment = await repo.findByOrder(deps.db, orderId);
      if (!payment || payment.provider === 'cash' || newTotal <= payment.amount_authorized) return;
      if (payment.status !== 'authorized')
        throw new ConflictError('PAYMENT_NOT_AUTHORIZED', 'The payment is not in a state whose amount can change.');
      try {
        const provider = await deps.providers.of(payment);
        await provider.incrementAuthorization(payment.provider_ref!, newTotal, stepKeys.increase(payment.id, newTotal));
      } catch (error) {
        throw providerProblem(error);
      }
    },

    async setTotalIn(trx, orderId, newTotal) {
      const payment = await repo.findByOrder(trx, orderId, { forUpdate: true });
      if (!payment) return;
      const raised = payment.provider !== 'cash' && newTotal > payment.amount_authorized;
      const changed = await repo.changeStatus(trx, {
        paymentId: payment.id,
        from: payment.provider === 'cash' ? ['requires_payment'] : ['authorized'],
        to: payment.status,
        at: deps.clock(),
        changes: { amount: newTotal, ...(raised ? { amount_authorized: newTotal } : {}) },
      });
      if (!changed)
        throw new ConflictError(
          'PAYMENT_ALREADY_CAPTURED',
          'The payment moved on (it is being taken); the tip can no longer be added.',
        );
      if (raised) {
        await repo.recordOperation(trx, {
          id: uuidv7(),
          payment_id: payment.id,
          kind: 'authorization_increase',
          amount: newTotal - payment.amount_authorized,
          step_key: stepKeys.increase(payment.id, newTotal),
          provider_ref: payment.provider_ref,
          occurred_at: deps.clock(),
        });
      }
    },
  };

  return { port, openPayment };
}

export type CheckoutService = ReturnType<typeof createCheckout>;
