// Who may see and set stock. Routes declare these rules (the coarse gate: a role somewhere, or an
// API key holding the scopes); the service checks the same rules against the store in the path,
// so the two never disagree.
import type { Access } from '../../platform/auth/access.js';
import { assertMayActAt, type Principal, type StaffRole } from '../../platform/auth/principal.js';

type Rule = { roles: readonly StaffRole[]; scopes: readonly string[] };

export const RULES = {
  /** Counting stock is a manager's job: owners, and managers of the org or that store. */
  setStock: { roles: ['owner', 'manager'], scopes: ['stock:write'] },
  /** Floor staff see what is left to sell at their store. */
  readStock: { roles: ['owner', 'manager', 'staff'], scopes: ['stock:read'] },
  /** The ledger (who took what, which order) is for managers. */
  readMoves: { roles: ['owner', 'manager'], scopes: ['stock:read'] },
} as const satisfies Record<string, Rule>;

export const access = (rule: Rule): Access => rule;

export function assertRule(
  principal: Principal | null,
  rule: Rule,
  place: { organizationId: string; storeId: string },
  what: string,
): void {
  assertMayActAt(principal, place, rule.roles, rule.scopes, what);
}
