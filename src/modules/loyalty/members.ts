// The member side (a signed-in customer's standing, activity, joining and leaving) and the staff
// side (a member's lookup and point adjustments). Reads of a standing run in one transaction, so
// the counters and the lots they are compared with are one snapshot's. An adjustment runs under
// the member's row lock: vest what is due, then credit a lot or take from the oldest lots (all of
// it or nothing), audited with the actor and the reason in the same transaction.
import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/index.js';
import { requireUser, type Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import { NotFoundError, UnprocessableError, ValidationError } from '../../platform/http/errors.js';
import type { IdempotencyClaim } from '../../platform/http/idempotency/hooks.js';
import { decodeCursor, toPage, type PageOf } from '../../platform/http/schema.js';
import { actorIdOf, assertRule, RULES } from './access.js';
import { credit, debit, lockMember, spendable, vestDue } from './ledger.js';
import type { ActivityEntryOut, ActivityQuery, AdjustmentBody, MemberOut, StandingOut } from './member-schema.js';
import { expiryOf, type Program } from './model.js';
import { presentEntry, rfc3339, type EntryRow } from './present.js';
import { programNotFound } from './program.js';
import { loyaltyRepo } from './repo.js';
import { standingOf } from './standing.js';
import { loyaltyTables, type MemberRow } from './tables.js';

export interface MemberServiceDeps {
  db: Db;
  clock: () => Date;
}

export const memberNotFound = () => new NotFoundError('loyalty member', 'LOYALTY_MEMBER_NOT_FOUND');
/** How many tier changes a member lookup shows. */
const TIER_CHANGES = 20;

export function createMemberService(deps: MemberServiceDeps) {
  const { db, clock } = deps;

  async function requireProgram(ex: Db | Tx, organizationId: string): Promise<Program> {
    const program = await loyaltyRepo.findProgram(ex, organizationId);
    if (!program) throw programNotFound();
    return program;
  }

  async function requireMember(ex: Db | Tx, organizationId: string, customerId: string): Promise<MemberRow> {
    const member = await loyaltyRepo.findMember(ex, organizationId, customerId);
    if (!member) throw memberNotFound();
    return member;
  }

  async function memberView(trx: Tx, program: Program, member: MemberRow, now: Date): Promise<MemberOut> {
    const changes = await loyaltyTables(trx)
      .selectFrom('loyalty_tier_changes')
      .select(['from_tier', 'to_tier', 'reason', 'qualifying', 'changed_at'])
      .where('member_id', '=', member.id)
      .orderBy('changed_at', 'desc')
      .orderBy('id', 'desc')
      .limit(TIER_CHANGES)
      .execute();
    return {
      member_id: member.id,
      customer_id: member.customer_id,
      consent: member.consent,
      balance: member.balance,
      standing: await standingOf(trx, program, member, now),
      tier_changes: changes.map((change) => ({ ...change, changed_at: rfc3339(change.changed_at) })),
    };
  }

  return {
    /** The caller's active memberships, oldest first. */
    async mine(principal: Principal | null): Promise<StandingOut[]> {
      const user = requireUser(principal);
      const now = clock();
      return inTransaction(db, async (trx) => {
        const standings: StandingOut[] = [];
        for (const member of await loyaltyRepo.membershipsOf(trx, user.userId)) {
          const program = await loyaltyRepo.findProgram(trx, member.organization_id);
          if (program) standings.push(await standingOf(trx, program, member, now));
        }
        return standings;
      });
    },

    /** The caller's standing in one brand's program (also after leaving: the ledger stays). */
    async myStanding(principal: Principal | null, organizationId: string): Promise<StandingOut> {
      const user = requireUser(principal);
      return inTransaction(db, async (trx) => {
        const program = await requireProgram(trx, organizationId);
        return standingOf(trx, program, await requireMember(trx, organizationId, user.userId), clock());
      });
    },

    /** Joins (created: true), or answers the membership as it is when already an active member. */
    async join(
      principal: Principal | null,
      organizationId: string,
    ): Promise<{ standing: StandingOut; created: boolean }> {
      const user = requireUser(principal);
      const now = clock();
      return inTransaction(db, async (trx) => {
        const program = await requireProgram(trx, organizationId);
        if (!program.active) throw programNotFound();
        const existing = await loyaltyRepo.findMember(trx, organizationId, user.userId);
        if (existing?.status === 'active')
          return { standing: await standingOf(trx, program, existing, now), created: false };
        const { member } = await loyaltyRepo.join(trx, {
          organizationId,
          customerId: user.userId,
          consent: 'join',
          firstTier: program.tiers[0]!.key,
          at: now,
        });
        return { standing: await standingOf(trx, program, member, now), created: true };
      });
    },

    /** Leaves the program: no points earned from then on; the ledger stays for a return. */
    async leave(principal: Principal | null, organizationId: string): Promise<void> {
      const user = requireUser(principal);
      await inTransaction(db, async (trx) => {
        const member = await requireMember(trx, organizationId, user.userId);
        if (member.status === 'active') await loyaltyRepo.leave(trx, member.id, clock());
      });
    },

    /** The caller's entries, newest first (ids are UUIDv7: id order is time order), keyset by id. */
    async activity(
      principal: Principal | null,
      organizationId: string,
      query: ActivityQuery,
    ): Promise<PageOf<ActivityEntryOut>> {
      const user = requireUser(principal);
      const member = await requireMember(db, organizationId, user.userId);
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['id'] as const);
      // loyalty_entries_member_idx (member_id, id DESC) serves the order and the cursor.
      const rows = await sql<EntryRow>`
        SELECT e.id, e.kind, e.points, e.order_id, e.reward_id, e.reason, e.created_at,
               l.expires_at, l.available_at
        FROM loyalty_entries e LEFT JOIN loyalty_lots l ON l.entry_id = e.id
        WHERE e.member_id = ${member.id} ${after ? sql`AND e.id < ${after.id}` : sql``}
        ORDER BY e.id DESC
        LIMIT ${limit + 1}`.execute(db);
      return toPage(rows.rows, limit, presentEntry, (row) => ({ id: row.id }));
    },

    /** A member as staff see them: the standing, the balance and the latest tier changes. */
    async lookUp(principal: Principal | null, organizationId: string, customerId: string): Promise<MemberOut> {
      assertRule(principal, RULES.lookUpMembers, organizationId, 'loyalty member');
      return inTransaction(db, async (trx) => {
        const program = await requireProgram(trx, organizationId);
        return memberView(trx, program, await requireMember(trx, organizationId, customerId), clock());
      });
    },

    /** Credits or takes points with a reason; a debit takes all of it or nothing (422 ADJUSTMENT_EXCEEDS_BALANCE). */
    async adjust(
      principal: Principal | null,
      organizationId: string,
      customerId: string,
      body: AdjustmentBody,
      idempotency: IdempotencyClaim | null,
    ): Promise<MemberOut> {
      assertRule(principal, RULES.adjustPoints, organizationId, 'loyalty member');
      if (body.points === 0) throw new ValidationError([{ path: '/body/points', message: 'must not be 0' }]);
      const reason = body.reason.trim();
      if (reason.length < 3)
        throw new ValidationError([{ path: '/body/reason', message: 'must say why (3 characters or more)' }]);
      const now = clock();
      return inTransaction(db, async (trx) => {
        const program = await requireProgram(trx, organizationId);
        const found = await requireMember(trx, organizationId, customerId);
        const locked = await lockMember(trx, found.id);
        let member = await vestDue(trx, locked!, now);
        // A retry that took over a request which had committed: the adjustment exists, answer it.
        if (typeof idempotency?.recovered?.entry_id === 'string') return memberView(trx, program, member, now);
        const facts = { reason, actorId: actorIdOf(principal), at: now };
        let entryId: string;
        if (body.points > 0) {
          const credited = await credit(trx, member, {
            kind: 'adjust',
            points: body.points,
            availableAt: now,
            expiresAt: expiryOf(now, program.expiry_months),
            ...facts,
          });
          member = credited.member;
          entryId = credited.entryId;
        } else {
          const wanted = -body.points;
          // Spendable points and those still locked may go; what rewards on open orders hold may not.
          const takeable = member.balance - member.held;
          if (wanted > takeable)
            throw new UnprocessableError(
              'ADJUSTMENT_EXCEEDS_BALANCE',
              `Only ${takeable} points can be taken (${member.held} are held by rewards on open orders).`,
              [
                {
                  path: '/body/points',
                  message: `must take at most ${takeable} points`,
                  code: 'ADJUSTMENT_EXCEEDS_BALANCE',
                },
              ],
            );
          const debited = await debit(trx, member, {
            kind: 'adjust',
            points: wanted,
            rules: { vestedLimit: spendable(member), includePending: true },
            ...facts,
          });
          // The lots hold exactly the balance under this lock: anything short is a ledger bug.
          if (debited.taken !== wanted) throw new Error(`Adjustment took ${debited.taken} of ${wanted} points`);
          member = debited.member;
          entryId = debited.entryId!;
        }
        await recordAudit(trx, {
          organizationId,
          action: 'loyalty.points.adjusted',
          target: { type: 'loyalty_member', id: member.id },
          after: { entry_id: entryId, customer_id: customerId, points: body.points, reason, balance: member.balance },
        });
        await idempotency?.commitIn(trx, { entry_id: entryId });
        return memberView(trx, program, member, now);
      });
    },
  };
}

export type MemberService = ReturnType<typeof createMemberService>;
