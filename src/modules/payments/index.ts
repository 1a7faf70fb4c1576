// Payments owns payment intents and their state machine, refunds, provider credentials and the
// providers themselves (cash, the sandbox, Stripe), verified webhooks and the checkout saga.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../../config/index.js';
import { createCrashPoints } from '../../platform/crash-points.js';
import { loadOrCreateDevSecret } from '../../platform/crypto/dev-secret.js';
import { createSealer } from '../../platform/crypto/sealing.js';
import type { Db, Tx } from '../../platform/db/index.js';
import type { EventAppender, EventBus } from '../../platform/events/index.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import type { JobSender } from '../../platform/jobs/queue.js';
import { createOutbound, type Outbound } from '../../platform/resilience/outbound.js';
import type { OrderingApi, OrderingEvents } from '../ordering/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import { createCheckout } from './checkout.js';
import { createCredentials } from './credentials.js';
import type { PaymentsEvents } from './events.js';
import { createInvariantChecker, type InvariantDeps } from './invariants.js';
import { createProviderRegistry } from './providers/registry.js';
import { createReconciler } from './reconcile.js';
import { createPaymentRecorder } from './record.js';
import { paymentsRepo, type PaymentRow } from './repo.js';
import { paymentRoutes } from './routes.js';
import { createSaga } from './saga.js';
import { createPaymentsService } from './service.js';
import { createPaymentSettings } from './settings.js';
import { createWebhooks } from './webhooks.js';

export type { PaymentsEvents } from './events.js';
export type { InvariantReport } from './schema.js';
export { createSandboxProcessor, type SandboxProcessor, type SandboxProcessorDeps } from './sandbox/processor.js';
export type { EventJson as SandboxEventJson, IntentJson as SandboxIntentJson } from './sandbox/present.js';

export interface PaymentsDeps {
  db: Db;
  config: Config;
  events: EventAppender<PaymentsEvents>;
  /** The bus the outbox relay delivers to (worker role): the saga subscribes on it. */
  bus: Pick<EventBus<PaymentsEvents & OrderingEvents>, 'subscribe'>;
  /** The saga's jobs are sent through it (the queue starts after the modules, in the worker role). */
  jobs: JobSender;
  ordering: { api: Pick<OrderingApi, 'recordPaymentIn' | 'orderForPayment' | 'endedOrders' | 'announce'> };
  inventory: { api: Parameters<typeof createInvariantChecker>[0]['inventory']['api'] };
  /** The promotions' ledger, for the invariant checker. */
  marketing?: InvariantDeps['marketing'];
  loyalty?: InvariantDeps['loyalty'];
  tenancy: { api: Pick<TenancyApi, 'findStore' | 'findOrganization'> };
  registry?: Registry;
  /** The process's outbound policies (one set of metrics); default: its own. */
  outbound?: Outbound;
  logger: Logger;
  clock?: () => Date;
}

/** The sandbox processor's keys: from config, or generated once into the data folder in development. */
export function sandboxKeys(config: Config): { secretKey: string; webhookSecret: string } | null {
  const sandbox = config.payments.sandbox;
  if (!sandbox.enabled) return null;
  return {
    secretKey:
      sandbox.secretKey ??
      `sk_sandbox_${loadOrCreateDevSecret(config.dataDir, 'sandbox-secret-key').replace(/[^A-Za-z0-9]/g, '')}`,
    webhookSecret: sandbox.webhookSecret ?? loadOrCreateDevSecret(config.dataDir, 'sandbox-webhook-secret'),
  };
}

export function createPaymentsModule(deps: PaymentsDeps) {
  const clock = deps.clock ?? (() => new Date());
  const { config, db, logger } = deps;
  const encryptionKey =
    config.payments.encryptionKey ??
    Buffer.from(loadOrCreateDevSecret(config.dataDir, 'payments-encryption-key'), 'base64');
  const sealer = createSealer(encryptionKey);
  const outbound = deps.outbound ?? createOutbound(config.outbound, deps.registry);
  const providers = createProviderRegistry({
    db,
    config: config.payments,
    sandboxKeys: sandboxKeys(config),
    outbound,
    sealer,
  });
  const settings = createPaymentSettings({ db, clock, tenancy: deps.tenancy, providers });
  const recorder = createPaymentRecorder({ clock, events: deps.events, ordering: deps.ordering });
  const announce = (payment: PaymentRow) =>
    deps.ordering.api
      .announce({ storeId: payment.store_id, organizationId: payment.organization_id })
      .catch((error: unknown) => logger.warn({ err: error }, 'live announce failed'));
  const checkout = createCheckout({ db, clock, providers, settings, recorder, announce });
  const service = createPaymentsService({ db, providers, recorder, ordering: deps.ordering, announce });
  const credentials = createCredentials({
    db,
    clock,
    sealer,
    publicUrl: config.payments.publicUrl,
    tenancy: deps.tenancy,
  });
  const invariants = createInvariantChecker({
    db,
    clock,
    ordering: deps.ordering,
    inventory: deps.inventory,
    marketing: deps.marketing,
    loyalty: deps.loyalty,
  });
  const webhooks = createWebhooks({ db, clock, providers, recorder, logger, announce });
  const saga = createSaga({
    db,
    providers,
    recorder,
    settings,
    jobs: deps.jobs,
    crash: createCrashPoints(config.crashAt),
    logger,
    announce,
  });
  const reconciler = createReconciler({
    db,
    clock,
    afterSeconds: config.payments.reconcileAfterSeconds,
    providers,
    recorder,
    checkout,
    ordering: deps.ordering,
    jobs: deps.jobs,
    logger,
    registry: deps.registry,
    announce,
  });
  saga.subscribe(deps.bus);

  const surface: ModuleSurface = {
    routes: async (app) => {
      await app.register(paymentRoutes({ payments: service, settings, credentials, invariants }));
      await app.register(webhooks.routes);
    },
    jobs: [...saga.jobs, reconciler.job],
  };

  return {
    ...surface,
    /** What ordering takes payments through (bound late in modules.ts). */
    port: checkout.port,
    api: {
      /** The invariant checker (brigade check, the admin endpoint, the fault tests). */
      checkInvariants: (options: { graceSeconds: number } = { graceSeconds: 0 }) => invariants.check(options),
      /**
       * The demo seed's completed cash orders (ordering's writeDemoOrderIn): the counter took the
       * money, so the payment is captured for its amount as the saga would, in the caller's transaction.
       */
      takeCashIn: async (trx: Tx, orderId: string) => {
        const payment = await paymentsRepo.findByOrder(trx, orderId, { forUpdate: true });
        if (payment?.provider !== 'cash') throw new Error(`order ${orderId} has no cash payment`);
        await recorder.captured(trx, payment, payment.amount);
      },
      /** One reconciliation pass now (what the minutely job runs). */
      reconcile: () => reconciler.run(),
      /** The outbound policies' view of a provider (tests, health). */
      providerAvailable: (destination: string) => outbound.available(destination),
    },
  };
}

export type PaymentsModule = ReturnType<typeof createPaymentsModule>;
