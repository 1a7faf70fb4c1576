// Guests hear about their orders from ordering's events (after the order's transaction
// committed, through the outbox): confirmed, ready for pickup, on its way, delivered, cancelled
// or rejected (and whether a refund follows). Each becomes a message per channel the guest
// allows, in the guest's language and the brand's wording, keyed by (event, template, channel,
// guest) so an event delivered twice makes one message. The order's facts are copied into the
// message as they were at the event.
import type { Tx } from '../../platform/db/index.js';
import type { CloudEvent, EventBus } from '../../platform/events/index.js';
import type { OrderingEvents } from '../ordering/index.js';
import type { GuestTemplate } from './catalogue.js';
import type { Preferences } from './preferences.js';
import { tellPerson } from './tell-person.js';

/** What notifications reads of an order (ordering's api). */
export interface NoticeOrderFacts {
  organization_id: string;
  store_id: string;
  customer_id: string | null;
  number: string;
  channel: string;
  payment_method: string;
  payment_status: string;
  total: number;
  currency: string;
  lines: Array<{ name: string; quantity: number; total: number }>;
}

export interface GuestNoticeDeps {
  bus: EventBus<OrderingEvents>;
  orderFacts: (orderId: string, trx: Tx) => Promise<NoticeOrderFacts | null>;
  contactOf: (trx: Tx, userId: string) => Promise<{ email: string; name: string } | null>;
  storeName: (storeId: string, trx: Tx) => Promise<string | null>;
  preferencesOf: (trx: Tx, userId: string) => Promise<Preferences>;
}

type TransitionEvent =
  | 'ordering.order.accepted'
  | 'ordering.order.marked_ready'
  | 'ordering.order.dispatched'
  | 'ordering.order.delivered'
  | 'ordering.order.cancelled'
  | 'ordering.order.rejected';

const NOTICES: Array<{ event: TransitionEvent; template: GuestTemplate; pickupOnly?: boolean }> = [
  { event: 'ordering.order.accepted', template: 'notifications.order_confirmed' },
  { event: 'ordering.order.marked_ready', template: 'notifications.order_ready', pickupOnly: true },
  { event: 'ordering.order.dispatched', template: 'notifications.order_out_for_delivery' },
  { event: 'ordering.order.delivered', template: 'notifications.order_delivered' },
  { event: 'ordering.order.cancelled', template: 'notifications.order_cancelled' },
  { event: 'ordering.order.rejected', template: 'notifications.order_rejected' },
];
const ENDINGS = new Set<GuestTemplate>(['notifications.order_cancelled', 'notifications.order_rejected']);

const money = (amount: number, currency: string) => ({ amount, currency });

/** What an ended order means for the guest's money: a captured payment is refunded, a hold released. */
function refundFacts(order: NoticeOrderFacts) {
  if (order.payment_method !== 'online') return { refund: null, hold_released: false };
  if (order.payment_status === 'paid' || order.payment_status === 'refunded')
    return { refund: { amount: money(order.total, order.currency) }, hold_released: false };
  return { refund: null, hold_released: order.payment_status === 'authorized' || order.payment_status === 'voided' };
}

export function subscribeGuestNotices(deps: GuestNoticeDeps): void {
  async function notify(
    event: CloudEvent<string, OrderingEvents[TransitionEvent]>,
    trx: Tx,
    template: GuestTemplate,
  ): Promise<void> {
    const order = await deps.orderFacts(event.data.order_id, trx);
    if (!order || order.customer_id === null) return;
    const contact = await deps.contactOf(trx, order.customer_id);
    if (!contact) return;
    const preferences = await deps.preferencesOf(trx, order.customer_id);
    const data = {
      customer_name: contact.name,
      order_number: order.number,
      store_name: (await deps.storeName(order.store_id, trx)) ?? '',
      channel: order.channel,
      pickup: order.channel === 'pickup',
      delivery: order.channel === 'delivery',
      lines: order.lines.map((line) => ({
        name: line.name,
        quantity: line.quantity,
        total: money(line.total, order.currency),
      })),
      total: money(order.total, order.currency),
      reason: event.data.reason,
      ...(ENDINGS.has(template) ? refundFacts(order) : { refund: null, hold_released: false }),
    };
    await tellPerson(trx, {
      contact,
      preferences,
      template,
      data,
      organizationId: order.organization_id,
      dedupeKey: (channel) => `${event.id}:${template}:${channel}:${order.customer_id}`,
    });
  }

  for (const notice of NOTICES)
    deps.bus.subscribe(notice.event, 'notifications.tell-guest', async (event, { trx }) => {
      if (notice.pickupOnly && event.data.channel !== 'pickup') return;
      await notify(event, trx, notice.template);
    });
}
