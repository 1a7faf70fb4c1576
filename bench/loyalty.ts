// Loyalty's bench data (issue 14): a program on the bench brand with 100,000 members and 2,000,000
// ledger entries, written with generate_series INSERTs (seconds, not hours), consistent with what
// the ledger's own writes would leave (brigade check's replay sums hold): 20 entries per member,
// every earn a lot earned over the last year and expiring 12 months after it was earned. Half the
// members have 20 earn entries; the other half 16, and 4 redeem entries that consumed their 4
// oldest lots whole (with their allocations) — spending takes the oldest lots, which are the ones
// expiring soonest, so only the first half keeps points expiring within the next 30 days. One member in fifty has its newest lot still in a 7-day lock
// period; one in twenty has left. The members' counters are the sums of their lots.
import type pg from 'pg';

export const LOYALTY_MEMBERS = 100_000;
/** Entries per member: all earns for odd members; EARNS earns and REDEEMS redeems for even ones. */
const ENTRIES = 20;
const EARNS = 16;
const REDEEMS = ENTRIES - EARNS;
export const LOYALTY_ENTRIES = LOYALTY_MEMBERS * ENTRIES;
/** Whether member n spent points (SQL). */
const SPENDER = 'n % 2 = 0';

/** UUIDv7-shaped ids from a timestamp and a seed: time-ordered like the ledger's own. */
const uuid7 = (at: string, seed: string) =>
  `(lpad(to_hex((extract(epoch FROM ${at}) * 1000)::bigint), 12, '0') || '7' || substr(md5(${seed}), 1, 19))::uuid`;

export async function seedLoyaltyBench(
  pool: pg.Pool,
  organizationId: string,
): Promise<{ members: number; entries: number }> {
  // One connection throughout: the working tables are temporary (this session's).
  const client = await pool.connect();
  try {
    return await seed(client, organizationId);
  } finally {
    client.release();
  }
}

async function seed(client: pg.PoolClient, organizationId: string): Promise<{ members: number; entries: number }> {
  const q = (text: string, values: unknown[] = []) => client.query(text, values);
  await q(
    `INSERT INTO loyalty_programs (organization_id, name, accrual, lock_days, expiry_months, tier_measure, tier_window_days, tiers)
     VALUES ($1, 'Bench Club', '{"points_per_unit": 1}', 7, 12, 'points', 365,
             '[{"key":"bronze","name":"Bronze","threshold":0,"multiplier_bps":10000,"perks":[]},
               {"key":"silver","name":"Silver","threshold":500,"multiplier_bps":12500,"perks":[]}]')`,
    [organizationId],
  );
  // Two rewards: the liability report values points at the cheaper per point (3.00 for 400 points).
  await q(
    `INSERT INTO loyalty_rewards (id, organization_id, name, points, effect, cost) VALUES
       (gen_random_uuid(), $1, 'Free drink', 100, '{"type":"amount_off","amount":300}', 120),
       (gen_random_uuid(), $1, 'Free pizza', 400, '{"type":"amount_off","amount":900}', 300)`,
    [organizationId],
  );
  // The members' people: bare user rows (no name or email), enough for the foreign key.
  await q(
    `INSERT INTO users (id, created_at)
     SELECT md5('bench-loyalty-user-' || n)::uuid, now() - interval '400 days' FROM generate_series(1, $1::int) n`,
    [LOYALTY_MEMBERS],
  );
  await q(
    `INSERT INTO loyalty_members (id, organization_id, customer_id, status, consent, joined_at, left_at, tier, tier_since)
     SELECT md5('bench-loyalty-member-' || n)::uuid, $1, md5('bench-loyalty-user-' || n)::uuid,
            CASE WHEN n % 20 = 0 THEN 'left' ELSE 'active' END, 'demo', now() - interval '400 days',
            CASE WHEN n % 20 = 0 THEN now() - interval '1 day' END, 'bronze', now() - interval '400 days'
     FROM generate_series(1, $2::int) n`,
    [organizationId, LOYALTY_MEMBERS],
  );
  await q(
    `INSERT INTO loyalty_tier_changes (id, member_id, from_tier, to_tier, qualifying, reason, changed_at)
     SELECT md5('bench-loyalty-tier-' || n)::uuid, md5('bench-loyalty-member-' || n)::uuid, NULL, 'bronze', 0, 'joined',
            now() - interval '400 days'
     FROM generate_series(1, $1::int) n`,
    [LOYALTY_MEMBERS],
  );
  // Earn k of member n: earned (364 − (n·7 + k·22) mod 365) days ago, 10..49 points.
  const earned = `now() - (((364 - (n * 7 + k * 22) % 365)) * interval '1 day') - k * interval '1 minute'`;
  await q(`CREATE TEMP TABLE bench_earns AS
     SELECT n, k, ${uuid7('e.at', "'bench-loyalty-earn-' || n || '-' || k")} AS id, e.at, 10 + (n + k) % 40 AS points
     FROM generate_series(1, ${LOYALTY_MEMBERS}) n, generate_series(1, ${ENTRIES}) k, LATERAL (SELECT ${earned} AS at) e
     WHERE k <= ${EARNS} OR NOT (${SPENDER})`);
  // Each member's lots in the order they were earned: a spender's 4 oldest were redeemed whole; one
  // member in fifty earned its newest one less than the lock period ago.
  await q(`CREATE TEMP TABLE bench_lots AS
     SELECT *, age = (CASE WHEN ${SPENDER} THEN ${EARNS} ELSE ${ENTRIES} END) AND n % 50 = 0 AS locked,
            ${SPENDER} AND age <= ${REDEEMS} AS redeemed
     FROM (SELECT *, row_number() OVER (PARTITION BY n ORDER BY at, id) AS age FROM bench_earns) ordered`);
  await q(
    `INSERT INTO loyalty_entries (id, organization_id, member_id, kind, points, created_at)
     SELECT id, $1, md5('bench-loyalty-member-' || n)::uuid, 'earn', points, at FROM bench_lots ORDER BY bench_lots.at`,
    [organizationId],
  );
  await q(`INSERT INTO loyalty_lots (entry_id, member_id, points, remaining, available_at, vested, expires_at, created_at)
     SELECT id, md5('bench-loyalty-member-' || n)::uuid, points, CASE WHEN redeemed THEN 0 ELSE points END,
            CASE WHEN locked THEN now() + interval '7 days' ELSE at END, NOT locked, at + interval '12 months', at
     FROM bench_lots ORDER BY bench_lots.at`);
  await q(
    `INSERT INTO loyalty_entries (id, organization_id, member_id, kind, points, created_at)
     SELECT ${uuid7("at + interval '1 hour'", "'bench-loyalty-redeem-' || n || '-' || age")}, $1,
            md5('bench-loyalty-member-' || n)::uuid, 'redeem', -points, at + interval '1 hour'
     FROM bench_lots WHERE redeemed ORDER BY bench_lots.at`,
    [organizationId],
  );
  await q(`INSERT INTO loyalty_allocations (entry_id, lot_id, points)
     SELECT ${uuid7("at + interval '1 hour'", "'bench-loyalty-redeem-' || n || '-' || age")}, id, points
     FROM bench_lots WHERE redeemed`);
  await q(`UPDATE loyalty_members m SET balance = s.balance, pending = s.pending
     FROM (SELECT member_id, sum(remaining)::int AS balance, coalesce(sum(remaining) FILTER (WHERE NOT vested), 0)::int AS pending
           FROM loyalty_lots GROUP BY member_id) s
     WHERE m.id = s.member_id`);
  await q('DROP TABLE bench_earns, bench_lots');
  await q('ANALYZE loyalty_members, loyalty_entries, loyalty_lots, loyalty_allocations');
  const { rows } = await q(
    `SELECT (SELECT count(*)::int FROM loyalty_members WHERE organization_id = $1) AS members,
            (SELECT count(*)::int FROM loyalty_entries WHERE organization_id = $1) AS entries`,
    [organizationId],
  );
  return rows[0] as { members: number; entries: number };
}
