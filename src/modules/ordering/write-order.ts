// The placement transaction, and nothing else: ONE short transaction takes the order's stock,
// takes kitchen capacity, numbers the order, writes order + lines + price
// snapshot + history, creates its payment and appends the outbox events — no network call inside
// it, so a crash anywhere leaves either all of it or none of it. The store-wide rows (the slot,
// then the counter) are taken last, so they are held for as few statements as possible: every
// order of the store queues on them.
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../../platform/auth/principal.js';
import type { Tx } from '../../platform/db/index.js';
import { UnprocessableError } from '../../platform/http/errors.js';
import type { IdempotencyClaim } from '../../platform/http/idempotency/index.js';
import { localDateAt } from '../tenancy/index.js';
import { placerOf } from './access.js';
import type { OrderBody } from './basket-schema.js';
import type { DeliveryTerms } from './delivery-port.js';
import { orderAggregate, TRANSITION_EVENTS } from './events.js';
import { numberNewOrder } from './history.js';
import type { OrderDraft } from './order-draft.js';
import type { PlacementDeps } from './placement-ports.js';
import { ordersRepo as repo } from './repo.js';
import { poolOf } from './settings.js';
import { promisedAt } from './slots.js';
import type { LineRow, NewHistoryEntry, OrderRow } from './tables.js';
import { storedTerms } from './present.js';

const MINUTE = 60_000;

/**
 * The draft's ETA counts from the earliest ready time; the slot taken may be later, and the ride
 * starts from it. A held quote's ETA is what the customer was promised and stays as it was.
 */
function etaFromSlot(terms: DeliveryTerms, laterBy: number): DeliveryTerms {
  if (terms.quote_status === 'honoured' || laterBy <= 0) return terms;
  return { ...terms, eta: new Date(terms.eta.getTime() + laterBy) };
}

export interface OrderToWrite {
  principal: Principal;
  draft: OrderDraft;
  body: OrderBody;
  /**
   * The request's Idempotency-Key: stored on the order, and its recovery point (the order's id)
   * committed with it, so a retry after a crash resumes with this order (ADR 0018).
   */
  idempotency: IdempotencyClaim | null;
}

type WriteDeps = Pick<
  PlacementDeps,
  'clock' | 'stock' | 'kitchen' | 'payment' | 'events' | 'deliveries' | 'promotions' | 'rewards'
>;

/**
 * Writes a checked draft as a new order inside `trx`. A twin that committed since the caller
 * looked (same key or external id) makes the insert fail on a unique index; the caller then
 * answers with the twin. Throws 422 when the stock or the kitchen ran out since the draft.
 */
export async function writeOrderIn(
  trx: Tx,
  deps: WriteDeps,
  order: OrderToWrite,
): Promise<{ row: OrderRow; soldOut: string[] }> {
  const { principal, body } = order;
  const { store, settings, plan, basket, pricing, deliveryTerms: terms } = order.draft;
  if (!plan.ok) throw new Error('unreachable: a failed plan is a problem');

  const orderId = uuidv7();
  const stock = await deps.stock.reserve(trx, {
    organizationId: store.organization_id,
    storeId: store.id,
    orderId,
    items: [...basket.units].map(([itemId, quantity]) => ({ itemId, quantity })),
  });
  if (!stock.ok) {
    const errors = stock.shortages.flatMap((shortage) =>
      body.lines.flatMap((line, lineNo) =>
        line.item_id === shortage.itemId
          ? [
              {
                path: `/lines/${lineNo}/quantity`,
                message: `must be <= ${shortage.available}`,
                code: 'INSUFFICIENT_STOCK',
              },
            ]
          : [],
      ),
    );
    const first = stock.shortages[0]!;
    const name = basket.lines.find((line) => line.item_id === first.itemId)?.name ?? 'this item';
    throw new UnprocessableError(
      'INSUFFICIENT_STOCK',
      `Only ${first.available} of '${name}' left at this store.`,
      errors,
    );
  }

  // The promotions' redemptions, after the stock and before the store-wide rows (the same order
  // as a cancellation gives them back in): a limit reached or a pool emptied since the draft
  // throws here, and the transaction leaves nothing held.
  const customerId = principal.kind === 'user' ? principal.userId : null;
  await deps.promotions.hold(trx, {
    organizationId: store.organization_id,
    storeId: store.id,
    orderId,
    customerId,
    plans: order.draft.promotions.plans,
  });
  // The reward's points, under the member's row lock: fifty parallel orders spending the same
  // points cannot all hold them (INSUFFICIENT_POINTS, and this transaction leaves nothing).
  if (order.draft.reward)
    await deps.rewards.hold(trx, {
      organizationId: store.organization_id,
      orderId,
      customerId,
      reward: order.draft.reward,
    });

  const now = deps.clock();
  const { pool, capacity } = poolOf(settings, body.channel);
  const slot = await deps.kitchen.takeSlotIn(trx, {
    storeId: store.id,
    pool,
    capacity,
    candidates: plan.candidates,
    items: basket.itemCount,
  });
  if (!slot) {
    throw new UnprocessableError(
      'SLOT_FULL',
      plan.scheduled
        ? 'The kitchen is fully booked at the scheduled time; pick another slot (GET …/slots).'
        : `The kitchen is fully booked for the next ${settings.asapMaxWaitMinutes} minutes; schedule the order for later.`,
      [{ path: plan.scheduled ? '/scheduled_for' : '', message: 'No room in the kitchen slot', code: 'SLOT_FULL' }],
    );
  }

  const promised = promisedAt(slot, plan.readyAt);
  const online = body.payment?.method === 'online';
  const autoAccepted = settings.autoAccept && !online;
  const history: NewHistoryEntry[] = [
    {
      type: 'placed',
      from_status: null,
      to_status: 'placed',
      actor_kind: principal.kind === 'user' ? 'customer' : 'staff',
      actor_id: principal.kind === 'user' ? principal.userId : null,
      reason: null,
    },
  ];
  if (autoAccepted)
    history.push({
      type: 'status_changed',
      from_status: 'placed',
      to_status: 'accepted',
      actor_kind: 'system',
      actor_id: null,
      reason: 'auto-accept',
    });
  const businessDate = localDateAt(now, store.timezone);
  const { number, writeHistory } = await numberNewOrder(trx, { storeId: store.id, businessDate }, history);
  const row = {
    id: orderId,
    organization_id: store.organization_id,
    store_id: store.id,
    number,
    business_date: businessDate,
    channel: body.channel,
    status: autoAccepted ? ('accepted' as const) : ('placed' as const),
    version: autoAccepted ? 2 : 1,
    customer_id: customerId,
    placed_by: placerOf(principal),
    idempotency_key: order.idempotency?.key ?? null,
    source: body.source ?? 'direct',
    external_id: body.external_id ?? null,
    table_id: order.draft.tableId,
    delivery: JSON.stringify(null),
    // The place the zone was picked by is sealed with the address: it is where the person lives.
    delivery_sealed: await deps.deliveries.seal(
      trx,
      { organizationId: store.organization_id, orderId },
      body.delivery && terms ? { ...body.delivery, location: terms.location } : body.delivery,
    ),
    delivery_terms: terms === null ? null : JSON.stringify(storedTerms(etaFromSlot(terms, promised - plan.readyAt))),
    scheduled_for: body.scheduled_for === undefined ? null : new Date(body.scheduled_for),
    promised_at: new Date(promised),
    slot_pool: pool,
    slot_starts_at: new Date(slot.startsAt),
    slot_items: basket.itemCount,
    payment_method: online ? ('online' as const) : ('cash' as const),
    payment_status: online ? ('awaiting' as const) : ('not_required' as const),
    expires_at: online ? new Date(now.getTime() + settings.unpaidExpiryMinutes * MINUTE) : null,
    currency: store.currency,
    pricing: JSON.stringify(pricing),
    subtotal: pricing.subtotal,
    tax: pricing.tax,
    tip: pricing.tip,
    total: pricing.total,
    notes: body.notes ?? null,
    coupon_code: body.coupon_code?.trim() ?? null,
    discounts: JSON.stringify(order.draft.promotions.discounts),
    reward: order.draft.reward === null ? null : JSON.stringify(order.draft.reward),
    status_reason: null,
    placed_at: now,
    updated_at: now,
  };
  const lines: LineRow[] = pricing.lines.map((line) => ({
    order_id: orderId,
    line_no: line.line_no,
    item_id: line.item_id,
    variant_id: line.variant_id,
    name: line.name,
    quantity: line.quantity,
    modifiers: line.modifiers.map((modifier) => ({
      ...modifier,
      parent_option_id: basket.parents.get(`${line.line_no}:${modifier.group_id}:${modifier.option_id}`) ?? null,
    })),
    notes: body.lines[line.line_no]?.notes ?? null,
    total: line.total,
  }));
  const inserted = await repo.insertOrder(trx, row, lines);
  await writeHistory(orderId, now);
  await deps.payment.taker()?.createIn(trx, {
    id: orderId,
    organization_id: store.organization_id,
    store_id: store.id,
    number,
    total: pricing.total,
    currency: store.currency,
    method: row.payment_method,
  });

  const facts = {
    order_id: orderId,
    organization_id: store.organization_id,
    store_id: store.id,
    number,
    channel: body.channel,
  };
  await deps.events.append(trx, {
    type: 'ordering.order.placed',
    aggregate: orderAggregate(orderId),
    data: {
      ...facts,
      status: 'placed',
      customer_id: row.customer_id,
      total: pricing.total,
      currency: store.currency,
      promised_at: row.promised_at.toISOString(),
      payment_method: row.payment_method,
    },
  });
  if (autoAccepted) {
    await deps.events.append(trx, {
      type: TRANSITION_EVENTS.accept,
      aggregate: orderAggregate(orderId),
      data: { ...facts, from: 'placed', to: 'accepted', actor: 'system', reason: 'auto-accept' },
    });
  }
  await order.idempotency?.commitIn(trx, { order_id: orderId });
  return { row: inserted, soldOut: stock.soldOut };
}
