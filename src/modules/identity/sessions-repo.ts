// SQL for sign-in sessions: refresh-token families and their rotating tokens (a reused token
// revokes its whole family).
import { t, type Executor } from './tables.js';

export const sessionsRepo = {
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

  /** Ends every live session of the account (its password changed): each refresh token and access token stops working. */
  async revokeFamiliesOfUser(ex: Executor, userId: string, reason: 'password_changed' | 'admin') {
    await t(ex)
      .updateTable('refresh_token_families')
      .set({ revoked_at: new Date(), revoked_reason: reason })
      .where('user_id', '=', userId)
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
};
