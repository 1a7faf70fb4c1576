// SQL for an organization's staff: memberships (who holds which role where) and invitations.
import { sql } from 'kysely';
import type { StaffRole } from '../../platform/auth/principal.js';
import { peopleSealing } from './people-sealing.js';
import { t, type Executor, type MemberRow } from './tables.js';

/** A member as staff screens show them: the membership with its person (invited: no password yet). */
const members = (ex: Executor) =>
  t(ex)
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'm.id',
      'm.user_id',
      'u.email',
      'u.name',
      sql<string | null>`u.phone`.as('phone'),
      sql<Buffer | null>`u.personal_sealed`.as('personal_sealed'),
      'm.role',
      'm.store_id',
      'm.created_at',
      sql<boolean>`u.password_hash IS NULL`.as('invited'),
    ]);

/** The member with their name and email opened (people-sealing.ts). */
async function withPerson(
  ex: Executor,
  row: Omit<MemberRow, 'email' | 'name'> & {
    email: string | null;
    name: string | null;
    phone: string | null;
    personal_sealed: Buffer | null;
  },
): Promise<MemberRow> {
  const { personal_sealed, phone, ...member } = row;
  const person = await peopleSealing().open(ex, {
    id: row.user_id,
    personal_sealed,
    email: row.email,
    name: row.name,
    phone,
  });
  return { ...member, email: person.email, name: person.name };
}

export const staffRepo = {
  async insertMembership(
    ex: Executor,
    membership: { id: string; userId: string; organizationId: string; storeId: string | null; role: StaffRole },
  ) {
    return t(ex)
      .insertInto('memberships')
      .values({
        id: membership.id,
        user_id: membership.userId,
        organization_id: membership.organizationId,
        store_id: membership.storeId,
        role: membership.role,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async listMembers(ex: Executor, organizationId: string, limit: number, afterId: string | null): Promise<MemberRow[]> {
    let query = members(ex)
      .where('m.organization_id', '=', organizationId)
      .orderBy('m.id')
      .limit(limit + 1);
    if (afterId) query = query.where('m.id', '>', afterId);
    return Promise.all((await query.execute()).map((row) => withPerson(ex, row)));
  },

  async findMember(ex: Executor, organizationId: string, membershipId: string): Promise<MemberRow | undefined> {
    const row = await members(ex)
      .where('m.organization_id', '=', organizationId)
      .where('m.id', '=', membershipId)
      .executeTakeFirst();
    return row && withPerson(ex, row);
  },

  async deleteMembership(ex: Executor, membershipId: string) {
    await t(ex).deleteFrom('memberships').where('id', '=', membershipId).execute();
  },

  /** The people who own the organization (brand-wide owner memberships). */
  async ownerIds(ex: Executor, organizationId: string): Promise<string[]> {
    const rows = await t(ex)
      .selectFrom('memberships')
      .select('user_id')
      .where('organization_id', '=', organizationId)
      .where('role', '=', 'owner')
      .where('store_id', 'is', null)
      .execute();
    return rows.map((row) => row.user_id);
  },

  /**
   * The people holding one of these roles at the store: a membership of that store or of the
   * whole brand. Each person once, however many memberships they hold.
   */
  async staffIdsAt(ex: Executor, organizationId: string, storeId: string, roles: StaffRole[]): Promise<string[]> {
    const rows = await t(ex)
      .selectFrom('memberships')
      .select('user_id')
      .distinct()
      .where('organization_id', '=', organizationId)
      .where('role', 'in', roles)
      .where((eb) => eb.or([eb('store_id', '=', storeId), eb('store_id', 'is', null)]))
      .orderBy('user_id')
      .execute();
    return rows.map((row) => row.user_id);
  },

  /** Locks the organization's owner memberships so two removals cannot both pass the last-owner check. */
  async lockOwners(ex: Executor, organizationId: string) {
    return t(ex)
      .selectFrom('memberships')
      .select(['id'])
      .where('organization_id', '=', organizationId)
      .where('role', '=', 'owner')
      .where('store_id', 'is', null)
      .forUpdate()
      .execute();
  },

  async insertInvitation(
    ex: Executor,
    invitation: {
      id: string;
      organizationId: string;
      userId: string;
      hash: Buffer;
      invitedBy: string | null;
      expiresAt: Date;
    },
  ) {
    await t(ex)
      .insertInto('staff_invitations')
      .values({
        id: invitation.id,
        organization_id: invitation.organizationId,
        user_id: invitation.userId,
        token_hash: invitation.hash,
        invited_by: invitation.invitedBy,
        expires_at: invitation.expiresAt,
      })
      .execute();
  },

  /** Consumes an invitation exactly once (conditional update), returning whose it was. */
  async acceptInvitation(ex: Executor, hash: Buffer, now: Date) {
    return t(ex)
      .updateTable('staff_invitations')
      .set({ accepted_at: now })
      .where('token_hash', '=', hash)
      .where('accepted_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['user_id', 'organization_id'])
      .executeTakeFirst();
  },

  async purgeStaleInvitations(ex: Executor, olderThan: Date) {
    const result = await t(ex).deleteFrom('staff_invitations').where('expires_at', '<', olderThan).executeTakeFirst();
    return Number(result.numDeletedRows);
  },

  // --- API keys ------------------------------------------------------------------------------
};
