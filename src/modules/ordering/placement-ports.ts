// What placing an order needs from the rest of the house, one port per question it asks: where
// (the store), what (the menu), how many are left (stock), when and how much the kitchen can take
// (the kitchen) and who pays (payment). service.ts binds them. Who ordered becomes the brand's
// customer from the order's event (modules.ts), not in this transaction: one customer's orders
// would otherwise all queue on one row.
import type { Db } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import type { Channel as CatalogChannel, ResolvedMenu } from '../catalog/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import type { OrderingEvents } from './events.js';
import type { OrderDeliveries } from './deliveries.js';
import type { DeliveryTermsPort } from './delivery-port.js';
import type { Kitchen } from './kitchen.js';
import type { PaymentsPort } from './payments-port.js';
import type { PromotionsPort } from './promotions-port.js';
import type { RewardsPort } from './rewards-port.js';
import type { StockKeeper } from './stock.js';

/** The store the order is for: its basics, its opening hours, its tables' QR codes (tenancy). */
export type StorePort = Pick<TenancyApi, 'findStore' | 'openIntervals' | 'findTableByQrToken'>;

/** What the store serves on a channel at an instant (catalog's menu resolver). */
export interface MenuPort {
  menuAt(storeId: string, channel: CatalogChannel, at: Date): Promise<ResolvedMenu>;
}

/** Tracked stock: levels read before the transaction, the order's reservation inside it (inventory). */
export type StockPort = Pick<StockKeeper, 'levelsOf' | 'reserve'>;

/** How the store takes orders and what its kitchen slots still hold (ordering's own, kitchen.ts). */
export type KitchenPort = Pick<Kitchen, 'settingsOf' | 'firstSlotWithRoom' | 'takeSlotIn'>;

export interface PaymentPort {
  /** Who takes the money; null when nothing does (tools that build ordering alone): orders are then cash-only. */
  taker(): PaymentsPort | null;
  /** The compensation when an online order's payment cannot be started: the order is cancelled and gives back its holds. */
  cancelUnpayable(orderId: string): Promise<void>;
}

export interface PlacementDeps {
  db: Db;
  /** Seals the order's delivery details at write, opens them to present it (deliveries.ts). */
  deliveries: OrderDeliveries;
  clock: () => Date;
  store: StorePort;
  menu: MenuPort;
  stock: StockPort;
  kitchen: KitchenPort;
  payment: PaymentPort;
  /** Marketing: the basket's promotions, and their redemptions held in the order's transaction. */
  promotions: PromotionsPort;
  /** Loyalty: what a reward takes off, and its points held in the order's transaction. */
  rewards: RewardsPort;
  /** Delivery: the zone, fee and ETA of a delivery basket, and the quote that holds them. */
  deliveryTerms: DeliveryTermsPort;
  /** Whether a customer already has an order at the brand that did not end unfulfilled. */
  hasOrderedAt(customerId: string, organizationId: string): Promise<boolean>;
  /** The outbox: the order's events are appended in its transaction. */
  events: EventAppender<OrderingEvents>;
  /** After commit: the store's orders changed (live feeds, sold-out menus). */
  changed(change: { storeId: string; organizationId: string; menuChanged: boolean }): Promise<void>;
}
