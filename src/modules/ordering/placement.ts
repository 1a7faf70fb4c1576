// Quoting and placing orders, as a story: find the store, give back the order this caller already
// has (a retry, the same external id), make sure the money can be taken, draft the order (every
// check and the price, before any transaction: order-draft.ts), write it in one transaction
// (write-order.ts), tell the store, then open its payment.
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/http/errors.js';
import type { IdempotencyClaim } from '../../platform/http/idempotency/index.js';
import { placerOf } from './access.js';
import type { OrderBody, Quote } from './basket-schema.js';
import { basketError, draftOrder, parentLookup, type OrderDraft } from './order-draft.js';
import type { Checkout } from './payments-port.js';
import type { PlacementDeps } from './placement-ports.js';
import type { BasketCustomer } from './order-promotions.js';
import {
  presentDeliveryTerms,
  presentDiscounts,
  presentLine,
  presentOrder,
  presentReward,
  presentTotals,
  storedTerms,
} from './present.js';
import { ordersRepo as repo } from './repo.js';
import type { Order } from './schema.js';
import { poolOf } from './settings.js';
import { promisedAt } from './slots.js';
import { isUnpayableAtPlacement } from './statuses.js';
import type { OrderRow } from './tables.js';
import { writeOrderIn } from './write-order.js';

export type { PlacementDeps } from './placement-ports.js';

/** POST /v1/stores/{storeId}/orders, as the service receives it. */
export interface PlacementRequest {
  principal: Principal;
  storeId: string;
  body: OrderBody;
  /** The request's Idempotency-Key, if it sent one (write-order.ts commits its recovery point). */
  idempotency: IdempotencyClaim | null;
}

/**
 * A customer never pays a price they did not see: with `expected_total` (the quote's total), an
 * order that would now cost something else is refused, saying why when a promotion is the cause.
 */
function assertPriceAsShown(draft: OrderDraft, body: OrderBody): void {
  const expected = body.expected_total;
  if (expected === undefined || expected.amount === draft.pricing.total) return;
  const reasons = new Set(draft.promotions.passed_over.map((p) => p.reason_code));
  const now = `it now costs ${draft.pricing.total} (minor units), not ${expected.amount}; quote again to see why.`;
  if (reasons.has('SOLD_OUT'))
    throw new ConflictError('FLASH_SALE_SOLD_OUT', `A flash sale in this order sold out: ${now}`);
  if (['LIMIT_REACHED', 'BUDGET_SPENT', 'CUSTOMER_LIMIT_REACHED'].some((code) => reasons.has(code)))
    throw new ConflictError('PROMOTION_LIMIT_REACHED', `A promotion reached its limit: ${now}`);
  throw new ConflictError('PRICE_CHANGED', `The price of this order changed: ${now}`);
}

/** Who a basket's promotions are for: the signed-in person; nobody for a partner's key; anyone for an anonymous quote. */
function customerOf(principal: Principal | null): BasketCustomer {
  if (principal === null) return { id: null, anonymous: true };
  return principal.kind === 'user' ? { id: principal.userId, anonymous: false } : { id: null, anonymous: false };
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const pg = error as { code?: string; constraint?: string };
  return pg.code === '23505' && pg.constraint === constraint;
}

export function createPlacementService(deps: PlacementDeps) {
  async function loadOrder(row: OrderRow, ex: Db | Tx = deps.db): Promise<Order> {
    return presentOrder(await deps.deliveries.open(ex, row), await repo.linesOf(ex, [row.id]));
  }

  /** Read-only: would this basket go through now? Capacity is checked without taking any. */
  async function quoteOrder(principal: Principal | null, storeId: string, body: OrderBody): Promise<Quote> {
    const store = await deps.store.findStore(storeId);
    if (!store) throw new NotFoundError('store');
    const draft = await draftOrder(deps, store, body, customerOf(principal), { hold: true });
    const { plan, settings, pricing } = draft;
    const problems = [...draft.problems];
    let promised: number | null = null;
    if (plan.ok && plan.candidates.length > 0 && problems.length === 0) {
      const { pool, capacity } = poolOf(settings, body.channel);
      const room = await deps.kitchen.firstSlotWithRoom({
        storeId,
        pool,
        capacity,
        candidates: plan.candidates,
        items: draft.basket.itemCount,
      });
      if (room) promised = promisedAt(room, plan.readyAt);
      else
        problems.push({
          code: 'SLOT_FULL',
          path: plan.scheduled ? '/scheduled_for' : '',
          message: 'The kitchen is fully booked for this time; pick another slot.',
        });
    }
    return {
      store_id: storeId,
      channel: body.channel,
      currency: store.currency,
      prices_include_tax: pricing.prices_include_tax,
      orderable: problems.length === 0,
      problems,
      promised_at: promised === null ? null : new Date(promised).toISOString(),
      lines: pricing.lines.map((line) =>
        presentLine(line, store.currency, {
          notes: body.lines[line.line_no]?.notes ?? null,
          parentOf: parentLookup(draft.basket, line.line_no),
        }),
      ),
      totals: presentTotals(pricing, store.currency),
      delivery:
        draft.deliveryTerms === null ? null : presentDeliveryTerms(storedTerms(draft.deliveryTerms), store.currency),
      discounts: presentDiscounts(draft.promotions.discounts, store.currency),
      promotions_not_applied: draft.promotions.passed_over,
      reward: draft.reward === null ? null : presentReward(draft.reward, store.currency),
    };
  }

  /** An order this placer may get back instead of a new one (a retry, or the same external id). */
  async function existingOrder(
    principal: Principal,
    store: { id: string; organization_id: string },
    body: OrderBody,
    idempotencyKey: string | null,
  ): Promise<OrderRow | null> {
    if (idempotencyKey !== null) {
      const row = await repo.findByIdempotencyKey(deps.db, store.id, placerOf(principal), idempotencyKey);
      if (row) return row;
    }
    if (body.external_id !== undefined) {
      const row = await repo.findByExternalId(deps.db, {
        organizationId: store.organization_id,
        source: body.source ?? 'direct',
        channel: body.channel,
        externalId: body.external_id,
      });
      if (row) {
        // A partner's id names one order; only its placer (or another key of the brand) gets it back.
        const samePlacer =
          row.placed_by === placerOf(principal) ||
          (principal.kind === 'api_key' && principal.organizationId === store.organization_id);
        if (!samePlacer)
          throw new ConflictError('EXTERNAL_ID_TAKEN', 'Another order already carries this external_id.');
        return row;
      }
    }
    return null;
  }

  /**
   * An order this placer already has (a retry whose stored response is gone, a twin): its
   * checkout too while it still waits for payment. Not reachable now? Then without it: the order
   * stands, the customer can fetch its payment later, and expiry ends it if nobody pays.
   */
  async function orderAgain(row: OrderRow): Promise<Order> {
    const order = await loadOrder(row);
    const payments = deps.payment.taker();
    if (!payments || row.payment_method !== 'online' || row.status !== 'placed' || row.payment_status !== 'awaiting')
      return order;
    const checkout = await payments.open(row.id).catch(() => null);
    return { ...order, payment: { ...order.payment, checkout } };
  }

  /**
   * The order an earlier request with this key committed (its recovery point), if there is one:
   * it died before answering, or it answered 503 because the payment could not be opened — that
   * order was cancelled unacknowledged, so it is not this retry's answer: the retry places anew.
   */
  async function recoveredOrder(idempotency: IdempotencyClaim | null, storeId: string): Promise<OrderRow | null> {
    const orderId = idempotency?.recovered?.order_id;
    if (typeof orderId !== 'string') return null;
    const row = await repo.findOrder(deps.db, orderId);
    return row?.store_id === storeId && !isUnpayableAtPlacement(row) ? row : null;
  }

  async function placeOrder(request: PlacementRequest): Promise<{ order: Order; created: boolean }> {
    const { principal, storeId, body, idempotency } = request;
    const idempotencyKey = idempotency?.key ?? null;
    const store = await deps.store.findStore(storeId);
    if (!store) throw new NotFoundError('store');
    if (principal.kind === 'api_key' && principal.organizationId !== store.organization_id)
      throw new NotFoundError('store');
    // This key's first request committed the order and died before answering: answer as it would have.
    const recovered = await recoveredOrder(idempotency, store.id);
    if (recovered) return { order: await orderAgain(recovered), created: true };
    const found = await existingOrder(principal, store, body, idempotencyKey);
    if (found) return { order: await orderAgain(found), created: false };

    const payments = deps.payment.taker();
    const online = body.payment?.method === 'online';
    if (online && !payments)
      throw new UnprocessableError(
        'ONLINE_PAYMENT_UNAVAILABLE',
        'This store takes no online payments; pay at the counter.',
        [{ path: '/payment/method', message: 'must be cash here' }],
      );
    // Refused before any work: a provider that is down fails the order fast (503), holding nothing.
    await payments?.assertCanTake(store, online ? 'online' : 'cash');
    const draft = await draftOrder(deps, store, body, customerOf(principal), { hold: false });
    if (draft.problems.length > 0) throw basketError(draft.problems);
    assertPriceAsShown(draft, body);
    let written: { row: OrderRow; soldOut: string[] };
    try {
      written = await inTransaction(deps.db, (trx) => writeOrderIn(trx, deps, { principal, draft, body, idempotency }));
    } catch (error) {
      // A concurrent twin (same key or external id) committed first: answer with its order.
      if (isUniqueViolation(error, 'orders_idempotency_key') || isUniqueViolation(error, 'orders_external_id_key')) {
        const twin = await existingOrder(principal, store, body, idempotencyKey);
        if (twin) return { order: await orderAgain(twin), created: false };
      }
      throw error;
    }
    await deps.changed({ storeId, organizationId: store.organization_id, menuChanged: written.soldOut.length > 0 });
    const order = await loadOrder(written.row);
    if (!online || !payments) return { order, created: true };
    let checkout: Checkout | null;
    try {
      checkout = await payments.open(order.id);
    } catch (error) {
      // The order exists but cannot be paid: it must not hold a slot and stock for nobody. The
      // 503 that follows tells the client nothing was placed, and the cancellation frees the key
      // so that its retry places the order again (never a 2xx carrying this cancelled order).
      await deps.payment.cancelUnpayable(order.id);
      throw error;
    }
    return { order: { ...order, payment: { ...order.payment, checkout } }, created: true };
  }

  return { quoteOrder, placeOrder };
}

export type PlacementService = ReturnType<typeof createPlacementService>;
