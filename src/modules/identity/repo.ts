// SQL for the identity tables only. Every method takes the executor to run on, so services
// decide what shares a transaction.
import { sql, type ColumnType, type Generated, type Kysely } from 'kysely';
import type { RoleGrant, StaffRole } from '../../platform/auth/principal.js';
import type { PlatformTables } from '../../platform/db/index.js';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

// A type alias, not an interface: Kysely's withTables needs an indexable record type.
type IdentityTables = {
  users: {
    id: string;
    email: string;
    name: string;
    password_hash: string | null;
    is_platform_admin: Generated<boolean>;
    created_at: CreatedAt;
    updated_at: ColumnType<Date, Date | undefined, Date>;
  };
  memberships: {
    id: string;
    user_id: string;
    organization_id: string;
    store_id: string | null;
    role: StaffRole;
    created_at: CreatedAt;
  };
  refresh_token_families: {
    id: string;
    user_id: string;
    created_at: CreatedAt;
    expires_at: Date;
    revoked_at: Date | null;
    revoked_reason: string | null;
  };
  refresh_tokens: {
    id: string;
    family_id: string;
    token_hash: Buffer;
    created_at: CreatedAt;
    rotated_at: Date | null;
  };
  staff_invitations: {
    id: string;
    organization_id: string;
    user_id: string;
    token_hash: Buffer;
    invited_by: string | null;
    created_at: CreatedAt;
    expires_at: Date;
    accepted_at: Date | null;
  };
  api_keys: {
    id: string;
    organization_id: string;
    name: string;
    prefix: string;
    secret_hash: Buffer;
    scopes: string[];
    created_by: string | null;
    created_at: CreatedAt;
    last_used_at: Date | null;
    revoked_at: Date | null;
  };
};

export type Executor = Kysely<PlatformTables>;
const t = (ex: Executor) => ex.withTables<IdentityTables>();

export type UserRow = IdentityTables['users'] & { created_at: Date; is_platform_admin: boolean };

export interface MemberRow {
  id: string;
  user_id: string;
  email: string;
  name: string;
  role: StaffRole;
  store_id: string | null;
  created_at: Date;
  invited: boolean;
}

export interface ApiKeyRow {
  id: string;
  organization_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const API_KEY_COLUMNS = [
  'id',
  'organization_id',
  'name',
  'prefix',
  'scopes',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const;

export const identityRepo = {
  async insertUser(ex: Executor, user: { id: string; email: string; name: string; passwordHash: string | null }) {
    return t(ex)
      .insertInto('users')
      .values({ id: user.id, email: user.email, name: user.name, password_hash: user.passwordHash })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async findUserByEmail(ex: Executor, email: string) {
    return t(ex)
      .selectFrom('users')
      .selectAll()
      .where(sql<string>`lower(email)`, '=', email.toLowerCase())
      .executeTakeFirst();
  },

  async findUserById(ex: Executor, id: string) {
    return t(ex).selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async setPassword(ex: Executor, userId: string, passwordHash: string, name?: string) {
    await t(ex)
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: new Date(), ...(name ? { name } : {}) })
      .where('id', '=', userId)
      .execute();
  },

  async deleteUsersByEmail(ex: Executor, emails: string[]) {
    if (emails.length === 0) return;
    await t(ex)
      .deleteFrom('users')
      .where(
        sql<string>`lower(email)`,
        'in',
        emails.map((email) => email.toLowerCase()),
      )
      .execute();
  },

  /**
   * Everything authentication needs about a session in one round trip: the user, whether the
   * login session (refresh family) is still alive, and the user's role grants.
   */
  async findSessionPrincipal(ex: Executor, userId: string, familyId: string) {
    const row = await t(ex)
      .selectFrom('users as u')
      .innerJoin('refresh_token_families as f', 'f.user_id', 'u.id')
      .select([
        'u.id',
        'u.is_platform_admin',
        'f.revoked_at',
        'f.expires_at',
        sql<RoleGrant[]>`coalesce((
          SELECT json_agg(json_build_object('role', m.role, 'organizationId', m.organization_id, 'storeId', m.store_id))
          FROM memberships m WHERE m.user_id = u.id
        ), '[]'::json)`.as('grants'),
      ])
      .where('u.id', '=', userId)
      .where('f.id', '=', familyId)
      .executeTakeFirst();
    return row;
  },

  async grantsOf(ex: Executor, userId: string) {
    return t(ex)
      .selectFrom('memberships')
      .select(['role', 'organization_id', 'store_id'])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
  },

  // --- refresh token families -------------------------------------------------------------

  async insertFamily(ex: Executor, family: { id: string; userId: string; expiresAt: Date }) {
    await t(ex)
      .insertInto('refresh_token_families')
      .values({ id: family.id, user_id: family.userId, expires_at: family.expiresAt })
      .execute();
  },

  async insertRefreshToken(ex: Executor, token: { id: string; familyId: string; hash: Buffer }) {
    await t(ex)
      .insertInto('refresh_tokens')
      .values({ id: token.id, family_id: token.familyId, token_hash: token.hash })
      .execute();
  },

  /**
   * Marks the token rotated if, and only if, nobody rotated it before: the conditional update
   * is what makes two concurrent refreshes with one token produce exactly one winner.
   */
  async claimRefreshToken(ex: Executor, hash: Buffer) {
    return t(ex)
      .updateTable('refresh_tokens as r')
      .from('refresh_token_families as f')
      .set({ rotated_at: new Date() })
      .whereRef('f.id', '=', 'r.family_id')
      .where('r.token_hash', '=', hash)
      .where('r.rotated_at', 'is', null)
      .returning(['r.family_id', 'f.user_id', 'f.revoked_at', 'f.expires_at'])
      .executeTakeFirst();
  },

  async findRefreshToken(ex: Executor, hash: Buffer) {
    return t(ex)
      .selectFrom('refresh_tokens as r')
      .innerJoin('refresh_token_families as f', 'f.id', 'r.family_id')
      .select(['r.family_id', 'r.rotated_at', 'f.user_id', 'f.revoked_at'])
      .where('r.token_hash', '=', hash)
      .executeTakeFirst();
  },

  async revokeFamily(
    ex: Executor,
    familyId: string,
    reason: 'logout' | 'reuse_detected' | 'password_changed' | 'admin',
  ) {
    await t(ex)
      .updateTable('refresh_token_families')
      .set({ revoked_at: new Date(), revoked_reason: reason })
      .where('id', '=', familyId)
      .where('revoked_at', 'is', null)
      .execute();
  },

  async purgeDeadFamilies(ex: Executor, olderThan: Date) {
    const result = await t(ex)
      .deleteFrom('refresh_token_families')
      .where((eb) => eb.or([eb('expires_at', '<', olderThan), eb('revoked_at', '<', olderThan)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  },

  // --- memberships and invitations -----------------------------------------------------------

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
    let query = t(ex)
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select([
        'm.id',
        'm.user_id',
        'u.email',
        'u.name',
        'm.role',
        'm.store_id',
        'm.created_at',
        sql<boolean>`u.password_hash IS NULL`.as('invited'),
      ])
      .where('m.organization_id', '=', organizationId)
      .orderBy('m.id')
      .limit(limit + 1);
    if (afterId) query = query.where('m.id', '>', afterId);
    return query.execute();
  },

  async findMember(ex: Executor, organizationId: string, membershipId: string): Promise<MemberRow | undefined> {
    return t(ex)
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select([
        'm.id',
        'm.user_id',
        'u.email',
        'u.name',
        'm.role',
        'm.store_id',
        'm.created_at',
        sql<boolean>`u.password_hash IS NULL`.as('invited'),
      ])
      .where('m.organization_id', '=', organizationId)
      .where('m.id', '=', membershipId)
      .executeTakeFirst();
  },

  async deleteMembership(ex: Executor, membershipId: string) {
    await t(ex).deleteFrom('memberships').where('id', '=', membershipId).execute();
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

  async insertApiKey(
    ex: Executor,
    key: {
      id: string;
      organizationId: string;
      name: string;
      prefix: string;
      hash: Buffer;
      scopes: string[];
      createdBy: string | null;
    },
  ): Promise<ApiKeyRow> {
    return t(ex)
      .insertInto('api_keys')
      .values({
        id: key.id,
        organization_id: key.organizationId,
        name: key.name,
        prefix: key.prefix,
        secret_hash: key.hash,
        scopes: key.scopes,
        created_by: key.createdBy,
      })
      .returning(API_KEY_COLUMNS)
      .executeTakeFirstOrThrow();
  },

  async listApiKeys(ex: Executor, organizationId: string, limit: number, afterId: string | null): Promise<ApiKeyRow[]> {
    let query = t(ex)
      .selectFrom('api_keys')
      .select(API_KEY_COLUMNS)
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .limit(limit + 1);
    if (afterId) query = query.where('id', '>', afterId);
    return query.execute();
  },

  async revokeApiKey(ex: Executor, organizationId: string, apiKeyId: string) {
    const result = await t(ex)
      .updateTable('api_keys')
      .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
      .where('organization_id', '=', organizationId)
      .where('id', '=', apiKeyId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  async findActiveApiKey(ex: Executor, hash: Buffer) {
    return t(ex)
      .selectFrom('api_keys')
      .select(['id', 'organization_id', 'scopes'])
      .where('secret_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  },

  /** At most one write a minute per key: the hot path must not update a row on every call. */
  async touchApiKey(ex: Executor, apiKeyId: string) {
    await t(ex)
      .updateTable('api_keys')
      .set({ last_used_at: new Date() })
      .where('id', '=', apiKeyId)
      .where((eb) =>
        eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]),
      )
      .execute();
  },
};
