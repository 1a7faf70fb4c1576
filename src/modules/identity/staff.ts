// Staff of an organization: who holds which role where, invitations for people who have no
// account yet, and grants made by other modules (the creator of an organization owns it).
import { v7 as uuidv7 } from 'uuid';
import { recordAudit } from '../../platform/audit/index.js';
import { assertMayActAt, type Principal, type StaffRole } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  UnprocessableError,
} from '../../platform/http/errors.js';
import { decodeCursor, toPage } from '../../platform/http/schema.js';
import { organizationAggregate, type IdentityEventAppender } from './events.js';
import { identityRepo as repo, type Executor, type MemberRow } from './repo.js';
import type { AddMemberInput } from './schema.js';
import { hashSecret, INVITATION_PREFIX, mintSecret } from './secrets.js';
import type { SessionService, TokenPair } from './sessions.js';

function isTransaction(ex: Executor): ex is Tx {
  return ex.isTransaction;
}

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface Grant {
  userId: string;
  organizationId: string;
  storeId: string | null;
  role: StaffRole;
}

export function presentMember(row: MemberRow) {
  return {
    id: row.id,
    user: { id: row.user_id, email: row.email, name: row.name },
    role: row.role,
    store_id: row.store_id,
    status: row.invited ? ('invited' as const) : ('active' as const),
    created_at: row.created_at.toISOString(),
  };
}

/** Owners may grant any role; managers only staff and courier roles. */
function rolesThatMayGrant(role: StaffRole): StaffRole[] {
  return role === 'owner' || role === 'manager' ? ['owner'] : ['owner', 'manager'];
}

export interface StaffServiceDeps {
  db: Db;
  sessions: SessionService;
  hashPasswords: (password: string) => Promise<string>;
  events: IdentityEventAppender;
  clock?: () => Date;
}

export function createStaffService(deps: StaffServiceDeps) {
  const now = deps.clock ?? (() => new Date());
  const { events } = deps;

  async function insertGrant(trx: Tx, grant: Grant) {
    let membership;
    try {
      membership = await repo.insertMembership(trx, {
        id: uuidv7(),
        userId: grant.userId,
        organizationId: grant.organizationId,
        storeId: grant.storeId,
        role: grant.role,
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '23505') throw new ConflictError('MEMBERSHIP_EXISTS', 'This person already holds this role there.');
      if (code === '23503')
        throw new UnprocessableError('STORE_NOT_IN_ORGANIZATION', 'The store does not belong to this organization.', [
          { path: '/body/store_id', message: 'is not a store of this organization' },
        ]);
      throw error;
    }
    await events.append(trx, {
      type: 'identity.member.added',
      aggregate: organizationAggregate(membership.organization_id),
      data: {
        membership_id: membership.id,
        organization_id: membership.organization_id,
        store_id: membership.store_id,
        user_id: membership.user_id,
        role: membership.role,
      },
    });
    return membership;
  }

  /** Joins the caller's transaction, or runs in its own: the grant and its event commit together. */
  async function grantRole(ex: Executor, grant: Grant) {
    return isTransaction(ex) ? insertGrant(ex, grant) : inTransaction(ex, (trx) => insertGrant(trx, grant));
  }

  return {
    grantRole,

    async addMember(principal: Principal | null, organizationId: string, input: AddMemberInput) {
      const storeId = input.store_id ?? null;
      assertMayActAt(principal, { organizationId, storeId }, rolesThatMayGrant(input.role), [], 'organization');
      return inTransaction(deps.db, async (trx) => {
        let user = await repo.findUserByEmail(trx, input.email);
        let invitation: { token: string; expires_at: string } | undefined;
        if (!user) {
          user = await deps.sessions.createUser(trx, {
            email: input.email,
            password: null,
            name: input.name ?? input.email.split('@')[0]!,
          });
        }
        const membership = await grantRole(trx, { userId: user.id, organizationId, storeId, role: input.role });
        if (user.password_hash === null) {
          // No password yet: the invitee sets one with this token. Shown once, stored hashed.
          const token = mintSecret(INVITATION_PREFIX);
          const expiresAt = new Date(now().getTime() + INVITATION_TTL_MS);
          await repo.insertInvitation(trx, {
            id: uuidv7(),
            organizationId,
            userId: user.id,
            hash: hashSecret(token),
            invitedBy: principal?.kind === 'user' ? principal.userId : null,
            expiresAt,
          });
          invitation = { token, expires_at: expiresAt.toISOString() };
        }
        const member = presentMember({
          ...membership,
          user_id: user.id,
          email: user.email,
          name: user.name,
          invited: user.password_hash === null,
        });
        await recordAudit(trx, {
          organizationId,
          storeId,
          action: invitation ? 'identity.staff.invited' : 'identity.staff.role_granted',
          target: { type: 'membership', id: membership.id },
          after: { user: member.user, role: member.role, store_id: member.store_id },
          personal: ['name'],
        });
        return invitation ? { ...member, invitation } : member;
      });
    },

    async listMembers(principal: Principal | null, organizationId: string, limit: number, cursor: string | undefined) {
      assertMayActAt(principal, { organizationId }, ['owner', 'manager'], ['staff:read'], 'organization');
      const after = decodeCursor(cursor, ['id'] as const);
      const rows = await repo.listMembers(deps.db, organizationId, limit, after?.id ?? null);
      return toPage(rows, limit, presentMember, (row) => ({ id: row.id }));
    },

    async removeMember(principal: Principal | null, organizationId: string, membershipId: string) {
      assertMayActAt(principal, { organizationId }, ['owner', 'manager'], [], 'organization');
      await inTransaction(deps.db, async (trx) => {
        const owners = await repo.lockOwners(trx, organizationId);
        const member = await repo.findMember(trx, organizationId, membershipId);
        if (!member) throw new NotFoundError('member');
        assertMayActAt(
          principal,
          { organizationId, storeId: member.store_id },
          rolesThatMayGrant(member.role),
          [],
          'organization',
        );
        const isOrgOwner = member.role === 'owner' && member.store_id === null;
        if (isOrgOwner && owners.length <= 1) {
          throw new ConflictError(
            'LAST_OWNER',
            'An organization must keep at least one owner; add another owner first.',
          );
        }
        await repo.deleteMembership(trx, membershipId);
        await recordAudit(trx, {
          organizationId,
          storeId: member.store_id,
          action: 'identity.staff.removed',
          target: { type: 'membership', id: member.id },
          before: { user_id: member.user_id, role: member.role, store_id: member.store_id },
        });
        await events.append(trx, {
          type: 'identity.member.removed',
          aggregate: organizationAggregate(organizationId),
          data: {
            membership_id: member.id,
            organization_id: organizationId,
            store_id: member.store_id,
            user_id: member.user_id,
            role: member.role,
          },
        });
      });
    },

    async acceptInvitation(token: string, password: string, name: string | undefined): Promise<TokenPair> {
      const passwordHash = await deps.hashPasswords(password);
      return inTransaction(deps.db, async (trx) => {
        const accepted = await repo.acceptInvitation(trx, hashSecret(token), now());
        if (!accepted)
          throw new UnauthenticatedError(
            'The invitation is not valid, was already used, or has expired.',
            'INVALID_INVITATION',
          );
        const user = await repo.findUserById(trx, accepted.user_id);
        if (!user)
          throw new UnauthenticatedError(
            'The invitation is not valid, was already used, or has expired.',
            'INVALID_INVITATION',
          );
        // Someone who already set a password (e.g. invited by two organizations) keeps it.
        if (user.password_hash !== null)
          throw new ForbiddenError('This account already has a password; log in instead.', 'ACCOUNT_ALREADY_ACTIVE');
        await repo.setPassword(trx, user.id, passwordHash, name);
        return deps.sessions.startSession(trx, user.id);
      });
    },
  };
}

export type StaffService = ReturnType<typeof createStaffService>;
