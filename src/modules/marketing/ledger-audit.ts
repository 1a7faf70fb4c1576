// What the invariant checker (brigade check) asks of the ledger: every counter equal to the
// redemptions that still hold it, every limit kept, and no live redemption on an order that
// ended unfulfilled.
import { sql } from 'kysely';
import { marketingTables, type Executor } from './tables.js';

export interface LedgerFinding {
  check: string;
  subject: string;
  detail: string;
}

export async function auditLedger(ex: Executor): Promise<LedgerFinding[]> {
  const findings: LedgerFinding[] = [];
  const promotions = await sql<{
    id: string;
    uses: number;
    discount_spent: number;
    usage_limit: number | null;
    budget: number | null;
    held_uses: number;
    held_amount: number;
  }>`
    SELECT p.id, p.uses, p.discount_spent, p.usage_limit, p.budget,
           count(r.id)::int AS held_uses, coalesce(sum(r.amount), 0)::bigint AS held_amount
    FROM promotions p
    LEFT JOIN promotion_redemptions r ON r.promotion_id = p.id AND r.status <> 'released'
    WHERE p.usage_limit IS NOT NULL OR p.budget IS NOT NULL
    GROUP BY p.id`.execute(ex);
  for (const p of promotions.rows) {
    const subject = `promotion ${p.id}`;
    if (p.uses !== p.held_uses || Number(p.discount_spent) !== Number(p.held_amount))
      findings.push({
        check: 'promotion_counters_match_ledger',
        subject,
        detail: `Counters say ${p.uses} uses / ${p.discount_spent} given; held and confirmed redemptions ${p.held_uses} / ${p.held_amount}.`,
      });
    if (p.usage_limit !== null && p.held_uses > p.usage_limit)
      findings.push({ check: 'uses_within_limit', subject, detail: `${p.held_uses} uses of ${p.usage_limit}.` });
    if (p.budget !== null && Number(p.held_amount) > p.budget)
      findings.push({ check: 'spent_within_budget', subject, detail: `${p.held_amount} given of ${p.budget}.` });
  }
  const codes = await sql<{ id: string; uses: number; usage_limit: number; held: number }>`
    SELECT c.id, c.uses, c.usage_limit, count(r.id)::int AS held
    FROM promotion_codes c
    LEFT JOIN promotion_redemptions r ON r.code_id = c.id AND r.status <> 'released'
    WHERE c.usage_limit IS NOT NULL
    GROUP BY c.id
    HAVING c.uses <> count(r.id) OR count(r.id) > c.usage_limit`.execute(ex);
  for (const c of codes.rows)
    findings.push({
      check: 'code_uses_match_ledger',
      subject: `code ${c.id}`,
      detail: `The code counts ${c.uses} uses (limit ${c.usage_limit}); its live redemptions are ${c.held}.`,
    });
  const customers = await sql<{
    promotion_id: string;
    customer_id: string;
    period: string;
    uses: number;
    held: number;
  }>`
    SELECT u.promotion_id, u.customer_id, u.period, u.uses,
           coalesce((SELECT sum(CASE WHEN r.units > 0 THEN r.units ELSE 1 END) FROM promotion_redemptions r
                     WHERE r.promotion_id = u.promotion_id AND r.customer_id = u.customer_id
                       AND r.customer_period = u.period AND r.status <> 'released'), 0)::int AS held
    FROM promotion_customer_uses u`.execute(ex);
  for (const u of customers.rows)
    if (u.uses !== u.held)
      findings.push({
        check: 'customer_uses_match_ledger',
        subject: `promotion ${u.promotion_id}, customer ${u.customer_id}, period '${u.period}'`,
        detail: `Counted ${u.uses}; live redemptions ${u.held}.`,
      });
  const pools = await sql<{ promotion_id: string; store_id: string; day: string; taken: number; held: number }>`
    SELECT f.promotion_id, f.store_id, f.day::text AS day, f.taken,
           coalesce((SELECT sum(r.units) FROM promotion_redemptions r
                     WHERE r.promotion_id = f.promotion_id AND r.store_id = f.store_id AND r.day = f.day
                       AND r.status <> 'released'), 0)::int AS held
    FROM flash_sale_pools f`.execute(ex);
  for (const f of pools.rows)
    if (f.taken !== f.held)
      findings.push({
        check: 'flash_sale_pool_matches_ledger',
        subject: `flash sale ${f.promotion_id} at store ${f.store_id} on ${f.day}`,
        detail: `The pool says ${f.taken} taken; live redemptions hold ${f.held}.`,
      });
  return findings;
}

/** The orders among these that still hold (held or confirmed) a redemption. */
export async function ordersHoldingRedemptions(ex: Executor, orderIds: string[]): Promise<string[]> {
  if (orderIds.length === 0) return [];
  const rows = await marketingTables(ex)
    .selectFrom('promotion_redemptions')
    .select('order_id')
    .distinct()
    .where('order_id', 'in', orderIds)
    .where('status', '<>', 'released')
    .execute();
  return rows.map((row) => row.order_id);
}
