// The scheduled tier evaluation: every active member of an active program, in id order, a
// member per transaction under its row lock (an accrual for the same member waits, never races).
import { inTransaction, type Db } from '../../platform/db/index.js';
import { lockMember } from './ledger.js';
import { loyaltyRepo } from './repo.js';
import { loyaltyTables } from './tables.js';
import { evaluateTier } from './tiers.js';
import type { Program } from './model.js';

const BATCH = 500;

/** Re-evaluates every member's tier at `now`; returns how many changed. */
export async function evaluateTiers(db: Db, now: Date): Promise<number> {
  const programs = new Map<string, Program | null>();
  let changed = 0;
  let after: string | null = null;
  for (;;) {
    let query = loyaltyTables(db)
      .selectFrom('loyalty_members')
      .select(['id', 'organization_id'])
      .where('status', '=', 'active')
      .orderBy('id')
      .limit(BATCH);
    if (after !== null) query = query.where('id', '>', after);
    const members = await query.execute();
    for (const { id, organization_id } of members) {
      if (!programs.has(organization_id))
        programs.set(organization_id, await loyaltyRepo.findProgram(db, organization_id));
      const program = programs.get(organization_id);
      if (!program?.active) continue;
      changed += await inTransaction(db, async (trx) => {
        const member = await lockMember(trx, id);
        if (!member) return 0;
        const after = await evaluateTier(trx, member, program, now, { upgradeOnly: false });
        return after.tier === member.tier ? 0 : 1;
      });
    }
    if (members.length < BATCH) return changed;
    after = members[members.length - 1]!.id;
  }
}
