// Default-deny route guard. Every route declares `config.access`; the app refuses to become
// ready if one does not. Authentication runs in onRequest, before the body is even parsed.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../http/errors.js';
import type { Principal, StaffRole } from './principal.js';

/**
 * - `public`: anyone, no credentials read.
 * - `optional`: anyone; a bearer credential, when one is sent, is read (and a bad one is a 401),
 *   so the answer can depend on who asks (a quote with the customer's own promotions).
 * - `signed_in`: any signed-in person (customers included); API keys are refused.
 * - `{ roles, scopes }`: staff holding one of `roles` somewhere (the service then checks the
 *   organization/store of the resource), or an API key holding every one of `scopes`.
 * - `{ signed_in: true, scopes }`: any signed-in person, or an API key holding every one of
 *   `scopes` (customers and partners both place orders).
 */
export type Access =
  | 'public'
  | 'optional'
  | 'signed_in'
  | { roles: readonly StaffRole[]; scopes?: readonly string[] }
  | { signed_in: true; scopes: readonly string[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Turns a bearer credential into a principal, or throws UnauthenticatedError. */
export type Authenticate = (credential: string, request: FastifyRequest) => Promise<Principal>;

export interface AccessControlOptions {
  authenticate: Authenticate;
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new UnauthenticatedError('Authorization must be "Bearer <token>".', 'INVALID_CREDENTIALS');
  return match[1]!;
}

export function registerAccessControl(app: FastifyInstance, options: AccessControlOptions): void {
  const routes: RouteOptions[] = [];
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    routes.push(route);
  });

  app.addHook('onReady', async () => {
    const undeclared = routes.filter((route) => route.config?.access === undefined);
    if (undeclared.length > 0) {
      const names = undeclared.map((route) => `${String(route.method)} ${route.url}`).join(', ');
      throw new Error(
        `Routes without an access rule (config.access): ${names}. Every route must declare who may call it.`,
      );
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    // Unmatched routes (404 handler) have no access rule and read no credentials.
    if (access === undefined || access === 'public') return;
    const credential = bearer(request);
    if (credential === null) {
      if (access === 'optional') return;
      throw new UnauthenticatedError();
    }
    const principal = await options.authenticate(credential, request);
    request.principal = principal;
    if (access === 'optional') return;
    if (access === 'signed_in') {
      if (principal.kind !== 'user') throw new ForbiddenError('This route is for signed-in people, not API keys.');
      return;
    }
    if (principal.kind === 'api_key') {
      const scopes = access.scopes ?? [];
      if (scopes.length === 0 || !scopes.every((scope) => principal.scopes.includes(scope))) {
        throw new ForbiddenError(
          `This API key lacks the scope(s): ${scopes.join(', ') || '(none accepted)'}.`,
          'INSUFFICIENT_SCOPE',
        );
      }
      return;
    }
    if (principal.platformAdmin || 'signed_in' in access) return;
    if (!principal.grants.some((grant) => access.roles.includes(grant.role))) {
      throw new ForbiddenError();
    }
  });
}
