// Accounts and sessions: create accounts (sign-up itself is sign-up.ts), log in, refresh
// (rotation with reuse detection), log out, and turning a bearer credential into a principal.
import { v7 as uuidv7 } from 'uuid';
import type { Principal, UserPrincipal } from '../../platform/auth/principal.js';
import type { AccessTokenIssuer } from '../../platform/auth/tokens.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { ConflictError, NotFoundError, UnauthenticatedError } from '../../platform/http/errors.js';
import type { PasswordHasher } from './passwords.js';
import { identityRepo as repo, type Executor } from './repo.js';
import { API_KEY_PREFIX, hashSecret, mintSecret, REFRESH_PREFIX } from './secrets.js';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface SessionDeps {
  db: Db;
  tokens: AccessTokenIssuer;
  passwords: PasswordHasher;
  refreshTtlSeconds: number;
  /** Production refuses the demo accounts, whose passwords are public. */
  refuseDemoAccounts: boolean;
  clock?: () => Date;
}

const DEMO_DOMAIN = '@demo.brigade.test';

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}

export function createSessionService(deps: SessionDeps) {
  const now = deps.clock ?? (() => new Date());

  async function issue(ex: Executor, userId: string, familyId: string): Promise<TokenPair> {
    const refreshToken = mintSecret(REFRESH_PREFIX);
    await repo.insertRefreshToken(ex, { id: uuidv7(), familyId, hash: hashSecret(refreshToken) });
    return {
      access_token: await deps.tokens.sign({ sub: userId, sid: familyId }),
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: deps.tokens.ttlSeconds,
    };
  }

  async function startSession(ex: Executor, userId: string): Promise<TokenPair> {
    const familyId = uuidv7();
    await repo.insertFamily(ex, {
      id: familyId,
      userId,
      expiresAt: new Date(now().getTime() + deps.refreshTtlSeconds * 1000),
    });
    return issue(ex, userId, familyId);
  }

  return {
    startSession,

    async createUser(ex: Executor, input: { email: string; password: string | null; name: string }) {
      const passwordHash = input.password === null ? null : await deps.passwords.hash(input.password);
      try {
        return await repo.insertUser(ex, { id: uuidv7(), email: input.email, name: input.name, passwordHash });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ConflictError('EMAIL_TAKEN', 'An account with this email already exists.');
        throw error;
      }
    },

    async login(email: string, password: string): Promise<TokenPair> {
      if (deps.refuseDemoAccounts && email.toLowerCase().endsWith(DEMO_DOMAIN)) {
        throw new UnauthenticatedError('Email or password is wrong.', 'INVALID_CREDENTIALS');
      }
      const user = await repo.findUserByEmail(deps.db, email);
      const valid = await deps.passwords.verify(user?.password_hash ?? null, password);
      if (!user || !valid) throw new UnauthenticatedError('Email or password is wrong.', 'INVALID_CREDENTIALS');
      return inTransaction(deps.db, (trx) => startSession(trx, user.id));
    },

    async refresh(refreshToken: string): Promise<TokenPair> {
      const hash = hashSecret(refreshToken);
      const outcome = await inTransaction(deps.db, async (trx) => {
        const claimed = await repo.claimRefreshToken(trx, hash);
        if (claimed) {
          if (claimed.revoked_at !== null || claimed.expires_at <= now()) return { kind: 'dead' as const };
          return { kind: 'rotated' as const, pair: await issue(trx, claimed.user_id, claimed.family_id) };
        }
        const known = await repo.findRefreshToken(trx, hash);
        if (!known) return { kind: 'unknown' as const };
        // A rotated token presented again: someone holds a copy. Revoke the whole family so
        // neither the thief nor the victim can go on; the victim logs in again.
        await repo.revokeFamily(trx, known.family_id, 'reuse_detected');
        return { kind: 'reused' as const };
      });
      switch (outcome.kind) {
        case 'rotated':
          return outcome.pair;
        case 'reused':
          throw new UnauthenticatedError(
            'This refresh token was already used; the session has been revoked. Log in again.',
            'REFRESH_TOKEN_REUSED',
          );
        default:
          throw new UnauthenticatedError('The refresh token is not valid or has expired.', 'INVALID_REFRESH_TOKEN');
      }
    },

    async logout(refreshToken: string): Promise<void> {
      const known = await repo.findRefreshToken(deps.db, hashSecret(refreshToken));
      // Logging out with an unknown token is not an error: the session is gone either way.
      if (known) await repo.revokeFamily(deps.db, known.family_id, 'logout');
    },

    async me(principal: UserPrincipal) {
      const user = await repo.findUserById(deps.db, principal.userId);
      if (!user) throw new NotFoundError('user');
      return { user, grants: await repo.grantsOf(deps.db, user.id) };
    },

    async authenticate(credential: string): Promise<Principal> {
      if (credential.startsWith(API_KEY_PREFIX)) {
        const key = await repo.findActiveApiKey(deps.db, hashSecret(credential));
        if (!key) throw new UnauthenticatedError('The API key is not valid or was revoked.', 'INVALID_API_KEY');
        await repo.touchApiKey(deps.db, key.id);
        return { kind: 'api_key', apiKeyId: key.id, organizationId: key.organization_id, scopes: key.scopes };
      }
      const claims = await deps.tokens.verify(credential);
      const session = await repo.findSessionPrincipal(deps.db, claims.sub, claims.sid);
      // Logout and reuse detection take effect at once, not when the access token expires.
      if (!session || session.revoked_at !== null)
        throw new UnauthenticatedError('The session has ended; log in again.', 'SESSION_REVOKED');
      return { kind: 'user', userId: session.id, platformAdmin: session.is_platform_admin, grants: session.grants };
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
