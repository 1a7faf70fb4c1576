// SQL of a promotion's codes: one shared code, a batch inserted in one statement that skips
// codes already taken (the caller draws new ones for those), keyset pages, removal. Codes are
// unique per organization case-insensitively (code_key, the upper-cased code). Every query names
// the organization; every function takes the executor first.
import { sql } from 'kysely';
import { marketingTables as t, type Executor } from './tables.js';

export interface CodeRow {
  id: string;
  promotion_id: string;
  code: string;
  usage_limit: number | null;
  uses: number;
  created_at: Date;
}

const COLUMNS = ['id', 'promotion_id', 'code', 'usage_limit', 'uses', 'created_at'] as const;

export const codesRepo = {
  /** One code; a code already taken in the organization raises the unique violation (23505). */
  async insert(
    ex: Executor,
    row: { id: string; organization_id: string; promotion_id: string; code: string; usage_limit: number | null },
  ): Promise<CodeRow> {
    return t(ex).insertInto('promotion_codes').values(row).returning(COLUMNS).executeTakeFirstOrThrow();
  },

  /**
   * Inserts the codes (all single-use) in one statement; those whose code_key is taken already are
   * skipped. Returns the rows inserted, so the caller sees which codes collided.
   */
  async insertBatch(
    ex: Executor,
    batch: { organizationId: string; promotionId: string; ids: string[]; codes: string[] },
  ): Promise<CodeRow[]> {
    const result = await sql<CodeRow>`
      INSERT INTO promotion_codes (id, organization_id, promotion_id, code, usage_limit)
      SELECT new.id, ${batch.organizationId}::uuid, ${batch.promotionId}::uuid, new.code, 1
      FROM unnest(${batch.ids}::uuid[], ${batch.codes}::text[]) AS new (id, code)
      ON CONFLICT (organization_id, code_key) DO NOTHING
      RETURNING id, promotion_id, code, usage_limit, uses, created_at`.execute(ex);
    return result.rows;
  },

  async find(ex: Executor, organizationId: string, promotionId: string, id: string): Promise<CodeRow | null> {
    const row = await t(ex)
      .selectFrom('promotion_codes')
      .select(COLUMNS)
      .where('organization_id', '=', organizationId)
      .where('promotion_id', '=', promotionId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  },

  /** Keyset page in id order after `afterId` (limit + 1 rows). */
  async list(
    ex: Executor,
    organizationId: string,
    promotionId: string,
    page: { afterId: string | null; limit: number },
  ): Promise<CodeRow[]> {
    let query = t(ex)
      .selectFrom('promotion_codes')
      .select(COLUMNS)
      .where('organization_id', '=', organizationId)
      .where('promotion_id', '=', promotionId);
    if (page.afterId !== null) query = query.where('id', '>', page.afterId);
    return query
      .orderBy('id')
      .limit(page.limit + 1)
      .execute();
  },

  async count(ex: Executor, organizationId: string, promotionId: string): Promise<number> {
    const row = await t(ex)
      .selectFrom('promotion_codes')
      .select(sql<string>`count(*)`.as('count'))
      .where('organization_id', '=', organizationId)
      .where('promotion_id', '=', promotionId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  },

  async remove(ex: Executor, organizationId: string, promotionId: string, id: string): Promise<CodeRow | null> {
    const row = await t(ex)
      .deleteFrom('promotion_codes')
      .where('organization_id', '=', organizationId)
      .where('promotion_id', '=', promotionId)
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirst();
    return row ?? null;
  },
};
