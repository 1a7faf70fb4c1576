// The demo seed's trusted path to a finished order (reviews need completed orders of customers).
// Placing orders at seed time is unreliable: a store may be closed or a menu not served when the
// seed runs, and the storefront menu is read from its cache and the pool, which cannot see the
// seed's uncommitted catalog. So the caller names the lines as its catalog prices them, and this
// prices them with ordering's own priceOrder and writes, inside the caller's transaction, what a
// cash dine-in placement and its transitions would have left behind at the given past times: the
// order and its lines, a history from placed to completed numbered in the store's sequence, the
// paid mirror, its cash payment (through the payments port) and the events. It takes no stock
// and no kitchen slot: the kitchen is long done with it. Never for requests: no checks run here.
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import { localDateAt } from '../tenancy/index.js';
import { orderAggregate, TRANSITION_EVENTS, type OrderingEvents } from './events.js';
import { appendHistory, numberNewOrder } from './history.js';
import type { PaymentsPort } from './payments-port.js';
import { priceOrder, type PricingModifier } from './pricing.js';
import { ordersRepo } from './repo.js';
import type { LineRow, NewHistoryEntry } from './tables.js';

const MINUTE = 60_000;

export interface DemoOrderLine {
  item_id: string;
  variant_id: string | null;
  name: string;
  quantity: number;
  /** The catalog's price of the item (or its variant) at this store, in minor units. */
  unit_price: number;
  tax_rate_bps: number;
  /** The picks, as the catalog prices them (a pizza's required base); none are free. */
  modifiers: PricingModifier[];
}

export interface DemoOrderInput {
  store: { id: string; organization_id: string; timezone: string; currency: string; prices_include_tax: boolean };
  customerId: string;
  /** The table it was eaten at (dine-in is the channel whose happy end is `completed`). */
  tableId: string;
  /** Who moved it along in the kitchen (null: the system, as an unattended store would). */
  staffId: string | null;
  lines: DemoOrderLine[];
  /** When it was placed, in the past; it is completed 40 minutes later, paid at the table. */
  placedAt: Date;
}

export interface DemoOrderDeps {
  events: EventAppender<OrderingEvents>;
  payments: () => PaymentsPort | null;
}

/** The kitchen's steps after placement, minutes after it (what GET /v1/orders/{id} shows). */
const STEPS = [
  { action: 'accept', from: 'placed', to: 'accepted', after: 2 },
  { action: 'start_preparing', from: 'accepted', to: 'preparing', after: 5 },
  { action: 'mark_ready', from: 'preparing', to: 'ready', after: 25 },
  { action: 'complete', from: 'ready', to: 'completed', after: 40 },
] as const;

/** Writes a completed, paid cash dine-in order; returns its id and total. Writes in time order per store. */
export async function writeDemoOrderIn(
  trx: Tx,
  deps: DemoOrderDeps,
  input: DemoOrderInput,
): Promise<{ id: string; total: number }> {
  const { store, placedAt } = input;
  const pricing = priceOrder({
    currency: store.currency,
    prices_include_tax: store.prices_include_tax,
    lines: input.lines.map((line, lineNo) => ({ ...line, line_no: lineNo, free_quantities: {} })),
    service_charge_bps: 0,
    delivery_fee: 0,
    tip: 0,
  });
  const at = (minutes: number) => new Date(placedAt.getTime() + minutes * MINUTE);
  const completedAt = at(STEPS[3].after);
  const orderId = uuidv7();
  const businessDate = localDateAt(placedAt, store.timezone);
  const { number, writeHistory } = await numberNewOrder(trx, { storeId: store.id, businessDate }, [
    {
      type: 'placed',
      from_status: null,
      to_status: 'placed',
      actor_kind: 'customer',
      actor_id: input.customerId,
      reason: null,
    },
  ]);
  await ordersRepo.insertOrder(
    trx,
    {
      id: orderId,
      organization_id: store.organization_id,
      store_id: store.id,
      number,
      business_date: businessDate,
      channel: 'dine_in',
      status: 'completed',
      // One version per change after placement: the steps and the payment.
      version: 1 + STEPS.length + 1,
      customer_id: input.customerId,
      placed_by: `user:${input.customerId}`,
      idempotency_key: null,
      source: 'direct',
      external_id: null,
      table_id: input.tableId,
      delivery: JSON.stringify(null),
      delivery_sealed: null,
      scheduled_for: null,
      promised_at: at(STEPS[2].after),
      slot_pool: null,
      slot_starts_at: null,
      slot_items: 0,
      payment_method: 'cash',
      payment_status: 'paid',
      expires_at: null,
      currency: store.currency,
      pricing: JSON.stringify(pricing),
      subtotal: pricing.subtotal,
      tax: pricing.tax,
      tip: pricing.tip,
      total: pricing.total,
      notes: null,
      coupon_code: null,
      discounts: JSON.stringify([]),
      status_reason: null,
      placed_at: placedAt,
      updated_at: completedAt,
    },
    pricing.lines.map((line): LineRow => ({
      order_id: orderId,
      line_no: line.line_no,
      item_id: line.item_id,
      variant_id: line.variant_id,
      name: line.name,
      quantity: line.quantity,
      modifiers: line.modifiers.map((modifier) => ({ ...modifier, parent_option_id: null })),
      notes: null,
      total: line.total,
    })),
  );
  await writeHistory(orderId, placedAt);
  const owner = { storeId: store.id, orderId, businessDate };
  for (const step of STEPS) {
    const entry: NewHistoryEntry = {
      type: 'status_changed',
      from_status: step.from,
      to_status: step.to,
      actor_kind: input.staffId === null ? 'system' : 'staff',
      actor_id: input.staffId,
      reason: null,
    };
    await appendHistory(trx, owner, at(step.after), [entry]);
  }
  // Cash is taken when the order is handed over; the payment mirror writes this entry then.
  await appendHistory(trx, owner, completedAt, [
    {
      type: 'payment_changed',
      from_status: 'completed',
      to_status: 'completed',
      actor_kind: 'system',
      actor_id: null,
      reason: 'payment_paid',
    },
  ]);
  // Its payment as placement opens it; the caller records the cash taken (payments' api).
  await deps.payments()?.createIn(trx, {
    id: orderId,
    organization_id: store.organization_id,
    store_id: store.id,
    number,
    total: pricing.total,
    currency: store.currency,
    method: 'cash',
  });

  const facts = { order_id: orderId, organization_id: store.organization_id, store_id: store.id, number };
  await deps.events.append(trx, {
    type: 'ordering.order.placed',
    aggregate: orderAggregate(orderId),
    data: {
      ...facts,
      channel: 'dine_in',
      status: 'placed',
      customer_id: input.customerId,
      total: pricing.total,
      currency: store.currency,
      promised_at: at(STEPS[2].after).toISOString(),
      payment_method: 'cash',
    },
  });
  for (const step of STEPS)
    await deps.events.append(trx, {
      type: TRANSITION_EVENTS[step.action],
      aggregate: orderAggregate(orderId),
      data: {
        ...facts,
        channel: 'dine_in',
        from: step.from,
        to: step.to,
        actor: input.staffId === null ? 'system' : 'staff',
        reason: null,
      },
    });
  return { id: orderId, total: pricing.total };
}
