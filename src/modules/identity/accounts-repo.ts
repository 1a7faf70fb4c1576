// SQL for people's accounts: users by email or id, their passwords, and what a signed-in
// session may do (its principal and its role grants).
import { sql } from 'kysely';
import type { RoleGrant } from '../../platform/auth/principal.js';
import { t, type Executor } from './tables.js';

export const accountsRepo = {
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
      // An erased account (DELETE /v1/me) never gets a password again, whatever token was out.
      .where(sql<boolean>`erased_at IS NULL`)
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
};
