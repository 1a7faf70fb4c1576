// The invariant checker: what must hold between orders, money and stock whatever crashed, was
// retried or arrived twice. Run by tests after every fault scenario, by operators through
// `brigade check` and GET /v1/admin/invariants.
//   - every fulfilled order's payment was captured exactly once, for the order's total;
//   - what was refunded is what the refunds say, and never more than was captured;
//   - an order that ended unfulfilled holds no money (nothing authorized, or all of it refunded),
//     no kitchen slot, and — when the kitchen had not started on it — no stock;
//   - every stock level is the sum of its ledger;
//   - promotions: uses within limits, given within budgets, counters equal to the held and
//     confirmed redemptions, and no live redemption on an order that ended unfulfilled;
//   - loyalty: the ledger replayed equals the stored balances, lots and tiers, and no order that
//     ended unfulfilled still holds a reward's points.
// Payments still in flight are given `graceSeconds` before they count (a capture a second after
// completion is not a violation); tests pass 0 after letting the saga settle.
import type { Db } from '../../platform/db/index.js';
import {
  FULFILLED_STATUSES,
  STOCK_RETURNS_FROM,
  UNFULFILLED_STATUSES,
  type EndedOrderRow,
  type OrderingApi,
} from '../ordering/index.js';
import { paymentsRepo as repo, type PaymentAuditRow, type PaymentStatus } from './repo.js';
import { MAX_REPORTED_VIOLATIONS, type InvariantReport } from './schema.js';

export interface InvariantDeps {
  db: Db;
  clock: () => Date;
  ordering: { api: Pick<OrderingApi, 'endedOrders'> };
  inventory: {
    api: {
      heldByOrders(ex: Db, orderIds: string[]): Promise<Array<{ order_id: string; item_id: string; held: number }>>;
      audit(ex: Db): Promise<Array<{ store_id: string; item_id: string; level: number | null; ledger_sum: number }>>;
    };
  };
  /** Marketing's redemption ledger (absent in tools that build payments without it). */
  marketing?: {
    api: {
      audit(ex: Db): Promise<Array<{ check: string; subject: string; detail: string }>>;
      ordersHoldingRedemptions(ex: Db, orderIds: string[]): Promise<string[]>;
    };
  };
  /** Loyalty's points ledger (absent in tools that build payments without it). */
  loyalty?: {
    api: {
      audit(ex: Db): Promise<Array<{ check: string; subject: string; detail: string }>>;
      ordersHoldingRewards(ex: Db, orderIds: string[]): Promise<string[]>;
    };
  };
}

type Violation = InvariantReport['violations'][number];

const IN_FLIGHT: readonly PaymentStatus[] = ['pending', 'capturing', 'voiding'];
const HOLDS_MONEY: readonly PaymentStatus[] = [
  'requires_payment',
  'processing',
  'authorized',
  'capturing',
  'voiding',
  'pending',
];
const BATCH = 500;

export function createInvariantChecker(deps: InvariantDeps) {
  function moneyOf(order: EndedOrderRow, payment: PaymentAuditRow | undefined, settled: boolean): Violation[] {
    const subject = `order ${order.id} (${order.number})`;
    const violations: Violation[] = [];
    const add = (check: string, detail: string) => violations.push({ check, subject, detail });
    if (!payment) return [{ check: 'order_has_payment', subject, detail: 'The order has no payment record.' }];
    if (payment.amount_refunded > payment.amount_captured)
      add('refunds_within_capture', `Refunded ${payment.amount_refunded} of ${payment.amount_captured} captured.`);
    if (payment.refunded_by_operations !== payment.refunds_succeeded)
      add(
        'refunds_match_operations',
        `Refunds say ${payment.refunds_succeeded}, confirmed refund operations ${payment.refunded_by_operations}.`,
      );
    if (payment.amount_refunded !== payment.refunds_succeeded + payment.refunds_pending)
      add(
        'refunds_match_operations',
        `Reserved ${payment.amount_refunded} for refunds, the refunds add up to ${payment.refunds_succeeded + payment.refunds_pending}.`,
      );
    if (!settled) return violations;

    if (FULFILLED_STATUSES.includes(order.status)) {
      if (payment.status !== 'captured' || payment.captures !== 1)
        add(
          'completed_order_captured_once',
          `Payment ${payment.id} is ${payment.status} with ${payment.captures} capture(s).`,
        );
      else if (payment.amount_captured !== order.total || payment.captured_by_operations !== order.total) {
        add(
          'net_capture_matches_total',
          `Captured ${payment.amount_captured} (operations: ${payment.captured_by_operations}), minus refunds ${payment.refunds_succeeded}; the order's total is ${order.total}, minus refunds ${payment.refunds_succeeded}.`,
        );
      }
    }
    if (UNFULFILLED_STATUSES.includes(order.status)) {
      if (HOLDS_MONEY.includes(payment.status))
        add(
          'cancelled_order_holds_no_money',
          `The order is ${order.status} but its payment ${payment.id} is ${payment.status}.`,
        );
      if (payment.status === 'captured' && payment.refunds_succeeded !== payment.amount_captured)
        add(
          'cancelled_order_holds_no_money',
          `The order is ${order.status}; ${payment.amount_captured} was captured and ${payment.refunds_succeeded} refunded.`,
        );
      if (payment.captures > 1)
        add('completed_order_captured_once', `Payment ${payment.id} was captured ${payment.captures} times.`);
    }
    return violations;
  }

  async function check(options: { graceSeconds: number }): Promise<InvariantReport> {
    const now = deps.clock();
    const settledBefore = now.getTime() - options.graceSeconds * 1000;
    const violations: Violation[] = [];
    for (let afterId: string | null = null; ;) {
      const orders = await deps.ordering.api.endedOrders({ afterId, limit: BATCH });
      if (orders.length === 0) break;
      afterId = orders[orders.length - 1]!.id;
      const ids = orders.map((order) => order.id);
      const payments = new Map((await repo.auditByOrders(deps.db, ids)).map((row) => [row.order_id, row]));
      const closedEarly = orders.filter(
        (order) =>
          UNFULFILLED_STATUSES.includes(order.status) &&
          order.ended_from !== null &&
          STOCK_RETURNS_FROM.includes(order.ended_from),
      );
      const held = await deps.inventory.api.heldByOrders(
        deps.db,
        closedEarly.map((order) => order.id),
      );
      for (const order of orders) {
        const payment = payments.get(order.id);
        const inFlight = payment !== undefined && (IN_FLIGHT.includes(payment.status) || payment.refunds_pending > 0);
        const settled = !inFlight || payment.updated_at.getTime() <= settledBefore;
        violations.push(...moneyOf(order, payment, settled));
        const subject = `order ${order.id} (${order.number})`;
        if (UNFULFILLED_STATUSES.includes(order.status) && !order.holds_released)
          violations.push({
            check: 'cancelled_order_holds_no_slot',
            subject,
            detail: `The order is ${order.status} but still holds its kitchen slot.`,
          });
      }
      const unfulfilled = orders.filter((order) => UNFULFILLED_STATUSES.includes(order.status));
      const redeeming = await deps.marketing?.api.ordersHoldingRedemptions(
        deps.db,
        unfulfilled.map((order) => order.id),
      );
      for (const orderId of redeeming ?? [])
        violations.push({
          check: 'cancelled_order_holds_no_redemption',
          subject: `order ${orderId}`,
          detail: 'The order ended unfulfilled but still holds a promotion redemption.',
        });
      const rewarded = await deps.loyalty?.api.ordersHoldingRewards(
        deps.db,
        unfulfilled.map((order) => order.id),
      );
      for (const orderId of rewarded ?? [])
        violations.push({
          check: 'cancelled_order_holds_no_reward_points',
          subject: `order ${orderId}`,
          detail: 'The order ended unfulfilled but its reward still holds points.',
        });
      for (const hold of held)
        violations.push({
          check: 'cancelled_order_holds_no_stock',
          subject: `order ${hold.order_id}`,
          detail: `Still holds ${hold.held} of item ${hold.item_id}.`,
        });
    }
    for (const finding of await deps.inventory.api.audit(deps.db)) {
      violations.push({
        check: 'stock_ledger_matches_level',
        subject: `item ${finding.item_id} at store ${finding.store_id}`,
        detail: `Level ${finding.level ?? 'untracked'}, ledger sum ${finding.ledger_sum}.`,
      });
    }
    violations.push(...((await deps.marketing?.api.audit(deps.db)) ?? []));
    violations.push(...((await deps.loyalty?.api.audit(deps.db)) ?? []));
    // The report lists the first MAX_REPORTED_VIOLATIONS (its documented bound); ok counts them all.
    return {
      ok: violations.length === 0,
      checked_at: now.toISOString(),
      violations: violations.slice(0, MAX_REPORTED_VIOLATIONS),
    };
  }

  return { check };
}

export type InvariantChecker = ReturnType<typeof createInvariantChecker>;
