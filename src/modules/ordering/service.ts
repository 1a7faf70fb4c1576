// Ordering's use cases, in one place: what the routes call (quote, place, read, move, tip, list,
// the store's ordering settings and slots) and what the module's api and jobs call (system
// transitions, the payment mirror, expiry). It wires the module's parts — settings, the kitchen,
// placement, transitions, reading, tips — from the other modules' ports; each rule lives in the
// part that owns it.
import type { Principal } from '../../platform/auth/principal.js';
import type { Db, Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import type { OrderBody } from './basket-schema.js';
import type { OrderingEvents } from './events.js';
import type { OrderDeliveries } from './deliveries.js';
import { createKitchen } from './kitchen.js';
import type { OrderingSettingsPatch } from './kitchen-schema.js';
import { createOrderReading } from './orders.js';
import { createPaymentMirror, type PaymentChange } from './payment-mirror.js';
import type { PaymentsPort } from './payments-port.js';
import type { PromotionsPort } from './promotions-port.js';
import type { RewardsPort } from './rewards-port.js';
import type { DeliveryTermsPort } from './delivery-port.js';
import { ordersRepo as repo } from './repo.js';
import { createPlacementService, type PlacementRequest } from './placement.js';
import type { MenuPort } from './placement-ports.js';
import type { Money, StoreOrdersQuery, TransitionBody } from './schema.js';
import { createSettingsService } from './settings.js';
import { UNPAYABLE_AT_PLACEMENT } from './statuses.js';
import { createSlotListing } from './slot-listing.js';
import type { StockKeeper } from './stock.js';
import { createTipService } from './tips.js';
import { createTransitions } from './transitions.js';

export interface OrderingServiceDeps {
  db: Db;
  deliveries: OrderDeliveries;
  clock: () => Date;
  events: EventAppender<OrderingEvents>;
  tenancy: { api: Pick<TenancyApi, 'findStore' | 'openIntervals' | 'findTableByQrToken'> };
  menu: MenuPort;
  stock: StockKeeper;
  /** Who takes the money (bound late: payments is built after ordering); null: cash only. */
  payments: () => PaymentsPort | null;
  /** Marketing's promotions (NO_PROMOTIONS when ordering is built alone). */
  promotions: PromotionsPort;
  /** Loyalty's rewards (NO_REWARDS when ordering is built alone). */
  rewards: RewardsPort;
  /** Delivery's zones and quotes (NO_DELIVERY_ZONES when ordering is built alone). */
  deliveryTerms: DeliveryTermsPort;
  /** After commit: the store's orders changed (live feeds, and the menu when stock moved). */
  changed(change: { storeId: string; organizationId: string; menuChanged: boolean }): Promise<void>;
}

export function createOrderingService(deps: OrderingServiceDeps) {
  const { db, clock, events, changed, deliveries } = deps;
  const settings = createSettingsService({ db, tenancy: deps.tenancy, clock });
  const kitchen = createKitchen({ db, settings });
  const { promotions, rewards } = deps;
  const transitions = createTransitions({
    db,
    deliveries,
    clock,
    events,
    changed,
    stock: deps.stock,
    promotions,
    rewards,
  });
  const reading = createOrderReading({ db, deliveries, tenancy: deps.tenancy });
  const paymentMirror = createPaymentMirror({ db, clock, events, settings, transitions, promotions, rewards });
  const placement = createPlacementService({
    db,
    deliveries,
    clock,
    events,
    changed,
    store: deps.tenancy.api,
    menu: deps.menu,
    stock: deps.stock,
    kitchen,
    promotions,
    rewards,
    deliveryTerms: deps.deliveryTerms,
    hasOrderedAt: (customerId, organizationId) => repo.hasOrderedAt(db, customerId, organizationId),
    payment: {
      taker: deps.payments,
      cancelUnpayable: async (orderId) => {
        await transitions.applySystem(orderId, 'cancel', UNPAYABLE_AT_PLACEMENT);
      },
    },
  });
  const tips = createTipService({ db, deliveries, clock, events, changed, payments: deps.payments });
  const listSlots = createSlotListing({ db, clock, tenancy: deps.tenancy, settings });

  return {
    // --- what the routes call -----------------------------------------------------------------

    /** A day's kitchen slots with what is left of each (public). */
    listSlots,
    /** Would this basket go through now, and at what price? Reserves nothing. */
    quoteOrder: (principal: Principal | null, storeId: string, body: OrderBody) =>
      placement.quoteOrder(principal, storeId, body),
    /** Places the order (or gives back the one this caller already placed with the key or external id). */
    placeOrder: (request: PlacementRequest) => placement.placeOrder(request),
    getOrder: reading.getOrder,
    transitionOrder: (principal: Principal | null, orderId: string, body: TransitionBody, ifMatch?: string) =>
      transitions.transition(principal, orderId, body, ifMatch),
    setTip: (principal: Principal | null, orderId: string, tip: Money, ifMatch?: string) =>
      tips.setTip(principal, orderId, tip, ifMatch),
    customerOrders: reading.customerOrders,
    storeOrders: (principal: Principal | null, storeId: string, query: StoreOrdersQuery) =>
      reading.storeOrders(principal, storeId, query),
    readSettings: (principal: Principal | null, storeId: string) => settings.read(principal, storeId),
    updateSettings: (
      principal: Principal | null,
      storeId: string,
      patch: OrderingSettingsPatch,
      ifMatch: string | undefined,
    ) => settings.update(principal, storeId, patch, ifMatch),

    // --- what the module's api and jobs call --------------------------------------------------

    /** Ordering settings of a store, inside the caller's transaction (the demo seed, tests). */
    configureStoreIn: (trx: Tx, store: { organizationId: string; storeId: string }, patch: OrderingSettingsPatch) =>
      settings.saveIn(trx, store, patch),
    /** A system transition (payments, expiry, compensation). Null when the order moved on. */
    applySystemTransition: transitions.applySystem,
    recordPaymentIn: (trx: Tx, orderId: string, change: PaymentChange) =>
      paymentMirror.recordPaymentIn(trx, orderId, change),
    paymentFacts: (orderId: string, ex?: Db | Tx) => paymentMirror.paymentFacts(orderId, ex),
    endedOrders: reading.endedOrders,
    expireUnpaid: () => transitions.expireUnpaid(),
  };
}

export type OrderingService = ReturnType<typeof createOrderingService>;
