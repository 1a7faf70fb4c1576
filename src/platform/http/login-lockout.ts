// Per-account brute-force protection for login: failures per account in a window of
// lockoutSeconds; the failure that reaches lockoutAttempts locks the account for lockoutSeconds
// from that moment. Keys are hashes of the account identifier, so the store never holds an email
// address. A store failure never blocks a login: it is logged and the attempt goes on.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { Config } from '../../config/index.js';
import { AppError } from './errors.js';
import type { CounterStore } from './rate-limit-store.js';

export class AccountLockedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(
      429,
      'ACCOUNT_LOCKED',
      'Too many requests',
      `Too many failed logins for this account; try again in ${retryAfterSeconds} s.`,
      undefined,
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}

export interface AccountLockout {
  /** Throws ACCOUNT_LOCKED (429 with Retry-After) while the account is locked. */
  assertNotLocked(account: string): Promise<void>;
  /** Counts a failed login; `locked` is true when this very failure locked the account. */
  recordFailure(account: string): Promise<{ locked: boolean; failures: number; lockedSeconds: number }>;
  /** A successful login forgets earlier failures. */
  reset(account: string): Promise<void>;
  /** A stable pseudonym for logs (a hash prefix): never the identifier itself. */
  reference(account: string): string;
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function createLoginLockout(options: {
  limits: Pick<Config['rateLimits'], 'lockoutAttempts' | 'lockoutSeconds'>;
  keyPrefix: string;
  store: CounterStore;
  logger: Logger;
  /** Counts each refused attempt (policy account_lockout). */
  rejections: Counter<'policy' | 'subject'>;
}): { loginLockout: AccountLockout; lockouts: Counter } {
  const { limits, store, logger, rejections } = options;
  const lockouts = new Counter({
    name: 'login_lockouts_total',
    help: 'Accounts locked after repeated failed logins',
    registers: [],
  });
  const { lockoutAttempts: attempts, lockoutSeconds } = limits;
  const failures = store.limiter(
    { keyPrefix: `${options.keyPrefix}:lockout`, points: attempts, duration: lockoutSeconds },
    false,
  );
  const loginLockout: AccountLockout = {
    async assertNotLocked(account) {
      const state = await failures.get(digest(account)).catch((error: unknown) => {
        logger.error({ err: error }, 'login lockout store failed; attempt allowed');
        return null;
      });
      if (state !== null && state.consumedPoints >= attempts) {
        rejections.inc({ policy: 'account_lockout', subject: 'account' });
        throw new AccountLockedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
      }
    },
    async recordFailure(account) {
      const key = digest(account);
      try {
        const state = await failures.penalty(key, 1);
        // Exactly one failure reaches the threshold, even when several race (the count is atomic).
        const locked = state.consumedPoints === attempts;
        if (locked) {
          await failures.block(key, lockoutSeconds);
          lockouts.inc();
        }
        return { locked, failures: state.consumedPoints, lockedSeconds: lockoutSeconds };
      } catch (error) {
        logger.error({ err: error }, 'login lockout store failed; failure not counted');
        return { locked: false, failures: 0, lockedSeconds: lockoutSeconds };
      }
    },
    async reset(account) {
      await failures
        .delete(digest(account))
        .catch((error: unknown) => logger.error({ err: error }, 'login lockout store failed; failures not reset'));
    },
    reference(account) {
      return digest(account).slice(0, 16);
    },
  };

  return { loginLockout, lockouts };
}
