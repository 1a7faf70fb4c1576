// Tier evaluation on the program's qualifying measure (points earned, or orders that earned, over
// a rolling window). An upgrade happens as soon as the measure qualifies (after an accrual, and in
// the job); a downgrade only in the scheduled evaluation, one tier at a time, each change recorded
// with when and on what measure (loyalty_tier_changes), so a member is told when it happened.
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/index.js';
import { qualifyingTier, tierIndex, type Program } from './model.js';
import { loyaltyTables, type MemberRow } from './tables.js';

const DAY = 86_400_000;

/** The member's qualifying measure at `now`: points earned (net of what refunds clawed back) or orders that earned. */
export async function qualifyingMeasure(trx: Tx, member: MemberRow, program: Program, now: Date): Promise<number> {
  const since = new Date(now.getTime() - program.tier_window_days * DAY);
  const row = await sql<{ points: number; orders: number }>`
    SELECT coalesce(sum(points) FILTER (WHERE kind = 'earn'), 0)::int
           + coalesce(sum(points) FILTER (WHERE kind = 'clawback' AND refund_id IS NOT NULL), 0)::int AS points,
           count(*) FILTER (WHERE kind = 'earn')::int AS orders
    FROM loyalty_entries
    WHERE member_id = ${member.id} AND created_at > ${since} AND created_at <= ${now}`.execute(trx);
  const measure = row.rows[0]!;
  return Math.max(0, program.tier_measure === 'orders' ? measure.orders : measure.points);
}

/**
 * Moves the member's tier if the measure says so: up to the tier it qualifies for, or (unless
 * `upgradeOnly`) down by one. Returns the member as it is now.
 */
export async function evaluateTier(
  trx: Tx,
  member: MemberRow,
  program: Program,
  now: Date,
  options: { upgradeOnly: boolean },
): Promise<MemberRow> {
  const measure = await qualifyingMeasure(trx, member, program, now);
  const current = Math.max(0, tierIndex(program.tiers, member.tier));
  const target = tierIndex(program.tiers, qualifyingTier(program.tiers, measure).key);
  let next = current;
  if (target > current) next = target;
  else if (target < current && !options.upgradeOnly) next = current - 1;
  const table = loyaltyTables(trx);
  if (next === current && program.tiers[current]!.key === member.tier) {
    if (options.upgradeOnly) return member;
    const row = await table
      .updateTable('loyalty_members')
      .set({ tier_evaluated_at: now })
      .where('id', '=', member.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return row as MemberRow;
  }
  const to = program.tiers[next]!.key;
  await table
    .insertInto('loyalty_tier_changes')
    .values({
      id: uuidv7(),
      member_id: member.id,
      from_tier: member.tier,
      to_tier: to,
      qualifying: measure,
      reason: next >= current ? 'upgrade' : 'downgrade',
      changed_at: now,
    })
    .execute();
  const row = await table
    .updateTable('loyalty_members')
    .set({ tier: to, tier_since: now, ...(options.upgradeOnly ? {} : { tier_evaluated_at: now }) })
    .where('id', '=', member.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return row as MemberRow;
}
