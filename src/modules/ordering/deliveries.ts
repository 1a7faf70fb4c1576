// An order's delivery details (address, contact name and phone, instructions) are personal data:
// they are stored sealed with the organization's data key (ADR 0025), and this is the one place
// that seals and opens them. Every reader presents an order only once it went through `open`
// (presentOrder takes an OpenedOrderRow), so the kitchen feed, the customer's order and staff
// lists show what they always showed. Rows from before the sealing (plaintext `delivery`) are
// read as they are until the re-encryption job seals them.
import type { PersonalDataVault } from '../../platform/crypto/personal-data.js';
import { ordersRepo as repo } from './repo.js';
import type { DeliveryInput } from './schema.js';
import type { Executor, OpenedOrderRow, OrderRow } from './tables.js';

const context = (orderId: string) => `order-delivery:${orderId}`;
const BATCH = 200;

export function createOrderDeliveries(vault: PersonalDataVault) {
  async function openOne(ex: Executor, row: OrderRow): Promise<OpenedOrderRow> {
    let delivery = row.delivery;
    if (row.delivery_sealed !== null) {
      const json = await vault.open(ex, row.organization_id, row.delivery_sealed, context(row.id));
      delivery = JSON.parse(json) as DeliveryInput;
    }
    return { ...row, delivery, delivery_opened: true };
  }

  return {
    /** The sealed column value for an order being written (null when it has no delivery details). */
    async seal(
      ex: Executor,
      order: { organizationId: string; orderId: string },
      delivery: DeliveryInput | null | undefined,
    ): Promise<Buffer | null> {
      if (!delivery) return null;
      return vault.seal(ex, order.organizationId, JSON.stringify(delivery), context(order.orderId));
    },

    /** The order with its delivery details opened, ready to present. */
    open: openOne,

    async openAll(ex: Executor, rows: OrderRow[]): Promise<OpenedOrderRow[]> {
      return Promise.all(rows.map((row) => openOne(ex, row)));
    },

    /**
     * One pass of the re-encryption job: every order's delivery details sealed with its
     * organization's newest data key (after a data key rotation), and rows from before the
     * sealing sealed at last. Returns how many rows were rewritten.
     */
    async resealAll(db: Executor): Promise<number> {
      let afterId: string | null = null;
      let rewritten = 0;
      const newestOf = new Map<string, number>();
      for (;;) {
        const rows = await repo.deliveriesToReseal(db, { afterId, limit: BATCH });
        if (rows.length === 0) return rewritten;
        for (const row of rows) {
          const holder = row.organization_id;
          const newest = newestOf.get(holder) ?? (await vault.newestVersion(db, holder));
          newestOf.set(holder, newest);
          if (row.delivery_sealed !== null && vault.versionOf(row.delivery_sealed) >= newest) continue;
          const opened = await openOne(db, row as OrderRow);
          const sealed = await vault.seal(db, holder, JSON.stringify(opened.delivery), context(row.id));
          await repo.setSealedDelivery(db, row.id, { from: row.delivery_sealed, to: sealed });
          rewritten++;
        }
        afterId = rows[rows.length - 1]!.id;
      }
    },
  };
}

export type OrderDeliveries = ReturnType<typeof createOrderDeliveries>;
