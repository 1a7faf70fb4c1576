// A reward's points on an order: held in the order's transaction (a conditional move of the
// member's `held`, under the member's lock, so fifty parallel orders cannot hold the same points
// twice), spent when the order is fulfilled, released when it ends unfulfilled, and given back as
// a fresh lot when a fulfilled order is refunded whole.
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.js';
import { UnprocessableError } from '../../platform/http/errors.js';
import { credit, debit, lockMember, spendable, updateMember, vestDue } from './ledger.js';
import { expiryOf } from './model.js';
import { loyaltyRepo } from './repo.js';
import { loyaltyTables, type Executor, type MemberRow } from './tables.js';

/** Spendable points now, counting lots whose lock period ended even if the sweep has not vested them yet. */
export async function spendableNow(ex: Db | Tx, member: MemberRow, now: Date): Promise<number> {
  const row = await sql<{ locked: number }>`
    SELECT coalesce(sum(remaining), 0)::int AS locked FROM loyalty_lots
    WHERE member_id = ${member.id} AND NOT vested AND available_at > ${now} AND remaining > 0`.execute(ex);
  return member.balance - member.held - row.rows[0]!.locked;
}

const problem = (code: string, message: string) =>
  new UnprocessableError(code, message, [{ path: '/reward_id', message, code }]);

export async function holdReward(
  trx: Tx,
  input: {
    organizationId: string;
    orderId: string;
    customerId: string | null;
    reward: { reward_id: string; points: number; amount: number };
    at: Date;
  },
): Promise<void> {
  const found =
    input.customerId === null ? null : await loyaltyRepo.findMember(trx, input.organizationId, input.customerId);
  if (!found || found.status !== 'active')
    throw problem('LOYALTY_NOT_MEMBER', 'Rewards are for members of the brand’s loyalty program.');
  const locked = await lockMember(trx, found.id);
  const member = await vestDue(trx, locked!, input.at);
  if (spendable(member) < input.reward.points)
    throw problem(
      'INSUFFICIENT_POINTS',
      `The reward needs ${input.reward.points} points; ${Math.max(0, spendable(member))} are available.`,
    );
  await updateMember(trx, member, { held: input.reward.points });
  await loyaltyTables(trx)
    .insertInto('loyalty_reward_holds')
    .values({
      order_id: input.orderId,
      organization_id: input.organizationId,
      member_id: member.id,
      reward_id: input.reward.reward_id,
      points: input.reward.points,
      amount: input.reward.amount,
      status: 'held',
      held_at: input.at,
    })
    .execute();
}

async function lockHold(trx: Tx, orderId: string) {
  return loyaltyTables(trx)
    .selectFrom('loyalty_reward_holds')
    .selectAll()
    .where('order_id', '=', orderId)
    .forUpdate()
    .executeTakeFirst();
}

async function settle(
  trx: Tx,
  orderId: string,
  status: 'spent' | 'released' | 'returned',
  at: Date,
  reason: string | null,
) {
  await loyaltyTables(trx)
    .updateTable('loyalty_reward_holds')
    .set({ status, settled_at: at, reason })
    .where('order_id', '=', orderId)
    .execute();
}

/** The fulfilled order spends what it held: a redeem entry consuming the oldest spendable lots. */
export async function spendReward(trx: Tx, orderId: string, at: Date): Promise<void> {
  const hold = await lockHold(trx, orderId);
  if (hold?.status !== 'held') return;
  const locked = await lockMember(trx, hold.member_id);
  // The hold goes first: the CHECK (pending + held <= balance) must hold after each statement.
  const member = await updateMember(trx, await vestDue(trx, locked!, at), { held: -hold.points });
  const spent = await debit(trx, member, {
    kind: 'redeem',
    points: hold.points,
    rules: { vestedLimit: hold.points, includePending: false },
    orderId,
    rewardId: hold.reward_id,
    at,
  });
  // Held points were spendable when held and nothing takes them since: anything else is a bug.
  if (spent.taken !== hold.points)
    throw new Error(`Order ${orderId} held ${hold.points} points but only ${spent.taken} could be spent`);
  await settle(trx, orderId, 'spent', at, null);
}

/** Ends the hold: held points go back; spent ones are given back only when the order was refunded. */
export async function releaseReward(trx: Tx, orderId: string, reason: string, at: Date): Promise<void> {
  const hold = await lockHold(trx, orderId);
  if (!hold) return;
  if (hold.status === 'held') {
    const member = await lockMember(trx, hold.member_id);
    await updateMember(trx, member!, { held: -hold.points });
    await settle(trx, orderId, 'released', at, reason);
    return;
  }
  if (hold.status !== 'spent' || reason !== 'refunded') return;
  const member = await lockMember(trx, hold.member_id);
  const program = await loyaltyRepo.findProgram(trx, hold.organization_id);
  await credit(trx, member!, {
    kind: 'adjust',
    points: hold.points,
    orderId,
    rewardId: hold.reward_id,
    reason: 'The reward’s points are given back: its order was refunded.',
    availableAt: at,
    expiresAt: expiryOf(at, program?.expiry_months ?? null),
    at,
  });
  await settle(trx, orderId, 'returned', at, reason);
}

/** Orders among these whose reward still holds points (the invariant checker: none may have ended unfulfilled). */
export async function ordersHoldingRewards(ex: Executor, orderIds: string[]): Promise<string[]> {
  if (orderIds.length === 0) return [];
  const rows = await loyaltyTables(ex)
    .selectFrom('loyalty_reward_holds')
    .select('order_id')
    .where('order_id', 'in', orderIds)
    .where('status', '=', 'held')
    .execute();
  return rows.map((row) => row.order_id);
}
