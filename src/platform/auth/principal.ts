// Who is calling. Built by the identity module's authenticator, read by route guards and
// services. Platform code only knows this shape, never the identity tables.
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../http/errors.js';

export const STAFF_ROLES = ['owner', 'manager', 'staff', 'courier'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface RoleGrant {
  role: StaffRole;
  organizationId: string;
  /** null: the role holds in every store of the organization. */
  storeId: string | null;
}

export interface UserPrincipal {
  kind: 'user';
  userId: string;
  platformAdmin: boolean;
  grants: RoleGrant[];
}

export interface ApiKeyPrincipal {
  kind: 'api_key';
  apiKeyId: string;
  organizationId: string;
  scopes: string[];
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

export interface Place {
  organizationId: string;
  storeId?: string | null;
}

function grantCovers(grant: RoleGrant, place: Place): boolean {
  if (grant.organizationId !== place.organizationId) return false;
  if (grant.storeId === null) return true;
  // A store-level grant never covers organization-level actions.
  return place.storeId != null && grant.storeId === place.storeId;
}

/** True when the principal has any relation to the organization (used to pick 403 vs 404). */
export function belongsTo(principal: Principal | null, organizationId: string): boolean {
  if (!principal) return false;
  if (principal.kind === 'api_key') return principal.organizationId === organizationId;
  return principal.platformAdmin || principal.grants.some((grant) => grant.organizationId === organizationId);
}

/**
 * May the principal act at this place with one of these roles (users) or all these scopes
 * (API keys)? A store-level grant covers only its store; an org-level grant covers every store
 * and the organization itself. Platform admins may act anywhere.
 */
export function mayActAt(
  principal: Principal | null,
  place: Place,
  roles: readonly StaffRole[],
  scopes: readonly string[] = [],
): boolean {
  if (!principal) return false;
  if (principal.kind === 'api_key') {
    return (
      principal.organizationId === place.organizationId &&
      scopes.length > 0 &&
      scopes.every((scope) => principal.scopes.includes(scope))
    );
  }
  if (principal.platformAdmin) return true;
  return principal.grants.some((grant) => roles.includes(grant.role) && grantCovers(grant, place));
}

/**
 * Throws the right error when the principal may not act at the place: 404 when it has no
 * relation to the organization at all (never reveal that the resource exists), 403 otherwise.
 */
export function assertMayActAt(
  principal: Principal | null,
  place: Place,
  roles: readonly StaffRole[],
  scopes: readonly string[] = [],
  what = 'resource',
): void {
  if (!principal) throw new UnauthenticatedError();
  if (mayActAt(principal, place, roles, scopes)) return;
  if (!belongsTo(principal, place.organizationId)) throw new NotFoundError(what);
  throw new ForbiddenError();
}

export function requireUser(principal: Principal | null): UserPrincipal {
  if (!principal) throw new UnauthenticatedError();
  if (principal.kind !== 'user') throw new ForbiddenError('This action is for signed-in people, not API keys.');
  return principal;
}
