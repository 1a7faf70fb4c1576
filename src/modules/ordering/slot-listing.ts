// GET …/slots: a day's kitchen slots with what is left of each. Public, like the menu: it is
// what a checkout shows when the customer picks a time.
import type { Db } from '../../platform/db/index.js';
import { NotFoundError } from '../../platform/http/errors.js';
import { localDateAt, type TenancyApi } from '../tenancy/index.js';
import { kitchenRepo } from './kitchen-repo.js';
import type { Channel } from './schema.js';
import { poolOf, type SettingsService } from './settings.js';
import { slotsOf } from './slots.js';

const MINUTE = 60_000;

export function createSlotListing(deps: {
  db: Db;
  clock: () => Date;
  tenancy: { api: Pick<TenancyApi, 'findStore' | 'openIntervals'> };
  settings: Pick<SettingsService, 'settingsOf'>;
}) {
  return async function listSlots(storeId: string, query: { date?: string; channel?: Channel }) {
    const store = await deps.tenancy.api.findStore(storeId);
    if (!store) throw new NotFoundError('store');
    const now = deps.clock();
    const date = query.date ?? localDateAt(now, store.timezone);
    const channel = query.channel ?? 'pickup';
    const settings = await deps.settings.settingsOf(storeId);
    const opening = await deps.tenancy.api.openIntervals(storeId, date, date);
    const { pool, capacity } = poolOf(settings, channel);
    const slots = (opening?.intervals ?? []).flatMap((interval) =>
      slotsOf(interval, settings.slotMinutes).map((slot) => ({
        slot,
        opensAt: interval.opensAt.getTime(),
        closesAt: interval.closesAt.getTime(),
      })),
    );
    const first = slots[0]?.slot.startsAt;
    const last = slots[slots.length - 1]?.slot.startsAt;
    const usage =
      first === undefined || last === undefined
        ? []
        : await kitchenRepo.slotUsage(deps.db, storeId, pool, new Date(first), new Date(last + 1));
    const taken = new Map(usage.map((row) => [row.starts_at.getTime(), row]));
    const earliestReady = now.getTime() + settings.prepMinutes * MINUTE;
    return {
      store_id: storeId,
      date,
      channel,
      timezone: store.timezone,
      slot_minutes: settings.slotMinutes,
      slots: slots.map(({ slot, opensAt, closesAt }) => {
        const used = taken.get(slot.startsAt);
        const orders = capacity.orders === null ? null : Math.max(0, capacity.orders - (used?.orders_taken ?? 0));
        const items = capacity.items === null ? null : Math.max(0, capacity.items - (used?.items_taken ?? 0));
        // The last slot also takes an order ready exactly at closing (placed at the cut-off).
        const readyInTime =
          (slot.endsAt > earliestReady || (slot.endsAt === closesAt && slot.endsAt === earliestReady)) &&
          slot.endsAt > opensAt + settings.prepMinutes * MINUTE;
        return {
          starts_at: new Date(slot.startsAt).toISOString(),
          ends_at: new Date(slot.endsAt).toISOString(),
          capacity,
          remaining: { orders, items },
          orderable: readyInTime && orders !== 0 && items !== 0,
        };
      }),
    };
  };
}
