// Ordering owns pricing, quotes, orders and their lines, kitchen slots, the order state machine
// and its history, tips, and the live order streams. Other modules reach it only through `api`
// below, its events, the facts it states once (who may see an order, what its statuses mean),
// or the payments port it declares (payments-port.ts).
import { NO_PROMOTIONS, type PromotionsPort } from './promotions-port.js';
import { NO_REWARDS, type RewardsPort } from './rewards-port.js';
import { NO_DELIVERY_ZONES, type DeliveryTermsPort } from './delivery-port.js';
import type { Logger } from 'pino';
import type { PersonalDataVault } from '../../platform/crypto/personal-data.js';
import type { Db, Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import { createLocalFanout, type LiveFanout } from '../../platform/live/index.js';
import type { ResolvedMenu, Channel as CatalogChannel } from '../catalog/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import { createOrderDeliveries } from './deliveries.js';
import { writeDemoOrderIn, type DemoOrderInput } from './demo-orders.js';
import type { OrderingEvents } from './events.js';
import { appendHistory, numberNewOrder } from './history.js';
import type { OrderingSettingsPatch } from './kitchen-schema.js';
import { createOrderFeed } from './live/feed.js';
import type { PaymentChange } from './payment-mirror.js';
import type { PaymentsPort } from './payments-port.js';
import { presentOrder } from './present.js';
import { ordersRepo } from './repo.js';
import { historyRepo } from './history-repo.js';
import { FULFILLED_STATUSES } from './statuses.js';
import { orderingRoutes } from './routes.js';
import { createOrderingService } from './service.js';
import type { StockKeeper } from './stock.js';

export type { OrderingEvents } from './events.js';
export type { Checkout, PaymentOpening, PaymentsPort } from './payments-port.js';
export type { OrderPaymentFacts, PaymentChange } from './payment-mirror.js';
export type {
  PromotionLine,
  PromotionOutcome,
  PromotionQuery,
  PromotionsPort,
  RedemptionPlan,
} from './promotions-port.js';
export type { OrderReward, RewardOutcome, RewardQuery, RewardsPort } from './rewards-port.js';
export type { DeliveryTerms, DeliveryTermsPort, DeliveryTermsQuery, QuoteStatus } from './delivery-port.js';
export type { EndedOrderRow } from './tables.js';
export type { Order, OrderStatus } from './schema.js';
/** The order as the API shows it (a person's data export embeds their orders). */
export { OrderSchema } from './schema.js';
export { priceOrder } from './pricing.js';
/** Exact integer arithmetic for money (marketing's discounts round the way pricing does). */
export { divMod, mulDivRoundHalfUp } from './pricing-math.js';
/** Who may see an order, and who is its own side (its customer, the partner key that placed it: who pays). */
export { isOrderParty, mayViewOrder, type OrderParties } from './access.js';
/** What an order's statuses mean: ended, fulfilled, ended unfulfilled, and whether its stock goes back. */
export { FINAL_STATUSES, FULFILLED_STATUSES, STOCK_RETURNS_FROM, UNFULFILLED_STATUSES } from './statuses.js';
/** The live streams on their own (a node that serves only them: the live feeds' tests). */
export { createOrderFeed, type OrderFeed, type OrderFeedDeps } from './live/feed.js';

/**
 * For src/test-support only (live-factories.ts): ordering's own row writers, so the live feeds'
 * tests can write an order or a status change without placement's checks and without announcing
 * it (they decide who hears of a change). No module may use these; modules go through `api`.
 */
export const orderRowsForTestSupport = {
  insertOrder: ordersRepo.insertOrder,
  findOrder: ordersRepo.findOrder,
  changeStatus: ordersRepo.changeStatus,
  numberNewOrder,
  appendHistory,
};

export interface OrderingDeps {
  db: Db;
  events: EventAppender<OrderingEvents>;
  tenancy: { api: Pick<TenancyApi, 'findStore' | 'openIntervals' | 'findTableByQrToken'> };
  catalog: {
    menuAt(storeId: string, channel: CatalogChannel, at: Date): Promise<ResolvedMenu>;
    invalidate(change: { organizationId: string; storeIds: string[] | null }): Promise<void>;
  };
  inventory: { api: StockKeeper };
  /**
   * Cross-node fan-out for the live streams (kitchen feed, order events, GraphQL subscription).
   * Without it the streams hear only this process's changes (plus their backstop poll).
   */
  live?: LiveFanout;
  /** The streams' backstop poll and keep-alive (LIVE_POLL_INTERVAL_MS, LIVE_HEARTBEAT_MS). */
  liveTiming?: { pollMs: number; heartbeatMs: number };
  /** Marketing's promotions port; without it no promotion applies (tools that build ordering alone). */
  promotions?: PromotionsPort;
  /** Loyalty's rewards port; without it no reward exists. */
  rewards?: RewardsPort;
  /** Delivery's zones, fees and held quotes; without it a delivery is free and goes anywhere. */
  deliveryTerms?: DeliveryTermsPort;
  /** Who takes the money (the payments module, bound late: it is built after ordering). */
  payments?: () => PaymentsPort | null;
  /** Seals and opens orders' delivery details with their organization's data key (ADR 0025). */
  personalData: PersonalDataVault;
  logger: Logger;
  clock?: () => Date;
}

export function createOrderingModule(deps: OrderingDeps) {
  const clock = deps.clock ?? (() => new Date());
  const deliveries = createOrderDeliveries(deps.personalData);
  const feed = createOrderFeed({
    db: deps.db,
    deliveries,
    fanout: deps.live ?? createLocalFanout(deps.logger),
    tenancy: deps.tenancy,
    logger: deps.logger,
    ...deps.liveTiming,
  });
  // After commit, never inside: a sold-out item leaves the cached menus, and live feeds look.
  async function changed(change: { storeId: string; organizationId: string; menuChanged: boolean }): Promise<void> {
    if (change.menuChanged)
      await deps.catalog.invalidate({ organizationId: change.organizationId, storeIds: [change.storeId] });
    await feed
      .announce(change.storeId)
      .catch((error: unknown) =>
        deps.logger.warn({ err: error, store_id: change.storeId }, 'live announce failed; feeds catch up by polling'),
      );
  }
  const service = createOrderingService({
    db: deps.db,
    deliveries,
    clock,
    events: deps.events,
    tenancy: deps.tenancy,
    menu: deps.catalog,
    stock: deps.inventory.api,
    payments: deps.payments ?? (() => null),
    promotions: deps.promotions ?? NO_PROMOTIONS,
    rewards: deps.rewards ?? NO_REWARDS,
    deliveryTerms: deps.deliveryTerms ?? NO_DELIVERY_ZONES,
    changed,
  });

  const surface: ModuleSurface = {
    routes: async (app) => {
      await app.register(orderingRoutes(service));
      await app.register(feed.routes);
    },
    graphqlExtension: feed.graphql,
    jobs: [
      {
        name: 'ordering.expire-unpaid-orders',
        policy: 'singleton',
        cron: '* * * * *',
        retryLimit: 2,
        async handler() {
          const expired = await service.expireUnpaid();
          if (expired > 0) deps.logger.info({ expired }, 'unpaid orders expired');
        },
      },
      {
        // After a data key rotation (and for rows from before the sealing): delivery details
        // move to their organization's newest data key, a batch at a time (ADR 0025).
        name: 'ordering.reseal-deliveries',
        policy: 'singleton',
        cron: '41 * * * *',
        async handler() {
          const rewritten = await deliveries.resealAll(deps.db);
          if (rewritten > 0) deps.logger.info({ rewritten }, 'order delivery details re-sealed');
        },
      },
    ],
  };

  return {
    ...surface,
    /** For src/test-support (live feed nodes, the placement service built alone). */
    deliveries,
    api: {
      /** Every order of a customer as the API shows it, delivery details opened (GET /v1/me/export). */
      customerOrdersForExport: async (ex: Tx | Db, customerId: string) => {
        const rows = await deliveries.openAll(ex, await ordersRepo.allForCustomer(ex, customerId));
        const lines = await ordersRepo.linesOf(
          ex,
          rows.map((row) => row.id),
        );
        return rows.map((row) => ({
          organizationId: row.organization_id,
          order: presentOrder(
            row,
            lines.filter((line) => line.order_id === row.id),
          ),
        }));
      },
      /** Erasure (DELETE /v1/me): the customer's orders lose delivery details and notes, keep money and lines. */
      eraseCustomerDeliveries: (trx: Tx, customerId: string) => ordersRepo.wipeCustomerDeliveries(trx, customerId),
      /** One pass of the delivery re-encryption job (tests, after a rotation). */
      resealDeliveries: () => deliveries.resealAll(deps.db),
      /** Expires unpaid online orders whose time ran out; what the minutely job runs. */
      expireUnpaidOrders: () => service.expireUnpaid(),
      /** The demo seed only: a completed, paid cash dine-in order in the past, inside its transaction (demo-orders.ts). */
      writeDemoOrderIn: (trx: Tx, input: DemoOrderInput) =>
        writeDemoOrderIn(trx, { events: deps.events, payments: deps.payments ?? (() => null) }, input),
      /** Ordering settings of a store, inside the caller's transaction (the demo seed, tests). */
      configureStore: (trx: Tx, input: { organizationId: string; storeId: string; settings: OrderingSettingsPatch }) =>
        service.configureStoreIn(trx, { organizationId: input.organizationId, storeId: input.storeId }, input.settings),
      /** A system transition (payments: accept once paid, cancel when payment fails). Null when the order moved on. */
      applySystemTransition: service.applySystemTransition,
      /** Payments mirror their changes on the order inside their own transaction (see recordPaymentIn). */
      recordPaymentIn: (trx: Tx, orderId: string, change: PaymentChange) =>
        service.recordPaymentIn(trx, orderId, change),
      /** After a payment change committed: the store's live feeds look again. */
      announce: (change: { storeId: string; organizationId: string }) => changed({ ...change, menuChanged: false }),
      /** Ended orders in id order, `limit` after `afterId` (the invariant checker). */
      endedOrders: (page: { afterId: string | null; limit: number }) => service.endedOrders(page),
      /** The facts payments need of an order (amounts, lines, who may see it), or null. */
      orderForPayment: (orderId: string, ex?: Tx) => service.paymentFacts(orderId, ex),
      /** Whether any process has a kitchen feed of the store open now (else staff are mailed new orders). */
      kitchenFeedOpen: feed.kitchenFeedOpen,
      /**
       * What loyalty needs of an order to award its points or claw them back: who ordered, the
       * food (subtotal and the discounts on it, not on delivery), the total, the lines.
       */
      orderForLoyalty: async (orderId: string, ex?: Tx) => {
        const row = await ordersRepo.findOrder(ex ?? deps.db, orderId);
        if (!row) return null;
        const pricing = row.pricing;
        return {
          id: row.id,
          organization_id: row.organization_id,
          customer_id: row.customer_id,
          fulfilled: FULFILLED_STATUSES.includes(row.status),
          currency: row.currency,
          placed_at: row.placed_at,
          subtotal: pricing.subtotal,
          food_discounts: pricing.discounts - (pricing.delivery_discount ?? 0),
          total: row.total,
          lines: pricing.lines.map((line) => ({ item_id: line.item_id, quantity: line.quantity })),
        };
      },
      /**
       * What a review needs of an order (reviews: who may review it, and since when), or null.
       * `fulfilled_at` is when it reached its channel's happy end (picked_up, delivered, completed),
       * from its history; null while it has not.
       */
      orderForReview: async (orderId: string, ex?: Tx) => {
        const row = await ordersRepo.findOrder(ex ?? deps.db, orderId);
        if (!row) return null;
        const fulfilled = FULFILLED_STATUSES.includes(row.status);
        const entry = fulfilled
          ? (await historyRepo.entriesOf(ex ?? deps.db, orderId)).find((e) => e.to_status === row.status)
          : undefined;
        return {
          id: row.id,
          organization_id: row.organization_id,
          store_id: row.store_id,
          customer_id: row.customer_id,
          channel: row.channel,
          status: row.status,
          fulfilled_at: fulfilled ? (entry?.occurred_at ?? row.updated_at) : null,
        };
      },
    },
  };
}

export type OrderingModule = ReturnType<typeof createOrderingModule>;
/** Ordering's public api; other modules take the part they need (`Pick<OrderingApi, 'recordPaymentIn'>`). */
export type OrderingApi = OrderingModule['api'];
