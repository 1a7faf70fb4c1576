// SQL for when a store opens: its weekly opening hours and the dated exceptions to them
// (holidays, closures, special hours).
import { sql } from 'kysely';
import type { DailyInterval, WeeklyInterval } from './hours.js';
import { t, type ExceptionRow, type Executor } from './db-tables.js';

export const storeHoursRepo = {
  // --- weekly hours --------------------------------------------------------------------------

  async replaceOpeningHours(ex: Executor, storeId: string, weekly: WeeklyInterval[]): Promise<void> {
    await t(ex).deleteFrom('store_opening_hours').where('store_id', '=', storeId).execute();
    if (weekly.length === 0) return;
    await t(ex)
      .insertInto('store_opening_hours')
      .values(weekly.map((interval) => ({ store_id: storeId, ...interval })))
      .execute();
  },

  // --- hours exceptions ----------------------------------------------------------------------

  /** Creates or replaces the exception of a date; `created` says which. */
  async upsertHoursException(
    ex: Executor,
    row: {
      id: string;
      store_id: string;
      date: string;
      closed: boolean;
      intervals: DailyInterval[];
      note: string | null;
    },
  ): Promise<ExceptionRow & { created: boolean }> {
    const saved = await t(ex)
      .insertInto('store_hours_exceptions')
      .values({ ...row, intervals: JSON.stringify(row.intervals) })
      .onConflict((oc) =>
        oc.columns(['store_id', 'date']).doUpdateSet((eb) => ({
          closed: eb.ref('excluded.closed'),
          intervals: eb.ref('excluded.intervals'),
          note: eb.ref('excluded.note'),
          updated_at: sql`now()`,
        })),
      )
      // xmax is 0 only for a freshly inserted row version: PostgreSQL's "inserted or updated?".
      .returning([
        'id',
        sql<string>`date::text`.as('date'),
        'closed',
        'intervals',
        'note',
        sql<boolean>`xmax = 0`.as('created'),
      ])
      .executeTakeFirstOrThrow();
    return saved;
  },

  async deleteHoursException(ex: Executor, storeId: string, date: string): Promise<boolean> {
    const result = await t(ex)
      .deleteFrom('store_hours_exceptions')
      .where('store_id', '=', storeId)
      .where('date', '=', date)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  },

  async listHoursExceptions(
    ex: Executor,
    storeId: string,
    query: { fromDate: string; afterDate: string | null; limit: number },
  ): Promise<ExceptionRow[]> {
    let select = t(ex)
      .selectFrom('store_hours_exceptions')
      .select(['id', sql<string>`date::text`.as('date'), 'closed', 'intervals', 'note'])
      .where('store_id', '=', storeId)
      .where('date', '>=', query.fromDate);
    if (query.afterDate !== null) select = select.where('date', '>', query.afterDate);
    return select
      .orderBy('date')
      .limit(query.limit + 1)
      .execute();
  },
};
