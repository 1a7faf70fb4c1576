// HTTP surface of identity: thin handlers, schemas in and out, services do the work. Two
// surfaces: signing in and the signed-in person (auth-routes.ts, with email verification and
// password reset in account-routes.ts), an organization's people and keys (organization-routes.ts).
import type { FastifyInstance } from 'fastify';
import { registerAccountRoutes } from './account-routes.js';
import type { AccountTokenService } from './account-tokens.js';
import type { ApiKeyService } from './api-keys.js';
import { registerAuthRoutes } from './auth-routes.js';
import type { CustomerSearch } from './customer-search.js';
import { registerOrganizationRoutes } from './organization-routes.js';
import type { PersonalData } from './personal-data.js';
import { registerPersonalDataRoutes } from './personal-data-routes.js';
import type { SessionService } from './sessions.js';
import type { SignUp } from './sign-up.js';
import type { StaffService } from './staff.js';

const NO_STORE = 'private, no-store';

export function identityRoutes(services: {
  sessions: SessionService;
  staff: StaffService;
  apiKeys: ApiKeyService;
  customers: CustomerSearch;
  signUp: SignUp;
  accountTokens: AccountTokenService;
  personalData: PersonalData;
}) {
  return async function routes(instance: FastifyInstance) {
    // Provided by the platform rate limiter (memory or Redis, shared across nodes).
    const lockout = instance.loginLockout;
    if (!lockout)
      throw new Error('identity routes need the login lockout: call registerRateLimits before registering modules');
    // Responses here carry tokens or personal data: never cache them anywhere.
    instance.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', NO_STORE);
    });
    const mailLimit = instance.accountMailLimit;
    registerAuthRoutes(instance, { ...services, lockout, mailLimit });
    registerAccountRoutes(instance, { ...services, lockout, mailLimit });
    registerOrganizationRoutes(instance, services);
    registerPersonalDataRoutes(instance, services);
  };
}
