// Who may manage the catalog. Routes declare these rules (the coarse gate: a role somewhere, or
// an API key holding the scopes); services check the same rules against the organization and
// store of the resource, so the two never disagree.
import type { Access } from '../../../platform/auth/access.js';
import { assertMayActAt, type Principal, type StaffRole } from '../../../platform/auth/principal.js';

type Rule = { roles: readonly StaffRole[]; scopes: readonly string[] };

export const RULES = {
  /** The brand catalog (items, groups, menus, taxes): owners and org-wide managers. */
  editCatalog: { roles: ['owner', 'manager'], scopes: ['catalog:write'] },
  readCatalog: { roles: ['owner', 'manager'], scopes: ['catalog:read'] },
  /** Store prices, taxes and published menus: owners, and managers of the org or that store. */
  editStoreCatalog: { roles: ['owner', 'manager'], scopes: ['catalog:write'] },
  /** 86'ing and seeing a store's catalog settings: floor staff of that store too. */
  eightySix: { roles: ['owner', 'manager', 'staff'], scopes: ['catalog:write'] },
  readStoreCatalog: { roles: ['owner', 'manager', 'staff'], scopes: ['catalog:read'] },
} as const satisfies Record<string, Rule>;

export const access = (rule: Rule): Access => rule;

export function assertRule(
  principal: Principal | null,
  rule: Rule,
  place: { organizationId: string; storeId?: string | null },
  what: string,
): void {
  assertMayActAt(principal, place, rule.roles, rule.scopes, what);
}
