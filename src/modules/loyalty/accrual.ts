// Points from the outbox, never inside the request: an order earns when its fulfilment event is
// delivered (once, however often: the earn entry is unique per order), and a refund claws back
// its share of what the order earned (once per refund). Both run in the subscriber's transaction.
import type { Tx } from '../../platform/db/index.js';
import { credit, debit, lockMember, vestDue } from './ledger.js';
import { expiryOf } from './model.js';
import { pointsFor } from './points.js';
import { loyaltyRepo } from './repo.js';
import { loyaltyTables } from './tables.js';
import { evaluateTier } from './tiers.js';

const DAY = 86_400_000;

/** What loyalty needs of an order (ordering's api answers it). */
export interface LoyaltyOrderFacts {
  id: string;
  organization_id: string;
  customer_id: string | null;
  /** Reached its channel's happy end (picked up, delivered, completed). */
  fulfilled: boolean;
  currency: string;
  placed_at: Date;
  subtotal: number;
  food_discounts: number;
  total: number;
  lines: Array<{ item_id: string; quantity: number }>;
}

export interface AccrualDeps {
  orderFacts(orderId: string, trx: Tx): Promise<LoyaltyOrderFacts | null>;
  /** The category of each item (catalog), for per-category bonuses. */
  categoriesOf(organizationId: string, itemIds: string[], trx: Tx): Promise<Map<string, string>>;
}

async function memberFor(trx: Tx, order: LoyaltyOrderFacts) {
  if (order.customer_id === null) return null;
  const program = await loyaltyRepo.findProgram(trx, order.organization_id);
  if (!program?.active) return null;
  const found = await loyaltyRepo.findMember(trx, order.organization_id, order.customer_id);
  if (!found || found.status !== 'active') return null;
  const member = await lockMember(trx, found.id);
  return member ? { program, member } : null;
}

async function earnEntryOf(trx: Tx, orderId: string) {
  return loyaltyTables(trx)
    .selectFrom('loyalty_entries')
    .select(['id', 'points', 'member_id'])
    .where('order_id', '=', orderId)
    .where('kind', '=', 'earn')
    .executeTakeFirst();
}

/** The fulfilled order earns its points (nothing for guests who are not members when it is fulfilled). */
export async function awardPoints(deps: AccrualDeps, trx: Tx, orderId: string, at: Date): Promise<number> {
  const order = await deps.orderFacts(orderId, trx);
  if (!order?.fulfilled) return 0;
  const found = await memberFor(trx, order);
  if (!found) return 0;
  if (await earnEntryOf(trx, orderId)) return 0;
  const { program } = found;
  let member = await vestDue(trx, found.member, at);
  const categories = await deps.categoriesOf(
    order.organization_id,
    order.lines.map((line) => line.item_id),
    trx,
  );
  const tier = program.tiers.find((t) => t.key === member.tier) ?? program.tiers[0]!;
  const points = pointsFor(program.accrual, tier, {
    currency: order.currency,
    subtotal: order.subtotal,
    foodDiscounts: order.food_discounts,
    placedAt: order.placed_at,
    lines: order.lines.map((line) => ({ ...line, category_id: categories.get(line.item_id) ?? null })),
  });
  if (points <= 0) return 0;
  member = (
    await credit(trx, member, {
      kind: 'earn',
      points,
      orderId,
      availableAt: new Date(at.getTime() + program.lock_days * DAY),
      expiresAt: expiryOf(at, program.expiry_months),
      at,
    })
  ).member;
  await evaluateTier(trx, member, program, at, { upgradeOnly: true });
  return points;
}

/**
 * A refund takes back the points of what it refunded, in proportion to the order's total (all
 * refunds of the order together never take back more than it earned). The order's own lot goes
 * first; what the balance cannot cover (points already spent) is recorded as debt.
 */
export async function clawBack(
  deps: AccrualDeps,
  trx: Tx,
  input: { orderId: string; refundId: string; refundAmount: number; at: Date },
): Promise<number> {
  const order = await deps.orderFacts(input.orderId, trx);
  if (!order || order.total <= 0) return 0;
  const earned = await earnEntryOf(trx, input.orderId);
  if (!earned) return 0;
  const member = await lockMember(trx, earned.member_id);
  if (!member) return 0;
  const earlier = await loyaltyTables(trx)
    .selectFrom('loyalty_entries')
    .select(['refund_id', 'refund_amount', 'owed'])
    .where('order_id', '=', input.orderId)
    .where('kind', '=', 'clawback')
    .where('refund_id', 'is not', null)
    .execute();
  if (earlier.some((entry) => entry.refund_id === input.refundId)) return 0;
  const refunded = Math.min(
    order.total,
    earlier.reduce((sum, entry) => sum + (entry.refund_amount ?? 0), 0) + input.refundAmount,
  );
  const due = Math.floor((earned.points * refunded) / order.total);
  const owed = Math.max(0, due - earlier.reduce((sum, entry) => sum + (entry.owed ?? 0), 0));
  const vestedMember = await vestDue(trx, member, input.at);
  const { taken } = await debit(trx, vestedMember, {
    kind: 'clawback',
    points: owed,
    owed,
    always: true,
    rules: {
      vestedLimit: vestedMember.balance - vestedMember.pending - vestedMember.held,
      includePending: true,
      preferLot: earned.id,
    },
    orderId: input.orderId,
    refundId: input.refundId,
    refundAmount: input.refundAmount,
    reason: 'The order was refunded.',
    at: input.at,
  });
  return taken;
}
