// Moving orders through the state machine. A transition locks the order row, checks the caller's
// If-Match against the version, applies the table in state-machine.ts, gives back capacity and
// stock when the order ends early, and records history + event — all in one transaction, so two
// tablets tapping at once advance an order once.
import { recordAudit } from '../../platform/audit/index.js';
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
import { holdsRuleAt, isOrderParty, RULES, storeOf } from './access.js';
import { orderAggregate, TRANSITION_EVENTS, type OrderingEvents } from './events.js';
import { appendHistory } from './history.js';
import { kitchenRepo } from './kitchen-repo.js';
import { matchesVersion, presentOrder } from './present.js';
import { ordersRepo as repo } from './repo.js';
import type { Order, TransitionBody } from './schema.js';
import { checkTransition, type Actor, type MachineAction } from './state-machine.js';
import { FULFILLED_STATUSES, STOCK_RETURNS_FROM } from './statuses.js';
import type { PromotionsPort } from './promotions-port.js';
import type { RewardsPort } from './rewards-port.js';
import type { StockKeeper } from './stock.js';
import type { OrderDeliveries } from './deliveries.js';
import type { OrderRow } from './tables.js';

export interface TransitionDeps {
  db: Db;
  deliveries: OrderDeliveries;
  clock: () => Date;
  stock: Pick<StockKeeper, 'release'>;
  /** Marketing's redemptions: released with the other holds, confirmed when the order is fulfilled. */
  promotions: Pick<PromotionsPort, 'release' | 'confirm'>;
  /** Loyalty's reward holds: released with the other holds, spent when the order is fulfilled. */
  rewards: Pick<RewardsPort, 'release' | 'spend'>;
  events: EventAppender<OrderingEvents>;
  /** After commit: the store's orders changed (live feeds, back-in-stock menus). */
  changed(change: { storeId: string; organizationId: string; menuChanged: boolean }): Promise<void>;
}

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

/** Who the caller is to this order for this action, or why they may not act. */
function actorFor(principal: Principal | null, row: OrderRow, action: MachineAction): Actor {
  const store = storeOf(row);
  if (STAFF_ACTIONS.includes(action) && holdsRuleAt(principal, RULES.workOrders, store)) return 'staff';
  if (COURIER_ACTIONS.includes(action) && holdsRuleAt(principal, RULES.deliverOrders, store)) {
    return principal?.kind === 'user' && !holdsRuleAt(principal, RULES.workOrders, store) ? 'courier' : 'staff';
  }
  if (isOrderParty(principal, row)) return 'customer';
  if (holdsRuleAt(principal, RULES.readStoreOrders, store)) {
    throw new ForbiddenError(`Your role at this store may not ${action.replace('_', ' ')} orders.`);
  }
  throw new NotFoundError('order');
}

export function createTransitions(deps: TransitionDeps) {
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
      await deps.promotions.release(trx, row.id, rule.to);
      await deps.rewards.release(trx, row.id, rule.to);
      if (row.slot_pool !== null && row.slot_starts_at !== null) {
        await kitchenRepo.releaseSlot(trx, {
          storeId: row.store_id,
          pool: row.slot_pool,
          startsAt: row.slot_starts_at,
          items: row.slot_items,
        });
      }
    }
    if (FULFILLED_STATUSES.includes(rule.to)) {
      await deps.promotions.confirm(trx, row.id);
      await deps.rewards.spend(trx, row.id);
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
    await appendHistory(trx, { storeId: row.store_id, orderId: row.id, businessDate: row.business_date }, now, [
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
    return presentOrder(await deps.deliveries.open(deps.db, row), await repo.linesOf(deps.db, [row.id]));
  }

  /** System transitions (expiry job, payments). Quietly does nothing when the order moved on. */
  async function applySystem(orderId: string, action: MachineAction, reason: string | null): Promise<Order | null> {
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
  }

  return {
    applyIn,
    applySystem,

    /** A person's or partner's transition (POST /v1/orders/{id}/transitions). */
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
        const applied = await applyIn(trx, current, body.action, { kind: actor, id: actorId }, reason);
        // Staff, couriers and partners' keys acting on an order are audited; a customer's own cancel is not.
        if (actor !== 'customer')
          await recordAudit(trx, {
            organizationId: current.organization_id,
            storeId: current.store_id,
            action: TRANSITION_EVENTS[body.action],
            target: { type: 'order', id: current.id },
            before: { status: current.status },
            after: { status: applied.row.status, ...(reason === null ? {} : { reason }) },
          });
        return applied;
      });
      return afterCommit(row, menuChanged);
    },

    /** Expires unpaid online orders whose time ran out (the scheduled job). */
    async expireUnpaid(batch = 100): Promise<number> {
      const due = await repo.expiredUnpaid(deps.db, deps.clock(), batch);
      let expired = 0;
      for (const { id } of due) if (await applySystem(id, 'expire', 'unpaid')) expired++;
      return expired;
    },
  };
}

export type Transitions = ReturnType<typeof createTransitions>;
