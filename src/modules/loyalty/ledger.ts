// The points ledger's writes. Every function runs in the caller's transaction, with the member's
// row locked first (lockMember): one member's ledger changes one at a time, so the counters, the
// lots and the entries move together. Each counter moves by a conditional update whose CHECK in
// migration 0017 is the backstop (a member's balance never goes negative).
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/index.js';
import { allocated, consumeLots, type Allocation, type ConsumeRules, type OpenLot } from './lots.js';
import type { EntryKind } from './model.js';
import { loyaltyTables, type MemberRow } from './tables.js';

/** The member's row, locked for the rest of the transaction; null when there is none. */
export async function lockMember(trx: Tx, memberId: string): Promise<MemberRow | null> {
  const row = await loyaltyTables(trx)
    .selectFrom('loyalty_members')
    .selectAll()
    .where('id', '=', memberId)
    .forUpdate()
    .executeTakeFirst();
  return (row as MemberRow | undefined) ?? null;
}

/** Lots whose lock period ended become spendable (the job sweeps; writes call it first). */
export async function vestDue(trx: Tx, member: MemberRow, now: Date): Promise<MemberRow> {
  const vested = await loyaltyTables(trx)
    .updateTable('loyalty_lots')
    .set({ vested: true })
    .where('member_id', '=', member.id)
    .where('vested', '=', false)
    .where('available_at', '<=', now)
    .returning('remaining')
    .execute();
  const points = vested.reduce((sum, lot) => sum + lot.remaining, 0);
  if (points === 0) return member;
  return updateMember(trx, member, { pending: -points });
}

interface Moves {
  balance?: number;
  pending?: number;
  held?: number;
  debt?: number;
}

/** Moves the member's counters; the CHECKs refuse any that would go negative or past the balance. */
export async function updateMember(trx: Tx, member: MemberRow, moves: Moves): Promise<MemberRow> {
  const row = await loyaltyTables(trx)
    .updateTable('loyalty_members')
    .set({
      balance: sql`balance + ${moves.balance ?? 0}`,
      pending: sql`pending + ${moves.pending ?? 0}`,
      held: sql`held + ${moves.held ?? 0}`,
      debt: sql`debt + ${moves.debt ?? 0}`,
      version: sql`version + 1`,
    })
    .where('id', '=', member.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return row as MemberRow;
}

export interface EntryFacts {
  orderId?: string | null;
  refundId?: string | null;
  refundAmount?: number | null;
  rewardId?: string | null;
  reason?: string | null;
  actorId?: string | null;
  at: Date;
}

async function insertEntry(
  trx: Tx,
  member: MemberRow,
  kind: EntryKind,
  points: number,
  facts: EntryFacts,
  owed: number | null,
) {
  const id = uuidv7();
  await loyaltyTables(trx)
    .insertInto('loyalty_entries')
    .values({
      id,
      organization_id: member.organization_id,
      member_id: member.id,
      kind,
      points,
      owed,
      order_id: facts.orderId ?? null,
      refund_id: facts.refundId ?? null,
      refund_amount: facts.refundAmount ?? null,
      reward_id: facts.rewardId ?? null,
      reason: facts.reason ?? null,
      actor_id: facts.actorId ?? null,
      created_at: facts.at,
    })
    .execute();
  return id;
}

/**
 * A credit (an earn, a positive adjustment, a reward given back): an entry and its lot. Debt from
 * earlier claw-backs is repaid from it at once, as a claw-back entry consuming the new lot.
 */
export async function credit(
  trx: Tx,
  member: MemberRow,
  input: { kind: 'earn' | 'adjust'; points: number; availableAt: Date; expiresAt: Date | null } & EntryFacts,
): Promise<{ member: MemberRow; entryId: string }> {
  const entryId = await insertEntry(trx, member, input.kind, input.points, input, null);
  const vested = input.availableAt.getTime() <= input.at.getTime();
  await loyaltyTables(trx)
    .insertInto('loyalty_lots')
    .values({
      entry_id: entryId,
      member_id: member.id,
      points: input.points,
      remaining: input.points,
      available_at: input.availableAt,
      vested,
      expires_at: input.expiresAt,
      order_id: input.orderId ?? null,
      created_at: input.at,
    })
    .execute();
  let updated = await updateMember(trx, member, { balance: input.points, pending: vested ? 0 : input.points });
  if (updated.debt > 0) {
    const repay = Math.min(updated.debt, input.points);
    updated = (
      await debit(trx, updated, {
        kind: 'clawback',
        points: repay,
        owed: 0,
        rules: { vestedLimit: repay, includePending: true, preferLot: entryId },
        at: input.at,
        reason: 'Repays points clawed back earlier that the balance could not cover.',
      })
    ).member;
  }
  return { member: updated, entryId };
}

export async function openLots(trx: Tx, memberId: string): Promise<OpenLot[]> {
  return loyaltyTables(trx)
    .selectFrom('loyalty_lots')
    .select(['entry_id', 'remaining', 'vested', 'created_at', 'order_id'])
    .where('member_id', '=', memberId)
    .where('remaining', '>', 0)
    .orderBy('created_at')
    .orderBy('entry_id')
    .execute();
}

/**
 * A debit: takes up to `points` from the member's lots by the rules (lots.ts) and records what it
 * took from which. A claw-back's `owed` is its full amount: what was not taken becomes debt
 * (minus what `owed` 0 repays). Returns what was taken; nothing is written when it is 0.
 */
export async function debit(
  trx: Tx,
  member: MemberRow,
  input: {
    kind: 'redeem' | 'expire' | 'clawback' | 'adjust';
    points: number;
    owed?: number;
    /** Record the entry even when it takes and owes nothing (a refund's share that rounds to 0). */
    always?: boolean;
    rules: ConsumeRules;
    lots?: OpenLot[];
  } & EntryFacts,
): Promise<{ member: MemberRow; taken: number; allocations: Allocation[]; entryId: string | null }> {
  const lots = input.lots ?? (await openLots(trx, member.id));
  const allocations = consumeLots(lots, input.points, input.rules);
  const taken = allocated(allocations);
  const owed = input.kind === 'clawback' ? (input.owed ?? input.points) : null;
  // A claw-back the balance cannot cover at all is still recorded, with the debt it leaves.
  if (taken === 0 && !(owed !== null && owed > 0) && !input.always)
    return { member, taken, allocations, entryId: null };
  const debtMove = owed === null ? 0 : owed - taken;
  const entryId = await insertEntry(trx, member, input.kind, -taken, input, owed);
  if (allocations.length > 0)
    await loyaltyTables(trx)
      .insertInto('loyalty_allocations')
      .values(allocations.map((a) => ({ entry_id: entryId, lot_id: a.lot_id, points: a.points })))
      .execute();
  for (const a of allocations)
    await loyaltyTables(trx)
      .updateTable('loyalty_lots')
      .set({ remaining: sql`remaining - ${a.points}` })
      .where('entry_id', '=', a.lot_id)
      .execute();
  const fromPending = allocations.filter((a) => !a.vested).reduce((sum, a) => sum + a.points, 0);
  const updated = await updateMember(trx, member, { balance: -taken, pending: -fromPending, debt: debtMove });
  return { member: updated, taken, allocations, entryId };
}

/** Spendable points not held by a reward on an open order. */
export const spendable = (member: MemberRow): number => member.balance - member.pending - member.held;
