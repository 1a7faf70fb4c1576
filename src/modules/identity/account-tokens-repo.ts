// SQL for account tokens (email verification, password reset) and the verified mark they set on
// an account. Tokens are stored as SHA-256 hashes; using one is a conditional update, so of two
// requests presenting the same token exactly one gets it.
import { sql } from 'kysely';
import { t, type AccountTokenPurpose, type Executor } from './tables.js';

export const accountTokensRepo = {
  /**
   * Issues a token for the account `userId`, if there is one: an INSERT … SELECT from users, so
   * a decoy id (password reset for an unknown email) runs the same statement and inserts nothing.
   * Returns whether a token was issued.
   */
  async insertAccountToken(
    ex: Executor,
    token: { id: string; userId: string; purpose: AccountTokenPurpose; hash: Buffer; expiresAt: Date },
  ): Promise<boolean> {
    const inserted = await t(ex)
      .insertInto('account_tokens')
      .columns(['id', 'user_id', 'purpose', 'token_hash', 'expires_at'])
      .expression((eb) =>
        eb
          .selectFrom('users')
          .select([
            sql<string>`${token.id}::uuid`.as('id'),
            'users.id as user_id',
            sql<AccountTokenPurpose>`${token.purpose}::text`.as('purpose'),
            sql<Buffer>`${token.hash}::bytea`.as('token_hash'),
            sql<Date>`${token.expiresAt}::timestamptz`.as('expires_at'),
          ])
          .where('users.id', '=', token.userId),
      )
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  },

  /** Ends the account's live tokens of `purpose` (a newer one replaces them, or the password changed). */
  async endLiveAccountTokens(
    ex: Executor,
    userId: string,
    purpose: AccountTokenPurpose | 'all',
    reason: 'superseded' | 'password_changed' | 'account_erased',
  ) {
    let live = t(ex)
      .updateTable('account_tokens')
      .set({ ended_at: new Date(), ended_reason: reason })
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null);
    if (purpose !== 'all') live = live.where('purpose', '=', purpose);
    await live.execute();
  },

  /**
   * Uses the token if, and only if, it is live: right purpose, not ended, not expired. Two
   * concurrent uses queue on the row lock, and the second finds `ended_at` set: one winner.
   */
  async useAccountToken(ex: Executor, hash: Buffer, purpose: AccountTokenPurpose, now: Date) {
    return t(ex)
      .updateTable('account_tokens')
      .set({ ended_at: now, ended_reason: 'used' })
      .where('token_hash', '=', hash)
      .where('purpose', '=', purpose)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['user_id'])
      .executeTakeFirst();
  },

  /** The first proof that the person reads mail at the address counts; later ones keep that moment. */
  async markEmailVerified(ex: Executor, userId: string, at: Date) {
    await t(ex)
      .updateTable('users')
      .set({ email_verified_at: sql<Date>`coalesce(email_verified_at, ${at})` })
      .where('id', '=', userId)
      .execute();
  },

  async purgeDeadAccountTokens(ex: Executor, olderThan: Date) {
    const result = await t(ex)
      .deleteFrom('account_tokens')
      .where((eb) => eb.or([eb('expires_at', '<', olderThan), eb('ended_at', '<', olderThan)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  },
};
