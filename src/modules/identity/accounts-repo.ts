// SQL for people's accounts: users by email or id, their passwords, and what a signed-in
// session may do (its principal and its role grants).
import { sql } from 'kysely';
import type { RoleGrant } from '../../platform/auth/principal.js';
import { normalizeEmail, peopleSealing, type PersonalFields, type StoredPerson } from './people-sealing.js';
import { t, type Executor, type UserRow } from './tables.js';

/** A users row as stored: personal fields sealed (or, before the sealing, in the plain columns). */
type StoredUser = Omit<UserRow, 'email' | 'name'> & {
  email: string | null;
  name: string | null;
  phone: string | null;
  personal_sealed: Buffer | null;
  email_index: Buffer | null;
  search_tokens: string[];
};

/** The row with its personal fields opened, in the shape the services have always read. */
async function opened(ex: Executor, row: StoredUser | undefined) {
  if (!row) return undefined;
  const { personal_sealed: _sealed, email_index: _index, search_tokens: _tokens, ...rest } = row;
  const fields = await peopleSealing().open(ex, row);
  return { ...rest, email: fields.email, name: fields.name, phone: fields.phone } as UserRow & {
    phone: string | null;
  };
}

/** Legacy rows (plain email, no blind index yet) still match by their plain column. */
const byEmailIndex = (index: Buffer, email: string) =>
  sql<boolean>`(email_index = ${index} OR (email_index IS NULL AND lower(email) = ${normalizeEmail(email)}))`;

export const accountsRepo = {
  async insertUser(ex: Executor, user: { id: string; email: string; name: string; passwordHash: string | null }) {
    const sealed = await peopleSealing().seal(ex, user.id, { name: user.name, email: user.email, phone: null });
    const { rows } = await sql<StoredUser>`
      INSERT INTO users (id, password_hash, personal_sealed, email_index, search_tokens)
      VALUES (${user.id}, ${user.passwordHash}, ${sealed.personal_sealed}, ${sealed.email_index}, ${sealed.search_tokens})
      RETURNING *
    `.execute(ex);
    return (await opened(ex, rows[0]))!;
  },

  async findUserByEmail(ex: Executor, email: string) {
    const index = await peopleSealing().emailIndex(ex, email);
    const { rows } = await sql<StoredUser>`SELECT * FROM users WHERE ${byEmailIndex(index, email)}`.execute(ex);
    return opened(ex, rows[0]);
  },

  async findUserById(ex: Executor, id: string) {
    const { rows } = await sql<StoredUser>`SELECT * FROM users WHERE id = ${id}`.execute(ex);
    return opened(ex, rows[0]);
  },

  /** Seals the person's fields anew (a new name, a phone, a newer data key, a row from before the sealing). */
  async writePersonalFields(ex: Executor, userId: string, fields: PersonalFields) {
    const sealed = await peopleSealing().seal(ex, userId, fields);
    await sql`
      UPDATE users SET personal_sealed = ${sealed.personal_sealed}, email_index = ${sealed.email_index},
        search_tokens = ${sealed.search_tokens}, email = NULL, name = NULL, phone = NULL, updated_at = now()
      WHERE id = ${userId}
    `.execute(ex);
  },

  async setPassword(ex: Executor, userId: string, passwordHash: string, name?: string) {
    if (name) {
      const user = await accountsRepo.findUserById(ex, userId);
      if (user) await accountsRepo.writePersonalFields(ex, userId, { name, email: user.email, phone: user.phone });
    }
    await t(ex)
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: new Date() })
      .where('id', '=', userId)
      // An erased account (DELETE /v1/me) never gets a password again, whatever token was out.
      .where(sql<boolean>`erased_at IS NULL`)
      .execute();
  },

  /** Users in id order after `afterId` (the re-encryption job's pass), with what their fields are stored as. */
  async peopleAfter(ex: Executor, afterId: string | null, limit: number) {
    const after = afterId === null ? sql`true` : sql`id > ${afterId}`;
    const { rows } = await sql<StoredPerson>`
      SELECT id, personal_sealed, email, name, phone FROM users WHERE ${after} ORDER BY id LIMIT ${limit}
    `.execute(ex);
    return rows;
  },

  /**
   * One pass of the re-encryption job: rows from before the sealing are sealed, rows sealed
   * with an older platform data key re-sealed with the newest. Returns how many were rewritten.
   */
  async resealPeople(ex: Executor): Promise<number> {
    const sealing = peopleSealing();
    let afterId: string | null = null;
    let rewritten = 0;
    for (;;) {
      const rows = await accountsRepo.peopleAfter(ex, afterId, 200);
      if (rows.length === 0) return rewritten;
      for (const row of rows) {
        if (!(await sealing.isStale(ex, row))) continue;
        await accountsRepo.writePersonalFields(ex, row.id, await sealing.open(ex, row));
        rewritten++;
      }
      afterId = rows[rows.length - 1]!.id;
    }
  },

  async deleteUsersByEmail(ex: Executor, emails: string[]) {
    for (const email of emails) {
      const index = await peopleSealing().emailIndex(ex, email);
      await sql`DELETE FROM users WHERE ${byEmailIndex(index, email)}`.execute(ex);
    }
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
