// The kitchen as placement sees it: how the store takes orders (its settings) and what its
// kitchen slots still hold. A quote only looks; placement takes a slot inside the order's
// transaction. Both try the plan's candidate slots in order and stop at the first with room.
import type { Db, Tx } from '../../platform/db/index.js';
import { kitchenRepo } from './kitchen-repo.js';
import type { Capacity } from './kitchen-schema.js';
import type { SettingsService } from './settings.js';
import type { Slot } from './slots.js';

/** An order looking for a slot: the capacity pool it draws from and how many items it brings. */
export interface SlotRequest {
  storeId: string;
  pool: string;
  capacity: Capacity;
  /** In the order to try them (the plan's candidates). */
  candidates: Slot[];
  items: number;
}

export function createKitchen(deps: { db: Db; settings: Pick<SettingsService, 'settingsOf'> }) {
  return {
    settingsOf: (storeId: string) => deps.settings.settingsOf(storeId),

    /** Read-only (a quote): the first candidate with room for one more order of these items, taking nothing. */
    async firstSlotWithRoom(request: SlotRequest): Promise<Slot | null> {
      const { candidates, capacity } = request;
      if (candidates.length === 0) return null;
      const first = candidates[0]!.startsAt;
      const last = candidates[candidates.length - 1]!.startsAt;
      const usage = new Map(
        (await kitchenRepo.slotUsage(deps.db, request.storeId, request.pool, new Date(first), new Date(last + 1))).map(
          (row) => [row.starts_at.getTime(), row],
        ),
      );
      const room = candidates.find((slot) => {
        const used = usage.get(slot.startsAt);
        return (
          (capacity.orders === null || (used?.orders_taken ?? 0) + 1 <= capacity.orders) &&
          (capacity.items === null || (used?.items_taken ?? 0) + request.items <= capacity.items)
        );
      });
      return room ?? null;
    },

    /**
     * Inside the order's transaction: takes the first candidate with room. The slot's row stays
     * locked until commit, so concurrent orders queue on it and never overbook. Null: all full.
     */
    async takeSlotIn(trx: Tx, request: SlotRequest): Promise<Slot | null> {
      for (const candidate of request.candidates) {
        const taken = await kitchenRepo.takeSlot(trx, {
          storeId: request.storeId,
          pool: request.pool,
          startsAt: new Date(candidate.startsAt),
          items: request.items,
          maxOrders: request.capacity.orders,
          maxItems: request.capacity.items,
        });
        if (taken) return candidate;
      }
      return null;
    },
  };
}

export type Kitchen = ReturnType<typeof createKitchen>;
