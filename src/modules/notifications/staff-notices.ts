// Staff hear what needs a person in the store (ADR 0032). A new order is mailed to the store's
// staff only when no kitchen display has the store's feed open (a screen already shows it); an
// online order counts as new once its payment is authorized, a cash order once placed. A stock
// level crossing its low-stock mark is mailed to the store's managers. Recipients are the store's
// own memberships and the brand's; when a store has nobody in that role, the owners are told.
// Keyed by (event, template, channel, person): an event delivered twice makes one message.
import type { StaffRole } from '../../platform/auth/principal.js';
import type { Tx } from '../../platform/db/index.js';
import type { EventBus } from '../../platform/events/index.js';
import type { InventoryEvents } from '../inventory/index.js';
import type { OrderingEvents } from '../ordering/index.js';
import type { StaffTemplate } from './catalogue.js';
import type { NoticeOrderFacts } from './guest-notices.js';
import type { Preferences } from './preferences.js';
import { tellPerson } from './tell-person.js';

export interface StaffNoticeDeps {
  bus: EventBus<OrderingEvents & InventoryEvents>;
  orderFacts: (orderId: string, trx: Tx) => Promise<NoticeOrderFacts | null>;
  /** Whether a kitchen display follows the store's orders right now (ordering's presence rows). */
  kitchenFeedOpen: (trx: Tx, storeId: string) => Promise<boolean>;
  staffIdsAt: (trx: Tx, organizationId: string, storeId: string, roles: StaffRole[]) => Promise<string[]>;
  contactOf: (trx: Tx, userId: string) => Promise<{ email: string; name: string } | null>;
  preferencesOf: (trx: Tx, userId: string) => Promise<Preferences>;
  storeName: (storeId: string, trx: Tx) => Promise<string | null>;
  itemName: (itemId: string, trx: Tx) => Promise<string | null>;
}

const SUBSCRIBER = 'notifications.tell-staff';

export function subscribeStaffNotices(deps: StaffNoticeDeps): void {
  async function recipients(trx: Tx, organizationId: string, storeId: string, roles: StaffRole[]) {
    const ids = await deps.staffIdsAt(trx, organizationId, storeId, roles);
    return ids.length > 0 ? ids : deps.staffIdsAt(trx, organizationId, storeId, ['owner']);
  }

  async function tell(
    trx: Tx,
    message: {
      eventId: string;
      organizationId: string;
      storeId: string;
      roles: StaffRole[];
      template: StaffTemplate;
      data: Record<string, unknown>;
    },
  ): Promise<void> {
    for (const userId of await recipients(trx, message.organizationId, message.storeId, message.roles)) {
      const contact = await deps.contactOf(trx, userId);
      if (!contact) continue;
      await tellPerson(trx, {
        contact,
        preferences: await deps.preferencesOf(trx, userId),
        template: message.template,
        data: { name: contact.name, ...message.data },
        organizationId: message.organizationId,
        dedupeKey: (channel) => `${message.eventId}:${message.template}:${channel}:${userId}`,
      });
    }
  }

  async function newOrder(trx: Tx, eventId: string, orderId: string): Promise<void> {
    const order = await deps.orderFacts(orderId, trx);
    if (!order || (await deps.kitchenFeedOpen(trx, order.store_id))) return;
    await tell(trx, {
      eventId,
      organizationId: order.organization_id,
      storeId: order.store_id,
      roles: ['manager', 'staff'],
      template: 'notifications.staff_new_order',
      data: {
        order_number: order.number,
        order_id: orderId,
        store_name: (await deps.storeName(order.store_id, trx)) ?? '',
        channel: order.channel,
        pickup: order.channel === 'pickup',
        delivery: order.channel === 'delivery',
        dine_in: order.channel === 'dine_in',
        lines: order.lines.map((line) => ({ name: line.name, quantity: line.quantity })),
        total: { amount: order.total, currency: order.currency },
      },
    });
  }

  deps.bus.subscribe('ordering.order.placed', SUBSCRIBER, async (event, { trx }) => {
    // An online order is not the kitchen's until its payment is authorized (the next event).
    if (event.data.payment_method !== 'cash') return;
    await newOrder(trx, event.id, event.data.order_id);
  });
  deps.bus.subscribe('ordering.order.payment_authorized', SUBSCRIBER, async (event, { trx }) => {
    await newOrder(trx, event.id, event.data.order_id);
  });
  deps.bus.subscribe('inventory.stock.low', SUBSCRIBER, async (event, { trx }) => {
    const { organization_id, store_id, item_id } = event.data;
    await tell(trx, {
      eventId: event.id,
      organizationId: organization_id,
      storeId: store_id,
      roles: ['manager'],
      template: 'notifications.staff_low_stock',
      data: {
        item_name: (await deps.itemName(item_id, trx)) ?? item_id,
        item_id,
        quantity: event.data.quantity,
        low_stock_at: event.data.low_stock_at,
        store_name: (await deps.storeName(store_id, trx)) ?? '',
      },
    });
  });
}
