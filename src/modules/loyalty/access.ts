// Who may do what with the loyalty program. Routes declare these rules (the coarse gate: a role
// somewhere, or an API key holding the scopes); the services check the same rules against the
// organization in the path, so the two never disagree. The program is brand-wide: a store-level
// grant does not cover it. Members act on their own membership only (requireUser in members.ts).
import type { Access } from '../../platform/auth/access.js';
import { assertMayActAt, type Principal, type StaffRole } from '../../platform/auth/principal.js';

type Rule = { roles: readonly StaffRole[]; scopes: readonly string[] };

export const RULES = {
  /** Creating or replacing the program's terms: the owner alone (it changes what every member earns). */
  editProgram: { roles: ['owner'], scopes: ['loyalty:write'] },
  /** Reading the rewards as managed (inactive ones and their cost included). */
  readRewards: { roles: ['owner', 'manager'], scopes: ['loyalty:read'] },
  /** Creating, changing and withdrawing rewards. */
  editRewards: { roles: ['owner', 'manager'], scopes: ['loyalty:write'] },
  /** Looking a member up at the counter: floor staff too. */
  lookUpMembers: { roles: ['owner', 'manager', 'staff'], scopes: ['loyalty:read'] },
  /** Adjusting a member's points (audited, with a reason). */
  adjustPoints: { roles: ['owner', 'manager'], scopes: ['loyalty:write'] },
  /** The liability report (points outstanding and their value). */
  readLiability: { roles: ['owner', 'manager'], scopes: ['loyalty:read'] },
} as const satisfies Record<string, Rule>;

export const access = (rule: Rule): Access => rule;

/** 404 for a caller with no relation to the organization (never reveal it), 403 otherwise. */
export function assertRule(
  principal: Principal | null,
  rule: Rule,
  organizationId: string,
  what = 'loyalty program',
): void {
  assertMayActAt(principal, { organizationId }, rule.roles, rule.scopes, what);
}

/** Who an audited ledger write names as its actor: the person, or the API key. */
export function actorIdOf(principal: Principal | null): string | null {
  if (!principal) return null;
  return principal.kind === 'user' ? principal.userId : principal.apiKeyId;
}
