// A guest whose order was fulfilled (picked up, delivered or served) is asked to review it, once:
// each order reaches exactly one of those three, and the message is keyed by its event. The ask
// names the order and until when a review is taken (reviews' window from fulfilment).
import type { Tx } from '../../platform/db/index.js';
import type { EventBus } from '../../platform/events/index.js';
import type { OrderingEvents } from '../ordering/index.js';
import { REVIEW_WINDOW_MS } from '../reviews/index.js';
import type { GuestNoticeDeps } from './guest-notices.js';
import { tellPerson } from './tell-person.js';

const FULFILMENTS = ['ordering.order.picked_up', 'ordering.order.delivered', 'ordering.order.completed'] as const;
const TEMPLATE = 'notifications.review_request';

export function subscribeReviewRequests(deps: Omit<GuestNoticeDeps, 'bus'> & { bus: EventBus<OrderingEvents> }) {
  async function ask(trx: Tx, eventId: string, orderId: string, fulfilledAt: Date): Promise<void> {
    const order = await deps.orderFacts(orderId, trx);
    if (!order || order.customer_id === null) return;
    const contact = await deps.contactOf(trx, order.customer_id);
    if (!contact) return;
    await tellPerson(trx, {
      contact,
      preferences: await deps.preferencesOf(trx, order.customer_id),
      template: TEMPLATE,
      data: {
        customer_name: contact.name,
        order_number: order.number,
        order_id: orderId,
        store_name: (await deps.storeName(order.store_id, trx)) ?? '',
        review_until: new Date(fulfilledAt.getTime() + REVIEW_WINDOW_MS).toISOString().slice(0, 10),
      },
      organizationId: order.organization_id,
      dedupeKey: (channel) => `${eventId}:${TEMPLATE}:${channel}:${order.customer_id}`,
    });
  }

  for (const type of FULFILMENTS)
    deps.bus.subscribe(type, 'notifications.ask-for-review', async (event, { trx }) => {
      await ask(trx, event.id, event.data.order_id, new Date(event.time));
    });
}
