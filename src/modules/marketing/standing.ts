// Reading what the promotions stand at for one basket, without locks: the organization's live
// promotions, the code given, the customer's uses and the flash sales' pools of the day. A quote
// shows what this says; placement holds it under lock (ledger.ts) and refuses what moved since.
import { sql } from 'kysely';
import type { CodeStanding, Standing } from './engine.js';
import { customerLimitOf } from './eligibility.js';
import { CODE_PATTERN, type Promotion } from './model.js';
import type { LivePromotionCache } from './live-cache.js';
import { marketingTables, type Executor, type PromotionRow } from './tables.js';

export function promotionOf(row: PromotionRow): Promotion {
  return {
    id: row.id,
    organization_id: row.organization_id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    advertised: row.advertised,
    active: row.active,
    priority: row.priority,
    combinable: row.combinable,
    starts_at: row.starts_at,
    ends_at: row.ends_at,
    conditions: row.conditions,
    effect: row.effect,
    max_discount: row.max_discount,
    usage_limit: row.usage_limit,
    budget: row.budget,
    per_customer_limit: row.per_customer_limit,
    uses: row.uses,
    discount_spent: Number(row.discount_spent),
    version: row.version,
    created_at: row.created_at,
  };
}

const CODE_SHAPE = new RegExp(CODE_PATTERN);

/** Normalizes a code as typed: trimmed; null when it cannot be any code (so: not found). */
export function codeKeyOf(code: string): string | null {
  const trimmed = code.trim();
  return CODE_SHAPE.test(trimmed) ? trimmed.toUpperCase() : null;
}

export interface StandingQuery {
  organizationId: string;
  storeId: string;
  at: Date;
  /** The store's local date of the fulfilment time: the flash sales' pool day. */
  day: string;
  customerId: string | null;
  couponCode: string | null;
  /** The basket's items: a flash sale's pool is read only when its item is in the basket. */
  itemIds: string[];
}

/** The organization's active automatic promotions that have not ended (the engine checks the window). */
async function liveAutomatic(ex: Executor, organizationId: string, at: Date): Promise<Promotion[]> {
  const rows = await marketingTables(ex)
    .selectFrom('promotions')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('deleted_at', 'is', null)
    .where('active', '=', true)
    .where('kind', '=', 'automatic')
    .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', at)]))
    .execute();
  return rows.map(promotionOf);
}

export async function readStanding(ex: Executor, query: StandingQuery, cache: LivePromotionCache): Promise<Standing> {
  const t = marketingTables(ex);
  const key = query.couponCode === null ? null : codeKeyOf(query.couponCode);
  const [automatic, coupon] = await Promise.all([
    cache.get(query.organizationId, () => liveAutomatic(ex, query.organizationId, query.at)),
    key === null ? Promise.resolve(null) : findCode(ex, query.organizationId, key),
  ]);
  const promotions = [...automatic];
  if (coupon) promotions.push(coupon.promotion);
  const personal = query.customerId === null ? [] : promotions.filter((p) => customerLimitOf(p) !== null);
  const flash = promotions.filter((p) => p.effect.type === 'flash_sale' && query.itemIds.includes(p.effect.item_id));
  const [uses, pools] = await Promise.all([
    personal.length === 0
      ? Promise.resolve([])
      : t
          .selectFrom('promotion_customer_uses')
          .select(['promotion_id', 'period', 'uses'])
          .where('customer_id', '=', query.customerId!)
          .where(
            'promotion_id',
            'in',
            personal.map((p) => p.id),
          )
          .where('period', 'in', ['', query.day])
          .execute(),
    flash.length === 0
      ? Promise.resolve([])
      : t
          .selectFrom('flash_sale_pools')
          .select(['promotion_id', sql<number>`pool - taken`.as('left')])
          .where('store_id', '=', query.storeId)
          .where('day', '=', query.day)
          .where(
            'promotion_id',
            'in',
            flash.map((p) => p.id),
          )
          .execute(),
  ]);
  const periodOf = (p: Promotion) => (p.effect.type === 'flash_sale' ? query.day : '');
  const customerUses = new Map<string, number>();
  for (const row of uses) {
    const promotion = personal.find((p) => p.id === row.promotion_id)!;
    if (row.period === periodOf(promotion)) customerUses.set(row.promotion_id, row.uses);
  }
  return {
    promotions,
    coupon: coupon?.code ?? null,
    customerUses,
    poolLeft: new Map(pools.map((row) => [row.promotion_id, Number(row.left)])),
  };
}

/** A code of the organization (case-insensitive) with its promotion, when both are live. */
async function findCode(
  ex: Executor,
  organizationId: string,
  key: string,
): Promise<{ code: CodeStanding; promotion: Promotion } | null> {
  const row = await marketingTables(ex)
    .selectFrom('promotion_codes as c')
    .innerJoin('promotions as p', 'p.id', 'c.promotion_id')
    .selectAll('p')
    .select(['c.id as code_id', 'c.code', 'c.usage_limit as code_usage_limit', 'c.uses as code_uses'])
    .where('c.organization_id', '=', organizationId)
    .where('c.code_key', '=', key)
    .where('p.deleted_at', 'is', null)
    .where('p.active', '=', true)
    .executeTakeFirst();
  if (!row) return null;
  return {
    code: {
      id: row.code_id,
      code: row.code,
      promotion_id: row.id,
      usage_limit: row.code_usage_limit,
      uses: row.code_uses,
    },
    promotion: promotionOf(row),
  };
}
