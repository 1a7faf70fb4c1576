// The redemption ledger (ADR 0027): held in the order's transaction, confirmed when the order is
// paid or fulfilled, released once by every path that ends it unpaid or refunds it whole.
// Each limit is a conditional update that moves only while under its limit (and a CHECK behind
// it), so two orders racing for the last use cannot both get it; rows are taken in promotion id
// order, so two orders holding the same promotions cannot deadlock. A plan that no longer holds
// (the promotion changed, a limit was reached, the pool emptied) throws: the order's transaction
// rolls back and nothing is held.
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/index.js';
import { ConflictError, UnprocessableError } from '../../platform/http/errors.js';
import type { RedemptionPlan } from '../ordering/index.js';
import { isCounted } from './model.js';
import { promotionOf } from './standing.js';
import { marketingTables } from './tables.js';

export interface HoldInput {
  organizationId: string;
  storeId: string;
  orderId: string;
  customerId: string | null;
  plans: RedemptionPlan[];
  at: Date;
}

const changed = () =>
  new ConflictError(
    'PROMOTION_CHANGED',
    'A promotion in this order changed or ended since it was priced; quote again to see the current price.',
  );

function limitReached(plan: RedemptionPlan, what: string) {
  return plan.code_id === null
    ? new ConflictError(
        'PROMOTION_LIMIT_REACHED',
        `A promotion in this order is ${what}; quote again to see the current price.`,
      )
    : new UnprocessableError('COUPON_LIMIT_REACHED', `This code is ${what}.`, [
        { path: '/coupon_code', message: `is ${what}`, code: 'COUPON_LIMIT_REACHED' },
      ]);
}

export async function holdRedemptions(trx: Tx, input: HoldInput): Promise<void> {
  const t = marketingTables(trx);
  const plans = [...input.plans].sort((a, b) => (a.promotion_id < b.promotion_id ? -1 : 1));
  for (const plan of plans) {
    // Shared lock: a concurrent edit (which takes the row exclusively) waits for this order, or
    // this order sees the edit and refuses the old price. A counted promotion's row is updated
    // below, so it is locked for that at once: two orders holding it shared and then both
    // updating it would each wait for the other's shared lock (until the statement timeout).
    // Whether it is counted is read first without a lock; an edit in between bumps the version.
    const select = () =>
      t
        .selectFrom('promotions')
        .selectAll()
        .where('id', '=', plan.promotion_id)
        .where('organization_id', '=', input.organizationId);
    const unlocked = await select().executeTakeFirst();
    if (!unlocked || unlocked.version !== plan.version) throw changed();
    const row = await (isCounted(unlocked) ? select().forUpdate() : select().forShare()).executeTakeFirst();
    if (!row || row.version !== plan.version || !row.active || row.deleted_at !== null) throw changed();
    const promotion = promotionOf(row);
    const counted = isCounted(promotion);
    if (counted) {
      const moved = await t
        .updateTable('promotions')
        .set({ uses: sql`uses + 1`, discount_spent: sql`discount_spent + ${plan.amount}` })
        .where('id', '=', plan.promotion_id)
        .where((eb) => eb.or([eb('usage_limit', 'is', null), eb('uses', '<', eb.ref('usage_limit'))]))
        .where(sql<boolean>`(budget IS NULL OR discount_spent + ${plan.amount} <= budget)`)
        .executeTakeFirst();
      if (moved.numUpdatedRows === 0n) throw limitReached(plan, 'fully redeemed');
    }
    if (plan.code_id !== null) {
      // A shared code without its own limit has no counter (no hot row): its promotion limits it.
      const code = await t
        .updateTable('promotion_codes')
        .set({ uses: sql`uses + 1` })
        .where('id', '=', plan.code_id)
        .where('usage_limit', 'is not', null)
        .where('uses', '<', sql<number>`usage_limit`)
        .executeTakeFirst();
      if (code.numUpdatedRows === 0n) {
        const limited = await t
          .selectFrom('promotion_codes')
          .select('usage_limit')
          .where('id', '=', plan.code_id)
          .executeTakeFirst();
        if (!limited) throw changed();
        if (limited.usage_limit !== null) throw limitReached(plan, 'already used');
      }
    }
    const customerLimit =
      promotion.effect.type === 'flash_sale' ? promotion.effect.per_customer_per_day : promotion.per_customer_limit;
    if (customerLimit !== null) {
      if (input.customerId === null || plan.customer_period === null) throw changed();
      const step = promotion.effect.type === 'flash_sale' ? plan.units : 1;
      if (step > customerLimit) throw limitReached(plan, `limited to ${customerLimit} per customer`);
      const taken = await sql<{ uses: number }>`
        INSERT INTO promotion_customer_uses AS u (promotion_id, customer_id, period, uses, use_limit)
        VALUES (${plan.promotion_id}, ${input.customerId}, ${plan.customer_period}, ${step}, ${customerLimit})
        ON CONFLICT (promotion_id, customer_id, period) DO UPDATE
          SET uses = u.uses + EXCLUDED.uses, use_limit = EXCLUDED.use_limit
          WHERE u.uses + EXCLUDED.uses <= EXCLUDED.use_limit
        RETURNING u.uses`.execute(trx);
      if (taken.rows.length === 0)
        throw limitReached(
          plan,
          promotion.effect.type === 'flash_sale' ? 'at its per-customer limit for today' : 'already used by you',
        );
    }
    if (promotion.effect.type === 'flash_sale') {
      const pool = promotion.effect.units_per_day;
      if (plan.day === null || plan.units > pool) throw soldOut();
      const taken = await sql<{ taken: number }>`
        INSERT INTO flash_sale_pools AS f (promotion_id, store_id, day, pool, taken)
        VALUES (${plan.promotion_id}, ${input.storeId}, ${plan.day}::date, ${pool}, ${plan.units})
        ON CONFLICT (promotion_id, store_id, day) DO UPDATE
          SET taken = f.taken + EXCLUDED.taken
          WHERE f.taken + EXCLUDED.taken <= f.pool
        RETURNING f.taken`.execute(trx);
      if (taken.rows.length === 0) throw soldOut();
    }
    await t
      .insertInto('promotion_redemptions')
      .values({
        id: uuidv7(),
        organization_id: input.organizationId,
        promotion_id: plan.promotion_id,
        code_id: plan.code_id,
        order_id: input.orderId,
        store_id: input.storeId,
        customer_id: input.customerId,
        amount: plan.amount,
        units: plan.units,
        day: plan.day,
        customer_period: customerLimit === null ? null : plan.customer_period,
        counted,
        status: 'held',
        held_at: input.at,
        confirmed_at: null,
        released_at: null,
        release_reason: null,
      })
      .execute();
  }
}

function soldOut() {
  return new ConflictError(
    'FLASH_SALE_SOLD_OUT',
    'The flash sale sold out since this order was priced; quote again to see the current price.',
  );
}

export async function confirmRedemptions(trx: Tx, orderId: string, at: Date): Promise<void> {
  await marketingTables(trx)
    .updateTable('promotion_redemptions')
    .set({ status: 'confirmed', confirmed_at: at })
    .where('order_id', '=', orderId)
    .where('status', '=', 'held')
    .execute();
}

/**
 * Gives back what the order's redemptions hold, once: a second call finds nothing left to release.
 * Returns the organization whose redemptions were released (null when there were none).
 */
export async function releaseRedemptions(trx: Tx, orderId: string, reason: string, at: Date): Promise<string | null> {
  const t = marketingTables(trx);
  const released = await t
    .updateTable('promotion_redemptions')
    .set({ status: 'released', released_at: at, release_reason: reason.slice(0, 60) })
    .where('order_id', '=', orderId)
    .where('status', '<>', 'released')
    .returning([
      'organization_id',
      'promotion_id',
      'code_id',
      'customer_id',
      'customer_period',
      'amount',
      'units',
      'store_id',
      'day',
      'counted',
    ])
    .execute();
  released.sort((a, b) => (a.promotion_id < b.promotion_id ? -1 : 1));
  for (const r of released) {
    // Exclusive: the counters move under the same lock an edit of the limits takes.
    const promotion = await t
      .selectFrom('promotions')
      .select(['usage_limit', 'budget'])
      .where('id', '=', r.promotion_id)
      .forUpdate()
      .executeTakeFirst();
    if (promotion && isCounted(promotion))
      await t
        .updateTable('promotions')
        .set({ uses: sql`uses - 1`, discount_spent: sql`discount_spent - ${r.amount}` })
        .where('id', '=', r.promotion_id)
        .execute();
    if (r.code_id !== null)
      await t
        .updateTable('promotion_codes')
        .set({ uses: sql`uses - 1` })
        .where('id', '=', r.code_id)
        .where('usage_limit', 'is not', null)
        .execute();
    if (r.customer_id !== null && r.customer_period !== null)
      await t
        .updateTable('promotion_customer_uses')
        .set({ uses: sql`uses - ${r.units > 0 ? r.units : 1}` })
        .where('promotion_id', '=', r.promotion_id)
        .where('customer_id', '=', r.customer_id)
        .where('period', '=', r.customer_period)
        .execute();
    if (r.units > 0 && r.day !== null)
      await sql`UPDATE flash_sale_pools SET taken = taken - ${r.units}
                WHERE promotion_id = ${r.promotion_id} AND store_id = ${r.store_id} AND day = ${r.day}::date`.execute(
        trx,
      );
  }
  return released[0]?.organization_id ?? null;
}
