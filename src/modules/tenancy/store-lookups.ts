// What other modules ask about stores: an organization's store ids, a store's basics, and when
// it is open (ordering's scheduled orders and kitchen slots).
import { isUuid } from '../../platform/http/schema.js';
import type { TenancyServiceDeps } from './deps.js';
import { dateOfDayNumber, dayNumberOf, isOpenAt, openIntervalsForDays, type OpenInterval } from './hours.js';
import { exceptionWindow } from './present.js';
import { tenancyRepo as repo, type Executor, type StoreBasics } from './repo.js';

export function createStoreLookups(deps: TenancyServiceDeps) {
  const { db } = deps;

  return {
    storeIdsOf: (organizationId: string, ex: Executor = db): Promise<string[]> => repo.storeIdsOf(ex, organizationId),
    async findStore(storeId: string, ex: Executor = db): Promise<StoreBasics | null> {
      if (!isUuid(storeId)) return null;
      return repo.findStoreBasics(ex, storeId);
    },

    /** Is the store open at this instant (by its hours and exceptions)? False for no store. */
    async isStoreOpenAt(storeId: string, at: Date, ex: Executor = db): Promise<boolean> {
      if (!isUuid(storeId)) return false;
      const row = await repo.findStore(ex, storeId, exceptionWindow(at, 1));
      if (!row) return false;
      return isOpenAt({ timezone: row.timezone, weekly: row.opening_hours, exceptions: row.exceptions }, at);
    },

    /**
     * The store's open intervals that start on store-local days [from, to] (YYYY-MM-DD), merged
     * where they touch, in order; null for no such store. Kitchen slots are anchored to these.
     */
    async openIntervals(
      storeId: string,
      from: string,
      to: string,
      ex: Executor = db,
    ): Promise<{ timezone: string; intervals: OpenInterval[] } | null> {
      const first = dayNumberOf(from);
      const last = dayNumberOf(to);
      if (!isUuid(storeId) || first === null || last === null || last < first) return null;
      const row = await repo.findStore(ex, storeId, {
        from: dateOfDayNumber(first - 1),
        to: dateOfDayNumber(last + 1),
      });
      if (!row) return null;
      const schedule = { timezone: row.timezone, weekly: row.opening_hours, exceptions: row.exceptions };
      return { timezone: row.timezone, intervals: openIntervalsForDays(schedule, first, last) };
    },
  };
}
