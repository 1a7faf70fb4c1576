// Who may do what in tenancy. Routes declare these rules (the coarse gate: the caller holds one
// of the roles somewhere, or an API key holds the scopes) and services check the same rules
// against the organization and store of the resource, so the two can never disagree.
import type { Access } from '../../platform/auth/access.js';
import {
  assertMayActAt,
  belongsTo,
  STAFF_ROLES,
  type Principal,
  type StaffRole,
} from '../../platform/auth/principal.js';
import { NotFoundError } from '../../platform/http/errors.js';

type Rule = { roles: readonly StaffRole[]; scopes?: readonly string[] };

export const RULES = {
  /** Anyone holding a role in the organization, even for one store, and its API keys. */
  readOrganization: { roles: STAFF_ROLES, scopes: ['organizations:read'] },
  /** Renaming a brand or moving its public slug is the owner's call; API keys may not. */
  updateOrganization: { roles: ['owner'] },
  /** Opening a store is an organization-level decision: org-wide owners and managers. */
  createStore: { roles: ['owner', 'manager'], scopes: ['stores:write'] },
  /** Store settings, hours and tables: owners, and managers of the whole org or that store. */
  editStore: { roles: ['owner', 'manager'], scopes: ['stores:write'] },
  /** Floor staff print table codes and see the exception calendar. */
  readStoreBackOffice: { roles: ['owner', 'manager', 'staff'], scopes: ['stores:read'] },
} as const satisfies Record<string, Rule>;

export const access = (rule: Rule): Access => rule;

export function assertMayReadOrganization(principal: Principal | null, organizationId: string): void {
  // A store-level grant does not cover org-level actions, but reading the brand it works for is fine.
  if (!belongsTo(principal, organizationId)) throw new NotFoundError('organization');
}

export function assertRule(
  principal: Principal | null,
  rule: Rule,
  place: { organizationId: string; storeId?: string | null },
  what: string,
): void {
  assertMayActAt(principal, place, rule.roles, rule.scopes ?? [], what);
}
