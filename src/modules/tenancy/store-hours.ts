// The rules of a store's opening hours: replacing its weekly hours, and planning, removing and
// listing the exceptions to them (holidays, closures, special hours).
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../../platform/auth/principal.js';
import { NotFoundError, UnprocessableError, ValidationError } from '../../platform/http/errors.js';
import { decodeCursor, toPage, type PageOf } from '../../platform/http/schema.js';
import { RULES } from './access.js';
import type { TenancyServiceDeps } from './deps.js';
import { dateOfDayNumber, dayNumberOf, localDateAt, type DailyInterval, type WeeklyInterval } from './hours.js';
import { presentException } from './present.js';
import { tenancyRepo as repo, type StoreBasics } from './repo.js';
import type { HoursException, HoursExceptionBody } from './schema.js';
import type { StoreEdits } from './store-edits.js';
import { exceptionProblems, throwIfProblems, weeklyProblems } from './validate.js';

/** Exceptions may be planned this far ahead (store-local days). */
const MAX_EXCEPTION_DAYS_AHEAD = 730;

export function createStoreHours(deps: TenancyServiceDeps, edits: StoreEdits) {
  const { db, clock } = deps;
  const { editStore, storeForStaff } = edits;

  /** An exception date must be a real date, not before today and not absurdly far ahead. */
  function checkExceptionDate(store: StoreBasics, date: string): void {
    const day = dayNumberOf(date);
    const today = dayNumberOf(localDateAt(clock(), store.timezone))!;
    if (day === null) throw new ValidationError([{ path: '/params/date', message: 'is not a calendar date' }]);
    if (day < today)
      throw new UnprocessableError(
        'HOURS_EXCEPTION_IN_PAST',
        `${date} is in the past for this store (today is ${dateOfDayNumber(today)}).`,
      );
    if (day > today + MAX_EXCEPTION_DAYS_AHEAD) {
      throw new UnprocessableError(
        'HOURS_EXCEPTION_TOO_FAR_AHEAD',
        `Exceptions can be planned up to ${MAX_EXCEPTION_DAYS_AHEAD} days ahead.`,
      );
    }
  }

  return {
    async replaceOpeningHours(
      principal: Principal | null,
      storeId: string,
      weekly: WeeklyInterval[],
      ifMatch: number[] | null,
    ) {
      throwIfProblems(weeklyProblems(weekly, '/body/opening_hours'));
      return editStore(
        principal,
        storeId,
        ifMatch,
        {},
        ['opening_hours'],
        (trx) => repo.replaceOpeningHours(trx, storeId, weekly),
        { action: 'tenancy.store_hours.replaced', before: () => null },
      );
    },

    async setHoursException(
      principal: Principal | null,
      storeId: string,
      date: string,
      input: HoursExceptionBody,
      ifMatch: number[] | null,
    ) {
      const intervals: DailyInterval[] = input.intervals ?? [];
      throwIfProblems(exceptionProblems({ date, closed: input.closed, intervals }, '/body'));
      let saved: (HoursException & { created: boolean }) | undefined;
      await editStore(
        principal,
        storeId,
        ifMatch,
        {},
        ['hours_exceptions'],
        async (trx, store) => {
          checkExceptionDate(store, date);
          const row = await repo.upsertHoursException(trx, {
            id: uuidv7(),
            store_id: storeId,
            date,
            closed: input.closed,
            intervals,
            note: input.note ?? null,
          });
          saved = { ...presentException(row), created: row.created };
        },
        {
          action: 'tenancy.store_hours_exception.set',
          target: { type: 'store_hours_exception', id: `${storeId}/${date}` },
          before: () => null,
          after: () => saved ?? null,
        },
      );
      return saved!;
    },

    async removeHoursException(
      principal: Principal | null,
      storeId: string,
      date: string,
      ifMatch: number[] | null,
    ): Promise<void> {
      await editStore(
        principal,
        storeId,
        ifMatch,
        {},
        ['hours_exceptions'],
        async (trx) => {
          if (!(await repo.deleteHoursException(trx, storeId, date))) throw new NotFoundError('hours exception');
        },
        {
          action: 'tenancy.store_hours_exception.removed',
          target: { type: 'store_hours_exception', id: `${storeId}/${date}` },
          before: () => null,
          after: () => null,
        },
      );
    },

    async listHoursExceptions(
      principal: Principal | null,
      storeId: string,
      query: { from?: string; limit?: number; cursor?: string },
    ): Promise<PageOf<HoursException>> {
      const store = await storeForStaff(db, principal, storeId, RULES.readStoreBackOffice);
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['date'] as const, (key) => dayNumberOf(key.date) !== null);
      const fromDate = query.from ?? localDateAt(clock(), store.timezone);
      const rows = await repo.listHoursExceptions(db, storeId, { fromDate, afterDate: after?.date ?? null, limit });
      return toPage(rows, limit, presentException, (row) => ({ date: row.date }));
    },
  };
}
