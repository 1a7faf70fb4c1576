// A member's standing as they (and staff) see it, computed at `now` from the member's counters
// plus two small indexed reads: points whose lock period ended count as available even when the
// vesting sweep has not reached them yet (as holds.ts's spendableNow), and the points left of
// lots expiring in the next 90 days, by UTC date. The tier's progress is the program's
// qualifying measure over its rolling window (tiers.ts).
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/index.js';
import type { StandingOut } from './member-schema.js';
import { tierIndex, type Program } from './model.js';
import { rfc3339, utcDate } from './present.js';
import type { MemberRow } from './tables.js';
import { qualifyingMeasure } from './tiers.js';

const DAY = 86_400_000;
/** How far ahead a member is told about expiring points. */
export const EXPIRING_DAYS = 90;

export interface Counters {
  available: number;
  pending: number;
  held: number;
}

/** Balance − points still locked at `now` − held; points past their lock period are available. */
export async function countersAt(ex: Tx, member: MemberRow, now: Date): Promise<Counters> {
  const row = await sql<{ locked: number }>`
    SELECT coalesce(sum(remaining), 0)::int AS locked FROM loyalty_lots
    WHERE member_id = ${member.id} AND NOT vested AND available_at > ${now} AND remaining > 0`.execute(ex);
  const locked = row.rows[0]!.locked;
  return { available: Math.max(0, member.balance - locked - member.held), pending: locked, held: member.held };
}

export async function expiringOf(ex: Tx, memberId: string, now: Date): Promise<StandingOut['expiring']> {
  const until = new Date(now.getTime() + EXPIRING_DAYS * DAY);
  const rows = await sql<{ expires_at: Date; remaining: number }>`
    SELECT expires_at, remaining FROM loyalty_lots
    WHERE member_id = ${memberId} AND remaining > 0 AND expires_at > ${now} AND expires_at <= ${until}
    ORDER BY expires_at`.execute(ex);
  const byDate = new Map<string, number>();
  for (const lot of rows.rows) {
    const on = utcDate(lot.expires_at);
    byDate.set(on, (byDate.get(on) ?? 0) + lot.remaining);
  }
  return [...byDate].map(([on, points]) => ({ points, on }));
}

export async function standingOf(ex: Tx, program: Program, member: MemberRow, now: Date): Promise<StandingOut> {
  const counters = await countersAt(ex, member, now);
  // A tier the terms no longer have (program.ts refuses dropping a held one) reads as the first.
  const index = Math.max(0, tierIndex(program.tiers, member.tier));
  const tier = program.tiers[index]!;
  const next = program.tiers[index + 1];
  const measure = next ? await qualifyingMeasure(ex, member, program, now) : 0;
  return {
    organization_id: member.organization_id,
    program_name: program.name,
    status: member.status,
    points_available: counters.available,
    points_pending: counters.pending,
    points_held: counters.held,
    debt: member.debt,
    tier: {
      key: tier.key,
      name: tier.name,
      multiplier_bps: tier.multiplier_bps,
      perks: tier.perks,
      since: rfc3339(member.tier_since),
    },
    next_tier: next
      ? { key: next.key, name: next.name, threshold: next.threshold, remaining: Math.max(0, next.threshold - measure) }
      : null,
    expiring: await expiringOf(ex, member.id, now),
    joined_at: rfc3339(member.joined_at),
  };
}
