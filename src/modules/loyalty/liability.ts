// The liability report: what the brand owes its members in points, and what that is worth. Read
// from the members' counters (one pass over the brand's members, however long their ledgers) and
// two indexed scans of lots: those past their lock period the vesting sweep has not reached yet
// (loyalty_lots_vesting_idx, normally few), and the open lots expiring in the next 30 days
// (loyalty_lots_expiry_idx). Never from the entries: 2M entries would take seconds to sum.
//
// Valuation: the points are valued at the cheapest active reward's cost per point (its cost ÷ its
// points, the lowest ratio), floored to a minor unit — what the outstanding points would cost the
// brand if every member redeemed them for that reward. Without an active reward there is no
// value. The amount is in the currency of the brand's stores when they all share one; with
// several currencies (or no store) `value` is null and `currencies` lists them, since costs are
// minor units of whichever store the reward is redeemed at.
import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import { assertRule, RULES } from './access.js';
import type { LiabilityOut } from './member-schema.js';
import type { Reward } from './model.js';
import { rfc3339 } from './present.js';
import { programNotFound } from './program.js';
import { loyaltyRepo } from './repo.js';

const DAY = 86_400_000;
export const EXPIRING_WINDOW_DAYS = 30;

export interface LiabilityDeps {
  db: Db;
  clock: () => Date;
  /** The brand's stores' currencies (the value's currency). */
  tenancy?: { api: Pick<TenancyApi, 'storeIdsOf' | 'findStore'> };
}

/** The reward with the lowest cost per point (ties: fewer points, then id); null without one. */
export function cheapestPerPoint(rewards: readonly Reward[]): Reward | null {
  let best: Reward | null = null;
  for (const reward of rewards) {
    if (!reward.active) continue;
    // a/b < c/d ⇔ a·d < c·b for positive b, d: no floating point.
    const lower =
      best === null ||
      reward.cost * best.points < best.cost * reward.points ||
      (reward.cost * best.points === best.cost * reward.points && reward.points < best.points);
    if (lower) best = reward;
  }
  return best;
}

/** points × cost ÷ perPoints, floored, exactly (BigInt: 2^31 points × 2^31 cost passes 2^53). */
export const valueOf = (points: number, cost: number, perPoints: number): number =>
  Number((BigInt(points) * BigInt(cost)) / BigInt(perPoints));

export function createLiabilityReport(deps: LiabilityDeps) {
  const { db, clock } = deps;

  async function currenciesOf(organizationId: string): Promise<string[]> {
    if (!deps.tenancy) return [];
    const currencies = new Set<string>();
    for (const storeId of await deps.tenancy.api.storeIdsOf(organizationId)) {
      const store = await deps.tenancy.api.findStore(storeId);
      if (store) currencies.add(store.currency);
    }
    return [...currencies].sort();
  }

  return {
    async report(principal: Principal | null, organizationId: string): Promise<LiabilityOut> {
      assertRule(principal, RULES.readLiability, organizationId);
      const now = clock();
      const until = new Date(now.getTime() + EXPIRING_WINDOW_DAYS * DAY);
      // One snapshot: the counters and the lots they are compared with agree.
      const figures = await inTransaction(
        db,
        async (trx) => {
          const program = await loyaltyRepo.findProgram(trx, organizationId);
          if (!program) throw programNotFound();
          // One statement, the brand's members read once (materialized) and joined to the lots of
          // both indexed scans: lots past their lock period the sweep has not vested yet (no longer
          // pending, as spendableNow counts them), and open lots expiring within the window.
          const row = await sql<{
            members: number;
            balance: string;
            pending: string;
            held: string;
            debt: string;
            due: string;
            expiring: string;
          }>`
            WITH m AS MATERIALIZED (
              SELECT id, status, balance, pending, held, debt FROM loyalty_members
              WHERE organization_id = ${organizationId}
            )
            SELECT t.*,
                   (SELECT coalesce(sum(l.remaining), 0)::text FROM loyalty_lots l JOIN m ON m.id = l.member_id
                    WHERE NOT l.vested AND l.available_at <= ${now} AND l.remaining > 0) AS due,
                   (SELECT coalesce(sum(l.remaining), 0)::text FROM loyalty_lots l JOIN m ON m.id = l.member_id
                    WHERE l.remaining > 0 AND l.expires_at IS NOT NULL
                      AND l.expires_at > ${now} AND l.expires_at <= ${until}) AS expiring
            FROM (SELECT count(*) FILTER (WHERE status = 'active')::int AS members,
                         coalesce(sum(balance), 0)::text AS balance, coalesce(sum(pending), 0)::text AS pending,
                         coalesce(sum(held), 0)::text AS held, coalesce(sum(debt), 0)::text AS debt
                  FROM m) t`.execute(trx);
          const rewards = await loyaltyRepo.rewardsOf(trx, organizationId, true);
          return { totals: row.rows[0]!, rewards };
        },
        { isolation: 'repeatable read' },
      );
      const outstanding = Number(figures.totals.balance);
      const cheapest = cheapestPerPoint(figures.rewards);
      const currencies = await currenciesOf(organizationId);
      return {
        organization_id: organizationId,
        as_of: rfc3339(now),
        members: figures.totals.members,
        points_outstanding: outstanding,
        points_pending: Number(figures.totals.pending) - Number(figures.totals.due),
        points_held: Number(figures.totals.held),
        debt: Number(figures.totals.debt),
        expiring_30_days: Number(figures.totals.expiring),
        valuation: cheapest
          ? { reward_id: cheapest.id, reward_name: cheapest.name, points: cheapest.points, cost: cheapest.cost }
          : null,
        value:
          cheapest && currencies.length === 1
            ? { amount: valueOf(outstanding, cheapest.cost, cheapest.points), currency: currencies[0]! }
            : null,
        currencies,
      };
    },
  };
}

export type LiabilityReport = ReturnType<typeof createLiabilityReport>;
