// SQL for a store's dining tables: adding, finding (by id or by the QR token guests scan),
// listing, relabelling and removing them.
import { sql } from 'kysely';
import { isUniqueViolation, t, type Executor, type TableRow } from './db-tables.js';

const TABLE_COLUMNS = [
  'id',
  'organization_id',
  'store_id',
  'label',
  'seats',
  'qr_token',
  'created_at',
  'updated_at',
] as const;

export const diningTablesRepo = {
  /** null when the store already has a table with this label. */
  async insertTable(ex: Executor, row: Omit<TableRow, 'created_at' | 'updated_at'>): Promise<TableRow | null> {
    const inserted = await t(ex)
      .insertInto('dining_tables')
      .values(row)
      .onConflict((oc) => oc.columns(['store_id', 'label']).doNothing())
      .returning(TABLE_COLUMNS)
      .executeTakeFirst();
    return inserted ?? null;
  },

  async findTable(ex: Executor, id: string): Promise<TableRow | null> {
    return (
      (await t(ex).selectFrom('dining_tables').select(TABLE_COLUMNS).where('id', '=', id).executeTakeFirst()) ?? null
    );
  },

  async findTableByQrToken(ex: Executor, qrToken: string): Promise<TableRow | null> {
    return (
      (await t(ex)
        .selectFrom('dining_tables')
        .select(TABLE_COLUMNS)
        .where('qr_token', '=', qrToken)
        .executeTakeFirst()) ?? null
    );
  },

  async listTables(
    ex: Executor,
    storeId: string,
    query: { afterId: string | null; limit: number },
  ): Promise<TableRow[]> {
    let select = t(ex).selectFrom('dining_tables').select(TABLE_COLUMNS).where('store_id', '=', storeId);
    if (query.afterId !== null) select = select.where('id', '>', query.afterId);
    return select
      .orderBy('id')
      .limit(query.limit + 1)
      .execute();
  },

  /** null when there is no such table in the store; 'label_taken' on a duplicate label. */
  async updateTable(
    ex: Executor,
    storeId: string,
    id: string,
    patch: { label?: string; seats?: number; qr_token?: string },
  ): Promise<TableRow | null | 'label_taken'> {
    try {
      const updated = await t(ex)
        .updateTable('dining_tables')
        .set({ ...patch, updated_at: sql`now()` })
        .where('id', '=', id)
        .where('store_id', '=', storeId)
        .returning(TABLE_COLUMNS)
        .executeTakeFirst();
      return updated ?? null;
    } catch (error) {
      if (isUniqueViolation(error, 'dining_tables_store_id_label_key')) return 'label_taken';
      throw error;
    }
  },

  async deleteTable(ex: Executor, storeId: string, id: string): Promise<boolean> {
    const result = await t(ex)
      .deleteFrom('dining_tables')
      .where('id', '=', id)
      .where('store_id', '=', storeId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  },
};
