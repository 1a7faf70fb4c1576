// The order's side of its payment: payments mirror each change on the order (its
// `payment.status`, a history entry, the events) inside their own transaction, so the two never
// disagree; and the facts of an order payments need. Payments reach this only through ordering's
// index (recordPaymentIn, orderForPayment).
import type { Db, Tx } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import { ConflictError } from '../../platform/http/errors.js';
import { orderAggregate, type OrderingEvents } from './events.js';
import { appendHistory } from './history.js';
import { ordersRepo as repo } from './repo.js';
import type { OrderStatus } from './schema.js';
import type { SettingsService } from './settings.js';
import { isFinal } from './statuses.js';
import type { OrderRow } from './tables.js';
import type { PromotionsPort } from './promotions-port.js';
import type { RewardsPort } from './rewards-port.js';
import type { Transitions } from './transitions.js';

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

export interface PaymentMirrorDeps {
  db: Db;
  clock: () => Date;
  events: EventAppender<OrderingEvents>;
  settings: Pick<SettingsService, 'settingsOf'>;
  /** Paid confirms the order's redemptions; a refund of the whole order gives them back. */
  promotions: Pick<PromotionsPort, 'release' | 'confirm'>;
  /** A refund of the whole order gives its reward's points back (held ones, or spent ones). */
  rewards: Pick<RewardsPort, 'release'>;
  /** An authorization at a store that auto-accepts accepts the order, as the system. */
  transitions: Pick<Transitions, 'applyIn'>;
}

export function createPaymentMirror(deps: PaymentMirrorDeps) {
  return {
    /**
     * Mirrors a payment change on the order, inside the payment's transaction (so the two never
     * disagree). An authorization clears the expiry, records a history row and, at a store that
     * auto-accepts, accepts the order; it is not recorded on an order that already ended (the
     * caller gives the money back). Returns the order's status after it; null for an unknown order.
     */
    async recordPaymentIn(trx: Tx, orderId: string, change: PaymentChange): Promise<{ status: OrderStatus } | null> {
      const row = await repo.findOrder(trx, orderId, { forUpdate: true });
      if (!row) return null;
      if (!PAYMENT_CHANGE_FROM[change].includes(row.payment_status) || (change === 'authorized' && isFinal(row.status)))
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
      await appendHistory(trx, { storeId: row.store_id, orderId, businessDate: row.business_date }, now, [
        {
          type: 'payment_changed',
          from_status: row.status,
          to_status: row.status,
          actor_kind: 'system',
          actor_id: null,
          reason: `payment_${change}`,
        },
      ]);
      if (change === 'paid') await deps.promotions.confirm(trx, orderId);
      if (change === 'refunded') {
        await deps.promotions.release(trx, orderId, 'refunded');
        await deps.rewards.release(trx, orderId, 'refunded');
      }
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
        if (updated.status === 'placed' && (await deps.settings.settingsOf(row.store_id, trx)).autoAccept) {
          const accepted = await deps.transitions.applyIn(
            trx,
            updated,
            'accept',
            { kind: 'system', id: null },
            'auto-accept',
          );
          return { status: accepted.row.status };
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
  };
}

export type PaymentMirror = ReturnType<typeof createPaymentMirror>;
