// A tip after the fact, on dine-in: the table adds it when the bill comes. The payment is asked
// first to carry the new total (an online authorization is raised at the provider, outside any
// transaction); then the order's price snapshot, its total and the payment's amount change in one
// transaction, so what is captured at completion is what the order says.
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import type { EventAppender } from '../../platform/events/index.js';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  UnprocessableError,
} from '../../platform/http/errors.js';
import { holdsRuleAt, isOrderParty, RULES, storeOf } from './access.js';
import { orderAggregate, type OrderingEvents } from './events.js';
import type { PaymentsPort } from './payments-port.js';
import { matchesVersion, presentOrder } from './present.js';
import { withinPricingRange } from './pricing-guard.js';
import { withTip } from './pricing.js';
import { ordersRepo as repo } from './repo.js';
import type { Money, Order } from './schema.js';
import { isFinal } from './statuses.js';
import type { OrderDeliveries } from './deliveries.js';
import type { OrderRow } from './tables.js';

export interface TipDeps {
  db: Db;
  deliveries: OrderDeliveries;
  clock: () => Date;
  events: EventAppender<OrderingEvents>;
  payments: () => PaymentsPort | null;
  changed(change: { storeId: string; organizationId: string; menuChanged: boolean }): Promise<void>;
}

export function createTipService(deps: TipDeps) {
  /** Who may tip: the order's customer (or placing partner) and the store's floor staff. */
  function mayTip(principal: Principal | null, row: OrderRow): boolean {
    return isOrderParty(principal, row) || holdsRuleAt(principal, RULES.workOrders, storeOf(row));
  }

  function check(row: OrderRow, tip: Money): void {
    if (row.channel !== 'dine_in')
      throw new ConflictError(
        'TIP_NOT_APPLICABLE',
        'Tips after ordering are for dine-in orders; other orders carry their tip when placed.',
      );
    if (isFinal(row.status))
      throw new ConflictError('TIP_NOT_APPLICABLE', `The order is ${row.status}; its bill is settled.`);
    if (row.payment_status === 'paid' || row.payment_status === 'refunded')
      throw new ConflictError(
        'PAYMENT_ALREADY_CAPTURED',
        'The payment was already taken; a tip can no longer be added to it.',
      );
    if (row.payment_method === 'online' && row.payment_status !== 'authorized') {
      throw new ConflictError(
        'PAYMENT_NOT_AUTHORIZED',
        'The online payment is not authorized yet; add the tip once it is.',
      );
    }
    if (tip.currency !== row.currency)
      throw new UnprocessableError('CURRENCY_MISMATCH', `This store charges in ${row.currency}.`, [
        { path: '/tip/currency', message: `must be ${row.currency}` },
      ]);
  }

  return {
    async setTip(
      principal: Principal | null,
      orderId: string,
      tip: Money,
      ifMatch: string | undefined,
    ): Promise<Order> {
      const read = await repo.findOrder(deps.db, orderId);
      if (!read || !mayTip(principal, read)) throw new NotFoundError('order');
      if (ifMatch !== undefined && !matchesVersion(ifMatch, read.version))
        throw new PreconditionFailedError('The order changed since you read it; fetch it again.');
      check(read, tip);
      const newTotal = withinPricingRange(() => withTip(read.pricing, tip.amount)).total;
      const payments = deps.payments();
      if (payments) await payments.prepareTotal(orderId, newTotal);

      const row = await inTransaction(deps.db, async (trx) => {
        const current = await repo.findOrder(trx, orderId, { forUpdate: true });
        if (!current) throw new NotFoundError('order');
        // Moved on while the authorization was raised: the checks again, on what is there now.
        if (current.version !== read.version)
          throw new ConflictError(
            'CONCURRENT_UPDATE',
            'The order changed while the tip was being added; fetch it and retry.',
          );
        check(current, tip);
        const pricing = withinPricingRange(() => withTip(current.pricing, tip.amount));
        const updated = await repo.setTip(trx, { orderId, version: current.version, pricing, at: deps.clock() });
        if (!updated)
          throw new ConflictError(
            'CONCURRENT_UPDATE',
            'The order changed while the tip was being added; fetch it and retry.',
          );
        if (payments) await payments.setTotalIn(trx, orderId, pricing.total);
        await deps.events.append(trx, {
          type: 'ordering.order.tip_changed',
          aggregate: orderAggregate(orderId),
          data: {
            order_id: orderId,
            organization_id: updated.organization_id,
            store_id: updated.store_id,
            number: updated.number,
            channel: updated.channel,
            tip: pricing.tip,
            total: pricing.total,
            currency: updated.currency,
          },
        });
        return updated;
      });
      await deps.changed({ storeId: row.store_id, organizationId: row.organization_id, menuChanged: false });
      return presentOrder(await deps.deliveries.open(deps.db, row), await repo.linesOf(deps.db, [row.id]));
    },
  };
}

export type TipService = ReturnType<typeof createTipService>;
