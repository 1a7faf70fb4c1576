// Identity owns people, their credentials and login sessions, their staff roles, and API keys.
// Other modules use `api` to grant roles; the app uses `authenticate` to turn bearer credentials into principals.
import type { Config } from '../../config/index.js';
import type { Authenticate } from '../../platform/auth/access.js';
import type { StaffRole } from '../../platform/auth/principal.js';
import type { AccessTokenIssuer } from '../../platform/auth/tokens.js';
import type { PersonalDataVault } from '../../platform/crypto/personal-data.js';
import type { Db, Tx } from '../../platform/db/index.js';
import { createEventAppender } from '../../platform/events/index.js';
import type { JobDefinition } from '../../platform/jobs/queue.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import { createAccountTokenService } from './account-tokens.js';
import { createApiKeyService } from './api-keys.js';
import { createCustomerSearch } from './customer-search.js';
import type { IdentityEventAppender, IdentityEvents } from './events.js';
import { createPasswordHasher } from './passwords.js';
import { createPersonalData, type CustomerOrdersPort } from './personal-data.js';
import { createPeopleSealing, usePeopleSealing } from './people-sealing.js';
import { identityRepo } from './repo.js';
import { identityRoutes } from './routes.js';
import { createSessionService } from './sessions.js';
import { createSignUp } from './sign-up.js';
import { createStaffService } from './staff.js';

export { API_KEY_SCOPES, type ApiKeyScope } from './schema.js';
export type { Grant } from './staff.js';
export type { IdentityEvents } from './events.js';

export interface IdentityDeps {
  db: Db;
  tokens: AccessTokenIssuer;
  auth: Config['auth'];
  production: boolean;
  /** Appends identity's domain events to the outbox (default: a plain appender). */
  events?: IdentityEventAppender;
  clock?: () => Date;
  /** A person's orders for their export and erasure (ordering, bound late in modules.ts). */
  customerOrders?: () => CustomerOrdersPort | null;
  /** What other modules keep about a person, erased with them (notifications, bound late in modules.ts). */
  forgetPerson?: (trx: Tx, person: { userId: string; email: string }) => Promise<void>;
  /** Seals people's names, emails and phones with the platform's data key (ADR 0025). */
  personalData: PersonalDataVault;
}

// Dead sessions, invitations and account tokens are kept a week after they end, for support questions.
const RETENTION_MS = 7 * 24 * 3600 * 1000;

export function createIdentityModule(deps: IdentityDeps) {
  usePeopleSealing(createPeopleSealing(deps.personalData));
  const passwords = createPasswordHasher(deps.auth.passwordHashing);
  const sessions = createSessionService({
    db: deps.db,
    tokens: deps.tokens,
    passwords,
    refreshTtlSeconds: deps.auth.refreshTokenTtlSeconds,
    refuseDemoAccounts: deps.production,
    clock: deps.clock,
  });
  const staff = createStaffService({
    db: deps.db,
    sessions,
    hashPasswords: passwords.hash,
    events: deps.events ?? createEventAppender<IdentityEvents>(),
    clock: deps.clock,
  });
  const apiKeys = createApiKeyService({ db: deps.db });
  const customers = createCustomerSearch({ db: deps.db });
  const personalData = createPersonalData({
    db: deps.db,
    passwords,
    events: deps.events ?? createEventAppender<IdentityEvents>(),
    orders: deps.customerOrders ?? (() => null),
    forgetElsewhere: (trx, person) => deps.forgetPerson?.(trx, person) ?? Promise.resolve(),
    clock: deps.clock,
  });
  const accountTokens = createAccountTokenService({ db: deps.db, passwords, clock: deps.clock });
  const signUp = createSignUp({
    db: deps.db,
    passwords,
    accountTokens,
    events: deps.events ?? createEventAppender<IdentityEvents>(),
    clock: deps.clock,
  });

  const jobs: JobDefinition[] = [
    {
      name: 'identity.purge-ended-sessions',
      policy: 'singleton',
      cron: '17 * * * *',
      handler: async () => {
        const cutoff = new Date(Date.now() - RETENTION_MS);
        await identityRepo.purgeDeadFamilies(deps.db, cutoff);
        await identityRepo.purgeStaleInvitations(deps.db, cutoff);
        await identityRepo.purgeDeadAccountTokens(deps.db, cutoff);
      },
    },
    {
      // After a data key rotation, and for rows from before the sealing (ADR 0025).
      name: 'identity.reseal-people',
      policy: 'singleton',
      cron: '47 * * * *',
      handler: async () => {
        await identityRepo.resealPeople(deps.db);
      },
    },
  ];

  const authenticate: Authenticate = (credential) => sessions.authenticate(credential);
  const surface: ModuleSurface = {
    routes: identityRoutes({ sessions, staff, apiKeys, customers, signUp, accountTokens, personalData }),
    jobs,
  };

  return {
    ...surface,
    authenticate,
    /** What other modules, the demo seed and test factories may call. */
    api: {
      createUser: sessions.createUser,
      startSession: sessions.startSession,
      grantRole: staff.grantRole,
      deleteUsersByEmail: identityRepo.deleteUsersByEmail,
      /** A person's contact phone (free format), sealed with their other fields; null removes it. */
      setPhone: async (ex: Db, userId: string, phone: string | null) => {
        const user = await identityRepo.findUserById(ex, userId);
        if (!user) throw new Error(`No user ${userId}`);
        await identityRepo.writePersonalFields(ex, userId, { name: user.name, email: user.email, phone });
      },
      /** Where to write to a person (notifications): their email and name; null when unknown or erased. */
      contactOf: async (ex: Db, userId: string): Promise<{ email: string; name: string } | null> => {
        const user = await identityRepo.findUserById(ex, userId);
        const erased = (user as { erased_at?: Date | null } | undefined)?.erased_at ?? null;
        if (!user || erased !== null || !user.email) return null;
        return { email: user.email, name: user.name };
      },
      /** The organization's owners' ids (who is told when something of the brand needs a person). */
      ownerIdsOf: (ex: Db, organizationId: string) => identityRepo.ownerIds(ex, organizationId),
      /** Who holds one of these roles at a store (its own staff and the brand's), to tell them something. */
      staffIdsAt: (ex: Db, organizationId: string, storeId: string, roles: StaffRole[]) =>
        identityRepo.staffIdsAt(ex, organizationId, storeId, roles),
      /** Makes a person a customer of an organization (from each order placed, wired in modules.ts). */
      recordCustomer: customers.recordCustomer,
    },
  };
}

export type IdentityModule = ReturnType<typeof createIdentityModule>;
export type IdentityApi = IdentityModule['api'];
