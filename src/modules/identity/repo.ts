// The identity repository as the module's services take it: SQL for the identity tables only,
// one file per aggregate, joined here. Every method takes the executor to run on, so services
// decide what shares a transaction.
//   accounts-repo.ts   users, passwords, a session's principal and role grants
//   sessions-repo.ts   refresh-token families and tokens
//   account-tokens-repo.ts  email verification and password reset tokens
//   staff-repo.ts      memberships and invitations
//   api-keys-repo.ts   API keys
//   tables.ts          the tables' and rows' shapes
import { accountTokensRepo } from './account-tokens-repo.js';
import { accountsRepo } from './accounts-repo.js';
import { apiKeysRepo } from './api-keys-repo.js';
import { sessionsRepo } from './sessions-repo.js';
import { staffRepo } from './staff-repo.js';

export type { ApiKeyRow, Executor, MemberRow, UserRow } from './tables.js';

export const identityRepo = { ...accountsRepo, ...sessionsRepo, ...staffRepo, ...apiKeysRepo, ...accountTokensRepo };
