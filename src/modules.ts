// Wires the modules together. Each module builds itself in its own index.ts; this file only
// passes each one the narrow slice of the others that it needs, and the event plumbing.
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from './config/index.js';
import type { AccessTokenIssuer } from './platform/auth/tokens.js';
import { createPersonalDataVault, personalDataKeysFrom } from './platform/crypto/personal-data.js';
import { useMessageSealing } from './platform/messages/index.js';
import type { Db } from './platform/db/index.js';
import type { DispatchLoop } from './platform/dispatch/loop.js';
import type { ModuleSurface } from './platform/http/module.js';
import type { LiveFanout } from './platform/live/index.js';
import { createEventAppender, createEventBus, type EventAppender, type EventBus } from './platform/events/index.js';
import { createOutbound } from './platform/resilience/outbound.js';
import { createLateJobSender, type JobSender } from './platform/jobs/queue.js';
import { createIdentityModule, type IdentityEvents } from './modules/identity/index.js';
import { createTenancyModule, type TenancyEvents } from './modules/tenancy/index.js';
import { createCatalogModule, type CatalogEvents } from './modules/catalog/index.js';
import { createOrderingModule, type OrderingEvents } from './modules/ordering/index.js';
import { createInventoryModule, type InventoryEvents } from './modules/inventory/index.js';
import { createPaymentsModule, type PaymentsEvents, type PaymentsModule } from './modules/payments/index.js';
import { createMarketingModule } from './modules/marketing/index.js';
import { createLoyaltyModule } from './modules/loyalty/index.js';
import { createDeliveryModule } from './modules/delivery/index.js';
import { createReviewsModule, type ReviewsEvents } from './modules/reviews/index.js';
import { createWebhooksModule } from './modules/webhooks/index.js';
import { createNotificationsModule } from './modules/notifications/index.js';

/** Every domain event Brigade appends: the union of the modules' event maps. */
export type DomainEvents = TenancyEvents &
  IdentityEvents &
  CatalogEvents &
  InventoryEvents &
  OrderingEvents &
  PaymentsEvents &
  ReviewsEvents;

export interface DomainEventWiring {
  /** Modules append through it, inside their transactions. */
  appender: EventAppender<DomainEvents>;
  /** Modules subscribe on it at creation; the outbox relay (worker role) delivers to it. */
  bus: EventBus<DomainEvents>;
}

export function createDomainEvents(): DomainEventWiring {
  return { appender: createEventAppender<DomainEvents>(), bus: createEventBus<DomainEvents>() };
}

export interface ModuleDeps {
  config: Config;
  db: Db;
  tokens: AccessTokenIssuer;
  logger: Logger;
  /** Shared cache and cross-node invalidation for the storefront when set. */
  redis?: Redis | null;
  /**
   * Pass the wiring whose `bus` the relay delivers to. Without it the modules get a fresh one:
   * appending works the same (events go to the outbox table either way), but subscriptions made
   * on it are seen by no relay — fine for an api-only process and for tests of the HTTP surface.
   */
  events?: DomainEventWiring;
  /** The modules' clock (tests move it to exercise opening hours and expiry). Default: real time. */
  clock?: () => Date;
  /** Cross-node fan-out for live streams; without it, streams hear only this process's changes. */
  live?: LiveFanout;
  /**
   * Where modules send background jobs. The worker role attaches its started queue to it; in a
   * process without one (api role, tests of the HTTP surface) sending fails loudly. Default: a
   * fresh, unattached sender.
   */
  jobs?: JobSender;
  /** The database pool, for the senders' LISTEN connections (without it they poll). */
  pool?: pg.Pool;
  /** The process's metrics registry, for the modules' own metrics (outbound calls, reconciliation). */
  registry?: Registry;
}

export function createModules(deps: ModuleDeps) {
  const events = deps.events ?? createDomainEvents();
  // One vault per process: personal data sealed with per-organization data keys (ADR 0025).
  const personalData = createPersonalDataVault(
    personalDataKeysFrom({ ...deps.config.personalData, dataDir: deps.config.dataDir }),
  );
  useMessageSealing(personalData);
  // One set of outbound policies per process: payment providers and the maps provider, each
  // destination its own breaker and bulkhead, measured on one registry.
  const outbound = createOutbound(deps.config.outbound, deps.registry);
  const identity = createIdentityModule({
    db: deps.db,
    tokens: deps.tokens,
    auth: deps.config.auth,
    production: deps.config.nodeEnv === 'production',
    events: events.appender,
    personalData,
    // Ordering is built below; the port is only called by requests, once both exist.
    customerOrders: () => ({
      ordersOf: (ex, customerId) => ordering.api.customerOrdersForExport(ex, customerId),
      eraseOrdersOf: (trx, customerId) => ordering.api.eraseCustomerDeliveries(trx, customerId),
    }),
    forgetPerson: async (trx, person) => {
      await notifications.api.forgetPerson(trx, person);
      await delivery.api.forgetCustomer(trx, person.userId);
    },
  });
  const tenancy = createTenancyModule({ db: deps.db, identity, events: events.appender, clock: deps.clock });
  const catalog = createCatalogModule({
    db: deps.db,
    events: events.appender,
    tenancy,
    redis: deps.redis ?? null,
    logger: deps.logger,
    clock: deps.clock,
  });
  const inventory = createInventoryModule({ db: deps.db, events: events.appender, catalog, tenancy });
  // A store's hours, time zone or currency shape its storefront menu: when the store changes,
  // its cached menus go (the store version is also in the menu's ETag).
  events.bus.subscribe('tenancy.store.updated', 'catalog.refresh-store-menu', async (event) => {
    await catalog.invalidate({ organizationId: event.data.organization_id, storeIds: [event.data.store_id] });
  });
  // A person who orders becomes a customer of the brand (staff find them in the customer search).
  // From the order's event rather than inside placement: every order of one customer would
  // otherwise update one row in its transaction and queue behind the others (issue 21 #4).
  events.bus.subscribe('ordering.order.placed', 'identity.record-customer', async (event, { trx }) => {
    if (event.data.customer_id === null) return;
    await identity.api.recordCustomer(trx, {
      organizationId: event.data.organization_id,
      userId: event.data.customer_id,
      at: new Date(event.time),
    });
  });
  // Promotions price baskets and hold their redemptions in ordering's transactions.
  const marketing = createMarketingModule({ db: deps.db, tenancy, catalog, clock: deps.clock });
  // Rewards are applied like discounts and hold their points in ordering's transactions; points
  // are earned and clawed back from ordering's and payments' events.
  const loyalty = createLoyaltyModule({
    db: deps.db,
    bus: events.bus,
    catalog,
    tenancy,
    orderFacts: (orderId, trx) => ordering.api.orderForLoyalty(orderId, trx),
    logger: deps.logger,
    clock: deps.clock,
  });
  // Delivery prices delivery baskets (zone, fee, ETA) before ordering's transaction.
  const delivery = createDeliveryModule({
    db: deps.db,
    config: deps.config,
    tenancy,
    logger: deps.logger,
    outbound,
    clock: deps.clock,
  });
  // Ordering takes payments through a port; payments records back into ordering. Payments is
  // built second, so ordering reads it through a function bound once both exist.
  let payments: PaymentsModule | null = null;
  const ordering = createOrderingModule({
    db: deps.db,
    events: events.appender,
    tenancy,
    catalog,
    inventory,
    logger: deps.logger,
    clock: deps.clock,
    live: deps.live,
    liveTiming: deps.config.live,
    payments: () => payments?.port ?? null,
    promotions: marketing.port,
    rewards: loyalty.port,
    deliveryTerms: delivery.terms,
    personalData,
  });
  payments = createPaymentsModule({
    db: deps.db,
    config: deps.config,
    events: events.appender,
    bus: events.bus,
    jobs: deps.jobs ?? createLateJobSender(),
    ordering,
    inventory,
    marketing,
    loyalty,
    tenancy,
    registry: deps.registry,
    outbound,
    logger: deps.logger,
    clock: deps.clock,
  });
  // Reviews read an order's facts through ordering's api (who may review it, since when).
  const reviews = createReviewsModule({
    db: deps.db,
    events: events.appender,
    ordering,
    tenancy,
    logger: deps.logger,
    redis: deps.redis ?? null,
    live: deps.live,
    clock: deps.clock,
  });
  // Partners hear of orders, payments and reviews through the outbox: fanned out by the relay,
  // sent by the worker's loop.
  const webhooks = createWebhooksModule({
    db: deps.db,
    pool: deps.pool,
    bus: events.bus,
    vault: personalData,
    config: deps.config,
    logger: deps.logger,
    clock: deps.clock,
    registry: deps.registry,
    ownersOf: async (trx, organizationId) => {
      const ids = await identity.api.ownerIdsOf(trx, organizationId);
      const contacts = await Promise.all(ids.map((id) => identity.api.contactOf(trx, id)));
      return contacts.filter((contact) => contact !== null);
    },
  });
  // Guests hear of their orders by email and SMS from ordering's events, staff of new orders no
  // kitchen display shows and of low stock; the worker's loop sends.
  const notifications = createNotificationsModule({
    db: deps.db,
    config: deps.config,
    bus: events.bus,
    personalData,
    identity,
    tenancy,
    orderFacts: (orderId, trx) => ordering.api.orderForPayment(orderId, trx),
    kitchenFeedOpen: (trx, storeId) => ordering.api.kitchenFeedOpen(trx, storeId),
    itemName: async (itemId, trx) => (await catalog.api.findItem(itemId, trx))?.name ?? null,
    logger: deps.logger,
    clock: deps.clock,
  });
  return {
    identity,
    tenancy,
    catalog,
    inventory,
    marketing,
    loyalty,
    delivery,
    ordering,
    payments,
    reviews,
    webhooks,
    notifications,
  };
}

export type Modules = ReturnType<typeof createModules>;

/** The senders the modules run in the worker role (webhooks, emails, SMS). */
export const moduleLoops = (modules: Modules): DispatchLoop[] =>
  Object.values(modules).flatMap((module) => (module as Partial<ModuleSurface>).loops ?? []);
