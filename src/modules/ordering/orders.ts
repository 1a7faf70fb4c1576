// Reading orders and moving them through the state machine. A transition locks the order row,
// checks the caller's If-Match against the version, applies the table in state-machine.ts, gives
// back capacity and stock when the order ends early, and records history + event — all in one
// transaction, so two tablets tapping at once advance an order once.
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  UnprocessableError,
} from '../../platform/http/errors.js';
import { decodeCursor, isUuid, toPage, type PageOf } from '../../platform/http/schema.js';
import type { TenancyApi } from '../tenancy/index.js';
import { assertOrderingRule, mayFollowRule, RULES } from './access.js';
import { orderAggregate, TRANSITION_EVENTS, type OrderingEvents } from './events.js';
import { matchesVersion, presentHistory, presentOrder } from './present.js';
import { orderingRepo as repo, type LineRow, type OrderRow } from './repo.js';
import type { Order, OrderStatus, StoreOrdersQuery, TransitionBody } from './schema.js';
import {
  checkTransition,
  FINAL_STATUSES,
  STOCK_RETURNS_FROM,
  type Actor,
  type MachineAction,
} from './state-machine.js';
import type { SettingsService } from './settings.js';
import type { StockKeeper } from './stock.js';

export interface OrderPaymentFacts {
  id: string;
  organization_id: string;
  store_id: string;
  number: string;
  channel: OrderRow['channel'];
  status: OrderStatus;
  payment_method: OrderRow['payment_method'];
  payment_status: OrderRow['payment_status'];
  total: number;
  currency: string;
  customer_id: string | null;
  /** 'user:<id>' or 'api_key:<id>'. */
  placed_by: string;
  lines: Array<{ line_no: number; name: string; quantity: number; total: number }>;
}

/** A payment change ordering mirrors on the order (its `payment.status`). */
export type PaymentChange = 'authorized' | 'paid' | 'voided' | 'refunded';

const PAYMENT_STATUS_AFTER = {
  authorized: 'authorized',
  paid: 'paid',
  voided: 'voided',
  refunded: 'refunded',
} as const;
/** From which order payment statuses each change applies; anything else was recorded already (or is stale). */
const PAYMENT_CHANGE_FROM: Record<PaymentChange, readonly OrderRow['payment_status'][]> = {
  authorized: ['awaiting'],
  paid: ['authorized', 'not_required', 'awaiting'],
  voided: ['awaiting', 'authorized'],
  refunded: ['paid'],
};

export interface OrdersDeps {
  db: Db;
  clock: () => Date;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  settings: Pick<SettingsService, 'settingsOf'>;
  stock: Pick<StockKeeper, 'release'>;
  events: EventAppender<OrderingEvents>;
  changed(change: { storeId: string; organizationId: string; menuChanged: boolean }): Promise<void>;
}

/** Keyset cursor of order lists: newest first by (placed_at, id). */
const listCursor = (cursor: string | undefined) => {
  const key = decodeCursor(
    cursor,
    ['placed_at', 'id'] as const,
    (candidate) => isUuid(candidate.id) && !Number.isNaN(Date.parse(candidate.placed_at)),
  );
  return key ? { placed_at: new Date(key.placed_at), id: key.id } : null;
};

const FINAL_STATUSES_OF_ORDERS = new Set<OrderStatus>(FINAL_STATUSES);
const STAFF_ACTIONS: readonly MachineAction[] = [
  'accept',
  'reject',
  'start_preparing',
  'mark_ready',
  'hand_over',
  'complete',
  'cancel',
];
const COURIER_ACTIONS: readonly MachineAction[] = ['dispatch', 'deliver'];

export function createOrdersService(deps: OrdersDeps) {
  const place = (row: OrderRow) => ({ organizationId: row.organization_id, storeId: row.store_id });
  const isCustomerOf = (principal: Principal | null, row: OrderRow) =>
    principal?.kind === 'user' && row.customer_id === principal.userId;
  const isPlacerOf = (principal: Principal | null, row: OrderRow) =>
    principal?.kind === 'api_key' && row.placed_by === `api_key:${principal.apiKeyId}`;

  /** The order, if this caller may see it: its customer (or placing partner) or the store's people. Else 404. */
  async function visibleOrder(principal: Principal | null, orderId: string): Promise<OrderRow> {
    const row = await repo.findOrder(deps.db, orderId);
    if (!row) throw new NotFoundError('order');
    if (
      isCustomerOf(principal, row) ||
      isPlacerOf(principal, row) ||
      mayFollowRule(principal, RULES.readStoreOrders, place(row))
    )
      return row;
    throw new NotFoundError('order');
  }

  /** Who the caller is to this order for this action, or why they may not act. */
  function actorFor(principal: Principal | null, row: OrderRow, action: MachineAction): Actor {
    if (STAFF_ACTIONS.includes(action) && mayFollowRule(principal, RULES.workOrders, place(row))) return 'staff';
    if (COURIER_ACTIONS.includes(action) && mayFollowRule(principal, RULES.deliverOrders, place(row))) {
      return principal?.kind === 'user' && !mayFollowRule(principal, RULES.workOrders, place(row))
        ? 'courier'
        : 'staff';
    }
    if (isCustomerOf(principal, row) || isPlacerOf(principal, row)) return 'customer';
    if (mayFollowRule(principal, RULES.readStoreOrders, place(row))) {
      throw new ForbiddenError(`Your role at this store may not ${action.replace('_', ' ')} orders.`);
    }
    throw new NotFoundError('order');
  }

  /**
   * Applies one action inside `trx` to a locked order. Shared by the HTTP route, the expiry job
   * and the payment hooks, so every path releases holds and records history the same way.
   */
  async function applyIn(
    trx: Tx,
    row: OrderRow,
    action: MachineAction,
    actor: { kind: Actor; id: string | null },
    reason: string | null,
  ) {
    const check = checkTransition(action, { status: row.status, channel: row.channel, actor: actor.kind, reason });
    if (!check.ok) {
      if (check.reason === 'forbidden') throw new ForbiddenError(check.message);
      if (check.reason === 'reason_required')
        throw new UnprocessableError('REASON_REQUIRED', check.message, [{ path: '/reason', message: 'is required' }]);
      throw new ConflictError('INVALID_ORDER_TRANSITION', check.message);
    }
    if (action === 'accept' && row.payment_status === 'awaiting') {
      throw new ConflictError(
        'INVALID_ORDER_TRANSITION',
        'The order is still waiting for its online payment; it can be accepted once paid.',
      );
    }
    if (action === 'expire' && row.payment_status !== 'awaiting')
      throw new ConflictError('INVALID_ORDER_TRANSITION', 'Only unpaid orders expire.');
    const now = deps.clock();
    const { rule } = check;
    const releaseHolds = rule.releasesHolds && !row.holds_released;
    let menuChanged = false;
    // Same lock order as placement (stock, then the slot, then the store's counter): no deadlock.
    if (releaseHolds) {
      if (STOCK_RETURNS_FROM.includes(row.status)) {
        const released = await deps.stock.release(trx, {
          organizationId: row.organization_id,
          storeId: row.store_id,
          orderId: row.id,
        });
        menuChanged = released.backInStock.length > 0;
      }
      if (row.slot_pool !== null && row.slot_starts_at !== null) {
        await repo.releaseSlot(trx, {
          storeId: row.store_id,
          pool: row.slot_pool,
          startsAt: row.slot_starts_at,
          items: row.slot_items,
        });
      }
    }
    const updated = await repo.changeStatus(trx, {
      orderId: row.id,
      from: row.status,
      version: row.version,
      to: rule.to,
      at: now,
      reason: rule.releasesHolds ? reason : null,
      releaseHolds,
      // Nothing was ever taken from an order that ends while its payment is still awaited.
      ...(rule.releasesHolds && row.payment_status === 'awaiting' ? { paymentStatus: 'voided' as const } : {}),
    });
    if (!updated)
      throw new ConflictError(
        'CONCURRENT_UPDATE',
        'The order changed while this was being applied; fetch it and retry.',
      );
    const numbers = await repo.nextNumbers(trx, {
      storeId: row.store_id,
      businessDate: row.business_date,
      events: 1,
      newOrder: false,
    });
    await repo.appendEvents(trx, { storeId: row.store_id, orderId: row.id, at: now }, numbers.firstSeq, [
      {
        type: 'status_changed',
        from_status: row.status,
        to_status: rule.to,
        actor_kind: actor.kind,
        actor_id: actor.id,
        reason,
      },
    ]);
    await deps.events.append(trx, {
      type: TRANSITION_EVENTS[action],
      aggregate: orderAggregate(row.id),
      data: {
        order_id: row.id,
        organization_id: row.organization_id,
        store_id: row.store_id,
        number: row.number,
        channel: row.channel,
        from: row.status,
        to: rule.to,
        actor: actor.kind,
        reason,
      },
    });
    return { row: updated, menuChanged };
  }

  async function afterCommit(row: OrderRow, menuChanged: boolean): Promise<Order> {
    await deps.changed({ storeId: row.store_id, organizationId: row.organization_id, menuChanged });
    return presentOrder(row, await repo.linesOf(deps.db, [row.id]));
  }

  return {
    async getOrder(principal: Principal | null, orderId: string) {
      const row = await visibleOrder(principal, orderId);
      const [lines, events] = await Promise.all([repo.linesOf(deps.db, [row.id]), repo.eventsOf(deps.db, row.id)]);
      return { order: { ...presentOrder(row, lines), history: presentHistory(events) }, version: row.version };
    },

    async transition(
      principal: Principal | null,
      orderId: string,
      body: TransitionBody,
      ifMatch: string | undefined,
    ): Promise<Order> {
      const reason = body.reason ?? null;
      const { row, menuChanged } = await inTransaction(deps.db, async (trx) => {
        const current = await repo.findOrder(trx, orderId, { forUpdate: true });
        if (!current) throw new NotFoundError('order');
        const actor = actorFor(principal, current, body.action);
        if (ifMatch !== undefined && !matchesVersion(ifMatch, current.version))
          throw new PreconditionFailedError(
            'The order changed since you read it (another device moved it); fetch it again.',
          );
        const actorId = principal?.kind === 'user' ? principal.userId : null;
        return applyIn(trx, current, body.action, { kind: actor, id: actorId }, reason);
      });
      return afterCommit(row, menuChanged);
    },

    /** System transitions (expiry job, payments). Quietly does nothing when the order moved on. */
    async applySystem(orderId: string, action: MachineAction, reason: string | null): Promise<Order | null> {
      const result = await inTransaction(deps.db, async (trx) => {
        const current = await repo.findOrder(trx, orderId, { forUpdate: true });
        if (!current) return null;
        const check = checkTransition(action, {
          status: current.status,
          channel: current.channel,
          actor: 'system',
          reason,
        });
        if (!check.ok) return null;
        if (action === 'expire' && current.payment_status !== 'awaiting') return null;
        return applyIn(trx, current, action, { kind: 'system', id: null }, reason);
      });
      return result ? afterCommit(result.row, result.menuChanged) : null;
    },

    async customerOrders(
      principal: Principal | null,
      query: { limit?: number; cursor?: string },
    ): Promise<PageOf<Order>> {
      if (principal?.kind !== 'user') throw new ForbiddenError('Only people have their own orders.');
      const limit = query.limit ?? 20;
      const rows = await repo.listForCustomer(deps.db, {
        customerId: principal.userId,
        after: listCursor(query.cursor),
        limit,
      });
      return page(rows, limit);
    },

    async storeOrders(principal: Principal | null, storeId: string, query: StoreOrdersQuery): Promise<PageOf<Order>> {
      const store = await deps.tenancy.api.findStore(storeId);
      if (!store) throw new NotFoundError('store');
      assertOrderingRule(principal, RULES.readStoreOrders, { organizationId: store.organization_id, storeId }, 'store');
      const limit = query.limit ?? 20;
      const rows = await repo.listForStore(deps.db, {
        storeId,
        status: query.status as OrderStatus | undefined,
        channel: query.channel,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        after: listCursor(query.cursor),
        limit,
      });
      return page(rows, limit);
    },

    /**
     * Mirrors a payment change on the order, inside the payment's transaction (so the two never
     * disagree). An authorization clears the expiry, records a history row and, at a store that
     * auto-accepts, accepts the order; it is not recorded on an order that already ended (the
     * caller gives the money back). Returns the order's status after it; null for an unknown order.
     */
    async recordPaymentIn(trx: Tx, orderId: string, change: PaymentChange): Promise<{ status: OrderStatus } | null> {
      const row = await repo.findOrder(trx, orderId, { forUpdate: true });
      if (!row) return null;
      if (
        !PAYMENT_CHANGE_FROM[change].includes(row.payment_status) ||
        (change === 'authorized' && FINAL_STATUSES_OF_ORDERS.has(row.status))
      )
        return { status: row.status };
      const now = deps.clock();
      const updated = await repo.setPaymentStatus(trx, {
        orderId,
        version: row.version,
        paymentStatus: PAYMENT_STATUS_AFTER[change],
        at: now,
        ...(change === 'authorized' ? { expiresAt: null } : {}),
      });
      if (!updated)
        throw new ConflictError('CONCURRENT_UPDATE', 'The order changed while its payment was being recorded; retry.');
      const numbers = await repo.nextNumbers(trx, {
        storeId: row.store_id,
        businessDate: row.business_date,
        events: 1,
        newOrder: false,
      });
      await repo.appendEvents(trx, { storeId: row.store_id, orderId, at: now }, numbers.firstSeq, [
        {
          type: 'payment_changed',
          from_status: row.status,
          to_status: row.status,
          actor_kind: 'system',
          actor_id: null,
          reason: `payment_${change}`,
        },
      ]);
      const facts = {
        order_id: row.id,
        organization_id: row.organization_id,
        store_id: row.store_id,
        number: row.number,
        channel: row.channel,
      };
      await deps.events.append(trx, {
        type: 'ordering.order.payment_changed',
        aggregate: orderAggregate(row.id),
        data: { ...facts, payment_status: PAYMENT_STATUS_AFTER[change] },
      });
      if (change === 'authorized') {
        await deps.events.append(trx, {
          type: 'ordering.order.payment_authorized',
          aggregate: orderAggregate(row.id),
          data: facts,
        });
        if (updated.status === 'placed' && (await deps.settings.settingsOf(row.store_id)).autoAccept) {
          return {
            status: (await applyIn(trx, updated, 'accept', { kind: 'system', id: null }, 'auto-accept')).row.status,
          };
        }
      }
      return { status: updated.status };
    },

    /** What payments needs to know of an order: its money, its lines and whose it is. */
    async paymentFacts(orderId: string, ex: Db | Tx = deps.db): Promise<OrderPaymentFacts | null> {
      const row = await repo.findOrder(ex, orderId);
      if (!row) return null;
      const lines = await repo.linesOf(ex, [orderId]);
      return {
        id: row.id,
        organization_id: row.organization_id,
        store_id: row.store_id,
        number: row.number,
        channel: row.channel,
        status: row.status,
        payment_method: row.payment_method,
        payment_status: row.payment_status,
        total: row.total,
        currency: row.currency,
        customer_id: row.customer_id,
        placed_by: row.placed_by,
        lines: lines.map((line) => ({
          line_no: line.line_no,
          name: line.name,
          quantity: line.quantity,
          total: line.total,
        })),
      };
    },

    /** Ended orders in id order (the invariant checker). */
    endedOrders: (page: { afterId: string | null; limit: number }) => repo.endedOrders(deps.db, page),

    /** Expires unpaid online orders whose time ran out (the scheduled job). */
    async expireUnpaid(batch = 100): Promise<number> {
      const due = await repo.expiredUnpaid(deps.db, deps.clock(), batch);
      let expired = 0;
      for (const { id } of due) if (await this.applySystem(id, 'expire', 'unpaid')) expired++;
      return expired;
    },
  };

  async function page(rows: OrderRow[], limit: number): Promise<PageOf<Order>> {
    const lines = await repo.linesOf(
      deps.db,
      rows.slice(0, limit).map((row) => row.id),
    );
    const byOrder = new Map<string, LineRow[]>();
    for (const line of lines) byOrder.set(line.order_id, [...(byOrder.get(line.order_id) ?? []), line]);
    return toPage(
      rows,
      limit,
      (row) => presentOrder(row, byOrder.get(row.id) ?? []),
      (row) => ({ placed_at: row.placed_at.toISOString(), id: row.id }),
    );
  }
}

export type OrdersService = ReturnType<typeof createOrdersService>;
