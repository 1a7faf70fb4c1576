// Proving an email address and resetting a forgotten password, with account tokens: 32 random
// bytes (base64url) mailed to the address, stored only as SHA-256 hashes, single use, short-lived
// (verification 24 h, reset 30 min), and a new one of a purpose ends the older unused ones.
// Every way a token can fail (unknown, used, expired, superseded, for the other purpose) is the
// same INVALID_ACCOUNT_TOKEN, so an answer never tells which. ADR 0023.
import { createHash, randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import { AppError, ConflictError, NotFoundError } from '../../platform/http/errors.js';
import { sendMessage } from '../../platform/messages/index.js';
import type { PasswordHasher } from './passwords.js';
import { identityRepo as repo } from './repo.js';
import type { AccountTokenPurpose } from './tables.js';

export const VERIFICATION_TTL_MS = 24 * 3600 * 1000;
export const RESET_TTL_MS = 30 * 60 * 1000;

/** The message templates identity sends (rendered per locale once notifications exist, issue 17). */
export const ACCOUNT_TEMPLATES = {
  verification: 'identity.email_verification',
  reset: 'identity.password_reset',
  passwordChanged: 'identity.password_changed',
  signUpAttempted: 'identity.sign_up_attempted',
} as const;

export class InvalidAccountTokenError extends AppError {
  constructor() {
    super(
      400,
      'INVALID_ACCOUNT_TOKEN',
      'Invalid token',
      'This link is not valid: it may have been used, replaced by a newer one, or expired. Ask for a new one.',
    );
  }
}

const hashToken = (token: string) => createHash('sha256').update(token).digest();

export interface AccountTokenDeps {
  db: Db;
  passwords: PasswordHasher;
  clock?: () => Date;
}

export function createAccountTokenService(deps: AccountTokenDeps) {
  const now = deps.clock ?? (() => new Date());

  /**
   * Mints a token of `purpose` for `userId` (or for nobody, when `userId` is a decoy: the same
   * statements run and nothing is inserted), ending the older live ones. Returns the token when
   * one was issued.
   */
  async function issue(trx: Tx, userId: string, purpose: AccountTokenPurpose, ttlMs: number) {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now().getTime() + ttlMs);
    await repo.endLiveAccountTokens(trx, userId, purpose, 'superseded');
    const issued = await repo.insertAccountToken(trx, {
      id: uuidv7(),
      userId,
      purpose,
      hash: hashToken(token),
      expiresAt,
    });
    return issued ? { token, expiresAt } : null;
  }

  /** Mails `account` a link proving its address; in the caller's transaction (sign-up's, a resend's). */
  async function sendVerification(trx: Tx, account: { id: string; email: string; name: string }) {
    const issued = await issue(trx, account.id, 'email_verification', VERIFICATION_TTL_MS);
    if (!issued) throw new NotFoundError('user');
    await sendMessage(trx, {
      channel: 'email',
      to: account.email,
      template: ACCOUNT_TEMPLATES.verification,
      data: { name: account.name, token: issued.token, expires_at: issued.expiresAt.toISOString() },
    });
  }

  return {
    sendVerification,

    /** Marks the token's account verified. */
    async verifyEmail(token: string): Promise<void> {
      await inTransaction(deps.db, async (trx) => {
        const at = now();
        const used = await repo.useAccountToken(trx, hashToken(token), 'email_verification', at);
        if (!used) throw new InvalidAccountTokenError();
        await repo.markEmailVerified(trx, used.user_id, at);
      });
    },

    /**
     * A new verification link for a signed-in person whose address is not verified yet.
     * `mayMail` is asked first with the account's address (the per-address and per-IP limits).
     */
    async resendVerification(userId: string, mayMail: (email: string) => Promise<void>): Promise<void> {
      const account = await repo.findUserById(deps.db, userId);
      if (!account) throw new NotFoundError('user');
      if (account.email_verified_at !== null)
        throw new ConflictError('EMAIL_ALREADY_VERIFIED', 'This email address is already verified.');
      await mayMail(account.email);
      await inTransaction(deps.db, (trx) => sendVerification(trx, account));
    },

    /**
     * Mails a reset link when an account uses `email`, and does the same work when none does:
     * the same lookup, the same token minting and statements (on a decoy id that matches
     * nothing), so neither the answer nor its timing says whether the account exists. The one
     * difference is the message insert, inside an open transaction.
     */
    async requestPasswordReset(email: string): Promise<void> {
      const account = await repo.findUserByEmail(deps.db, email);
      await inTransaction(deps.db, async (trx) => {
        const issued = await issue(trx, account?.id ?? uuidv7(), 'password_reset', RESET_TTL_MS);
        if (!account || !issued) return;
        await sendMessage(trx, {
          channel: 'email',
          to: account.email,
          template: ACCOUNT_TEMPLATES.reset,
          data: { name: account.name, token: issued.token, expires_at: issued.expiresAt.toISOString() },
        });
      });
    },

    /**
     * Sets the new password with a reset token: uses the token, ends every session of the account
     * (whoever knew the old password is signed out) and every other reset link, marks the address
     * verified (the link was read there) and tells the account its password changed. Returns the
     * account's email (the login lockout forgets its failures).
     */
    async confirmPasswordReset(token: string, password: string): Promise<{ email: string }> {
      // Hashed before the transaction: no row lock is held through argon2.
      const passwordHash = await deps.passwords.hash(password);
      return inTransaction(deps.db, async (trx) => {
        const at = now();
        const used = await repo.useAccountToken(trx, hashToken(token), 'password_reset', at);
        if (!used) throw new InvalidAccountTokenError();
        const account = await repo.findUserById(trx, used.user_id);
        if (!account) throw new InvalidAccountTokenError();
        await repo.setPassword(trx, account.id, passwordHash);
        await repo.revokeFamiliesOfUser(trx, account.id, 'password_changed');
        await repo.endLiveAccountTokens(trx, account.id, 'password_reset', 'password_changed');
        await repo.markEmailVerified(trx, account.id, at);
        await sendMessage(trx, {
          channel: 'email',
          to: account.email,
          template: ACCOUNT_TEMPLATES.passwordChanged,
          data: { name: account.name, changed_at: at.toISOString() },
        });
        return { email: account.email };
      });
    },
  };
}

export type AccountTokenService = ReturnType<typeof createAccountTokenService>;
