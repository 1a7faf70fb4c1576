// SQL of promotion management: the promotions rows (list, read, lock, write, soft delete), what
// the ledger says of their use, and the live promotions of a store for its banner list. Every
// query names the organization, so no read or write crosses brands. Every function takes the
// executor (the pool or a transaction) first.
import { sql } from 'kysely';
import { marketingTables as t, type Executor, type PromotionRow as StoredPromotion } from './tables.js';

/** A promotion as management reads it (deleted ones are never read). */
export type PromotionRow = Omit<StoredPromotion, 'deleted_at'>;

/** The fields a manager sets (everything but ids, counters, version and stamps). */
export type PromotionFields = Omit<
  PromotionRow,
  'id' | 'organization_id' | 'uses' | 'discount_spent' | 'version' | 'created_at' | 'updated_at'
>;

/** Use of a promotion according to its ledger: orders holding or having confirmed a redemption. */
export interface Usage {
  uses: number;
  discount_spent: number;
}

const COLUMNS = [
  'id',
  'organization_id',
  'name',
  'description',
  'kind',
  'advertised',
  'active',
  'priority',
  'combinable',
  'starts_at',
  'ends_at',
  'conditions',
  'effect',
  'max_discount',
  'usage_limit',
  'budget',
  'per_customer_limit',
  'uses',
  'discount_spent',
  'version',
  'created_at',
  'updated_at',
] as const;

const toRow = (row: PromotionRow): PromotionRow => ({ ...row, discount_spent: Number(row.discount_spent) });

export const promotionsRepo = {
  async insert(ex: Executor, row: { id: string; organization_id: string } & PromotionFields): Promise<PromotionRow> {
    const { id, organization_id, ...fields } = row;
    const inserted = await t(ex)
      .insertInto('promotions')
      .values({ id, organization_id, ...fields })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return toRow(inserted);
  },

  /** A live (not deleted) promotion of the organization; locked until the transaction ends with `lock`. */
  async find(ex: Executor, organizationId: string, id: string, lock = false): Promise<PromotionRow | null> {
    let query = t(ex)
      .selectFrom('promotions')
      .select(COLUMNS)
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null);
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? toRow(row) : null;
  },

  /** Keyset page in id (creation) order after `afterId`; `limit + 1` rows so the caller knows if more follow. */
  async list(
    ex: Executor,
    organizationId: string,
    filter: { afterId: string | null; limit: number; kind?: 'automatic' | 'code'; active?: boolean },
  ): Promise<PromotionRow[]> {
    let query = t(ex)
      .selectFrom('promotions')
      .select(COLUMNS)
      .where('organization_id', '=', organizationId)
      .where('deleted_at', 'is', null);
    if (filter.afterId !== null) query = query.where('id', '>', filter.afterId);
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    if (filter.active !== undefined) query = query.where('active', '=', filter.active);
    const rows = await query
      .orderBy('id')
      .limit(filter.limit + 1)
      .execute();
    return rows.map(toRow);
  },

  /** Writes the changed fields, bumps the version; the row must be live. */
  async update(
    ex: Executor,
    organizationId: string,
    id: string,
    fields: Partial<PromotionFields> & { uses?: number; discount_spent?: number },
  ): Promise<PromotionRow> {
    const row = await t(ex)
      .updateTable('promotions')
      .set({ ...fields, version: sql`version + 1`, updated_at: sql`now()` })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return toRow(row);
  },

  /** Ends the promotion: never evaluated again, its ledger kept. False when there was no live one. */
  async softDelete(ex: Executor, organizationId: string, id: string): Promise<boolean> {
    const result = await t(ex)
      .updateTable('promotions')
      .set({ deleted_at: sql`now()`, active: false, version: sql`version + 1`, updated_at: sql`now()` })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  /** Use per promotion from the ledger (held and confirmed rows); promotions never used are absent. */
  async usageOf(ex: Executor, organizationId: string, ids: string[]): Promise<Map<string, Usage>> {
    if (ids.length === 0) return new Map();
    const rows = await t(ex)
      .selectFrom('promotion_redemptions')
      .select(['promotion_id', sql<string>`count(*)`.as('uses'), sql<string>`coalesce(sum(amount), 0)`.as('spent')])
      .where('organization_id', '=', organizationId)
      .where('promotion_id', 'in', ids)
      // Held or confirmed, written as the live-redemptions index's own predicate.
      .where('status', '<>', 'released')
      .groupBy('promotion_id')
      .execute();
    return new Map(
      rows.map((row) => [row.promotion_id, { uses: Number(row.uses), discount_spent: Number(row.spent) }]),
    );
  },

  /**
   * What the ledger says the counters should be: every live (held or confirmed) redemption,
   * including those made while the promotion was unlimited and its counters stood still. The
   * caller holds the promotion's row lock, which holds and releases of its counters also take.
   */
  async usageFromLedger(ex: Executor, organizationId: string, id: string): Promise<Usage> {
    return (await promotionsRepo.usageOf(ex, organizationId, [id])).get(id) ?? { uses: 0, discount_spent: 0 };
  },

  /** How many codes each promotion has; promotions without codes are absent. */
  async codeCounts(ex: Executor, organizationId: string, ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await t(ex)
      .selectFrom('promotion_codes')
      .select(['promotion_id', sql<string>`count(*)`.as('count')])
      .where('organization_id', '=', organizationId)
      .where('promotion_id', 'in', ids)
      .groupBy('promotion_id')
      .execute();
    return new Map(rows.map((row) => [row.promotion_id, Number(row.count)]));
  },

  /**
   * Advertised promotions of the organization in force at `now` and open to the store (no store
   * list, or one naming it), with limits not used up, highest priority first. Dayparts are left
   * to the caller (they need the store's local time).
   */
  async liveAtStore(ex: Executor, organizationId: string, storeId: string, now: Date, limit: number) {
    const rows = await t(ex)
      .selectFrom('promotions')
      .select(COLUMNS)
      .where('organization_id', '=', organizationId)
      .where('deleted_at', 'is', null)
      .where('active', '=', true)
      .where('advertised', '=', true)
      .where((eb) => eb.or([eb('starts_at', 'is', null), eb('starts_at', '<=', now)]))
      .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', now)]))
      .where(
        sql<boolean>`(conditions -> 'store_ids' IS NULL OR conditions -> 'store_ids' @> jsonb_build_array(${storeId}::text))`,
      )
      .where(sql<boolean>`(usage_limit IS NULL OR uses < usage_limit)`)
      .where(sql<boolean>`(budget IS NULL OR discount_spent < budget)`)
      .orderBy('priority', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toRow);
  },

  /**
   * The one code of each of these promotions that has exactly one, with its usage limit. At most
   * two codes are read per promotion (a batch of thousands costs two index entries, not a count).
   */
  async soleCodes(
    ex: Executor,
    organizationId: string,
    ids: string[],
  ): Promise<Map<string, { code: string; usage_limit: number | null }>> {
    if (ids.length === 0) return new Map();
    const result = await sql<{ promotion_id: string; code: string; usage_limit: number | null }>`
      SELECT p.id AS promotion_id, c.code, c.usage_limit
      FROM unnest(${ids}::uuid[]) AS p (id)
      CROSS JOIN LATERAL (
        SELECT code, usage_limit FROM promotion_codes
        WHERE promotion_id = p.id AND organization_id = ${organizationId}::uuid
        ORDER BY id LIMIT 2
      ) AS c`.execute(ex);
    const byPromotion = new Map<string, Array<{ code: string; usage_limit: number | null }>>();
    for (const row of result.rows) {
      const list = byPromotion.get(row.promotion_id) ?? [];
      list.push({ code: row.code, usage_limit: row.usage_limit });
      byPromotion.set(row.promotion_id, list);
    }
    return new Map([...byPromotion].filter(([, codes]) => codes.length === 1).map(([id, codes]) => [id, codes[0]!]));
  },
};
