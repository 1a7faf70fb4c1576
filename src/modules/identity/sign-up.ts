// Sign-up that does not tell whether an email has an account. A new address gets its account
// and a verification link; an address already in use gets the same 201 and the same shape (a
// user with a fresh id that is never stored, and the submitted name and email), the same
// password hashing, and its owner a notice by mail instead. Nothing about the existing account
// changes: its password stays, so logging in with the submitted one fails. ADR 0023.
import { v7 as uuidv7 } from 'uuid';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { sendMessage } from '../../platform/messages/index.js';
import { ACCOUNT_TEMPLATES, type AccountTokenService } from './account-tokens.js';
import type { PasswordHasher } from './passwords.js';
import { userAggregate, type IdentityEventAppender } from './events.js';
import { identityRepo as repo } from './repo.js';

export interface SignUpDeps {
  db: Db;
  passwords: PasswordHasher;
  accountTokens: Pick<AccountTokenService, 'sendVerification'>;
  /** The sign-up's event (loyalty programs that enrol new customers join them from it). */
  events: IdentityEventAppender;
  clock?: () => Date;
}

export interface SignedUp {
  id: string;
  email: string;
  name: string;
  created_at: Date;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}

export function createSignUp(deps: SignUpDeps) {
  const now = deps.clock ?? (() => new Date());

  return {
    /**
     * `notifyExisting`: whether an existing account may be mailed the notice now (the caller
     * asks the per-address limit for every sign-up alike, so the limit tells nothing either).
     */
    async register(
      input: { email: string; password: string; name: string },
      options: { notifyExisting: boolean },
    ): Promise<SignedUp> {
      // Either way: the hash is most of the work, so the answer takes as long for both.
      const passwordHash = await deps.passwords.hash(input.password);
      // Two sign-ups of one new address race to the unique index: the loser runs again and takes
      // the existing-account path, so it too answers 201.
      for (let attempt = 1; ; attempt++) {
        try {
          return await inTransaction(deps.db, async (trx) => {
            const existing = await repo.findUserByEmail(trx, input.email);
            if (existing) {
              if (options.notifyExisting) {
                await sendMessage(trx, {
                  channel: 'email',
                  to: existing.email,
                  template: ACCOUNT_TEMPLATES.signUpAttempted,
                  data: { name: existing.name, attempted_at: now().toISOString() },
                });
              }
              // A stand-in for the answer only: this id is stored nowhere.
              return { id: uuidv7(), email: input.email, name: input.name, created_at: now() };
            }
            const user = await repo.insertUser(trx, {
              id: uuidv7(),
              email: input.email,
              name: input.name,
              passwordHash,
            });
            await deps.accountTokens.sendVerification(trx, user);
            await deps.events.append(trx, {
              type: 'identity.user.signed_up',
              aggregate: userAggregate(user.id),
              data: { user_id: user.id },
            });
            return { id: user.id, email: user.email, name: user.name, created_at: user.created_at };
          });
        } catch (error) {
          if (attempt === 1 && isUniqueViolation(error)) continue;
          throw error;
        }
      }
    },
  };
}

export type SignUp = ReturnType<typeof createSignUp>;
