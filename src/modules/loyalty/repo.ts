// Loyalty's reads and the member's lifecycle rows; the ledger's writes are in ledger.ts.
import { v7 as uuidv7 } from 'uuid';
import type { Db, Tx } from '../../platform/db/index.js';
import type { Program, Reward } from './model.js';
import { loyaltyTables, type Executor, type MemberRow } from './tables.js';

type Ex = Db | Tx | Executor;

const PROGRAM_COLUMNS = [
  'organization_id',
  'name',
  'active',
  'accrual',
  'lock_days',
  'expiry_months',
  'tier_measure',
  'tier_window_days',
  'tiers',
  'join_at_sign_up',
  'version',
] as const;
const REWARD_COLUMNS = ['id', 'organization_id', 'name', 'description', 'points', 'effect', 'cost', 'active'] as const;

export const loyaltyRepo = {
  async findProgram(ex: Ex, organizationId: string): Promise<Program | null> {
    const row = await loyaltyTables(ex as Executor)
      .selectFrom('loyalty_programs')
      .select(PROGRAM_COLUMNS)
      .where('organization_id', '=', organizationId)
      .executeTakeFirst();
    return row ?? null;
  },

  async findReward(ex: Ex, rewardId: string): Promise<Reward | null> {
    const row = await loyaltyTables(ex as Executor)
      .selectFrom('loyalty_rewards')
      .select(REWARD_COLUMNS)
      .where('id', '=', rewardId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row ?? null;
  },

  async rewardsOf(ex: Ex, organizationId: string, activeOnly: boolean): Promise<Reward[]> {
    let query = loyaltyTables(ex as Executor)
      .selectFrom('loyalty_rewards')
      .select(REWARD_COLUMNS)
      .where('organization_id', '=', organizationId)
      .where('deleted_at', 'is', null);
    if (activeOnly) query = query.where('active', '=', true);
    return query.orderBy('points').orderBy('id').execute();
  },

  /** Active programs that enrol new customers at sign-up. */
  async programsJoinedAtSignUp(ex: Ex): Promise<Program[]> {
    return loyaltyTables(ex as Executor)
      .selectFrom('loyalty_programs')
      .select(PROGRAM_COLUMNS)
      .where('active', '=', true)
      .where('join_at_sign_up', '=', true)
      .execute();
  },

  async findMember(ex: Ex, organizationId: string, customerId: string): Promise<MemberRow | null> {
    const row = await loyaltyTables(ex as Executor)
      .selectFrom('loyalty_members')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('customer_id', '=', customerId)
      .executeTakeFirst();
    return (row as MemberRow | undefined) ?? null;
  },

  async membershipsOf(ex: Ex, customerId: string): Promise<MemberRow[]> {
    const rows = await loyaltyTables(ex as Executor)
      .selectFrom('loyalty_members')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('status', '=', 'active')
      .orderBy('joined_at')
      .execute();
    return rows as MemberRow[];
  },

  /** A new member at the first tier (or the member back, keeping their ledger); returns the row. */
  async join(
    trx: Tx,
    input: { organizationId: string; customerId: string; consent: MemberRow['consent']; firstTier: string; at: Date },
  ): Promise<{ member: MemberRow; joined: boolean }> {
    const inserted = await loyaltyTables(trx)
      .insertInto('loyalty_members')
      .values({
        id: uuidv7(),
        organization_id: input.organizationId,
        customer_id: input.customerId,
        status: 'active',
        consent: input.consent,
        joined_at: input.at,
        tier: input.firstTier,
        tier_since: input.at,
      })
      .onConflict((oc) => oc.columns(['organization_id', 'customer_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) {
      await loyaltyTables(trx)
        .insertInto('loyalty_tier_changes')
        .values({
          id: uuidv7(),
          member_id: inserted.id,
          from_tier: null,
          to_tier: input.firstTier,
          qualifying: 0,
          reason: 'joined',
          changed_at: input.at,
        })
        .execute();
      return { member: inserted as MemberRow, joined: true };
    }
    const back = await loyaltyTables(trx)
      .updateTable('loyalty_members')
      .set({ status: 'active', left_at: null, consent: input.consent })
      .where('organization_id', '=', input.organizationId)
      .where('customer_id', '=', input.customerId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { member: back as MemberRow, joined: false };
  },

  async leave(trx: Tx, memberId: string, at: Date): Promise<void> {
    await loyaltyTables(trx)
      .updateTable('loyalty_members')
      .set({ status: 'left', left_at: at })
      .where('id', '=', memberId)
      .execute();
  },
};
