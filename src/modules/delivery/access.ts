// Who may draw a store's delivery zones. Routes declare these rules (the coarse gate: a role
// somewhere, or an API key holding the scopes); the service checks the same rules against the
// store in the path, so the two never disagree.
import type { Access } from '../../platform/auth/access.js';
import { assertMayActAt, type Principal, type StaffRole } from '../../platform/auth/principal.js';

type Rule = { roles: readonly StaffRole[]; scopes: readonly string[] };

export const RULES = {
  /** Where a store delivers and for how much is a manager's call: owners, managers of the org or that store. */
  editZones: { roles: ['owner', 'manager'], scopes: ['delivery:write'] },
} as const satisfies Record<string, Rule>;

export const access = (rule: Rule): Access => rule;

export function assertRule(
  principal: Principal | null,
  rule: Rule,
  place: { organizationId: string; storeId: string },
): void {
  assertMayActAt(principal, place, rule.roles, rule.scopes, 'store');
}
