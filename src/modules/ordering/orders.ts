// Reading orders: one order with its history for whoever may see it, a customer's own orders, a
// store's orders, and the ended orders payments' invariant checker walks. Moving orders is in
// transitions.ts; who may see one is in access.ts.
import type { Principal } from '../../platform/auth/principal.js';
import type { Db } from '../../platform/db/index.js';
import { ForbiddenError, NotFoundError } from '../../platform/http/errors.js';
import { decodeCursor, isUuid, toPage, type PageOf } from '../../platform/http/schema.js';
import type { TenancyApi } from '../tenancy/index.js';
import { assertOrderingRule, mayViewOrder, RULES } from './access.js';
import { historyRepo } from './history-repo.js';
import { presentHistory, presentOrder } from './present.js';
import { ordersRepo as repo } from './repo.js';
import type { Order, OrderStatus, StoreOrdersQuery } from './schema.js';
import type { OrderDeliveries } from './deliveries.js';
import type { LineRow, OrderRow } from './tables.js';

export interface OrderReadingDeps {
  db: Db;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  deliveries: OrderDeliveries;
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

export function createOrderReading(deps: OrderReadingDeps) {
  async function page(listed: OrderRow[], limit: number): Promise<PageOf<Order>> {
    const rows = await deps.deliveries.openAll(deps.db, listed);
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

  return {
    /** The order with its history, if this caller may see it (else 404), and its version (the ETag). */
    async getOrder(principal: Principal | null, orderId: string) {
      const found = await repo.findOrder(deps.db, orderId);
      if (!found || !mayViewOrder(principal, found)) throw new NotFoundError('order');
      const row = await deps.deliveries.open(deps.db, found);
      const [lines, entries] = await Promise.all([
        repo.linesOf(deps.db, [row.id]),
        historyRepo.entriesOf(deps.db, row.id),
      ]);
      return { order: { ...presentOrder(row, lines), history: presentHistory(entries) }, version: row.version };
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

    /** Ended orders in id order (the invariant checker). */
    endedOrders: (page: { afterId: string | null; limit: number }) => repo.endedOrders(deps.db, page),
  };
}

export type OrderReading = ReturnType<typeof createOrderReading>;
