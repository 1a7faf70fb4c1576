// Who may manage promotions. Routes declare these rules (the coarse gate: a role somewhere, or an
// API key holding the scopes); the service checks the same rules against the organization in the
// path, so the two never disagree. Promotions are brand-wide: a store-level grant does not cover
// them (a store manager cannot discount every store of the brand).
import type { Access } from '../../platform/auth/access.js';
import { assertMayActAt, type Principal, type StaffRole } from '../../platform/auth/principal.js';

type Rule = { roles: readonly StaffRole[]; scopes: readonly string[] };

export const RULES = {
  /** Reading promotions, their usage and their codes: owners and org-wide managers. */
  readPromotions: { roles: ['owner', 'manager'], scopes: ['promotions:read'] },
  /** Creating, changing and ending promotions and their codes. */
  editPromotions: { roles: ['owner', 'manager'], scopes: ['promotions:write'] },
} as const satisfies Record<string, Rule>;

export const access = (rule: Rule): Access => rule;

/** 404 for a caller with no relation to the organization (never reveal it), 403 otherwise. */
export function assertRule(principal: Principal | null, rule: Rule, organizationId: string): void {
  assertMayActAt(principal, { organizationId }, rule.roles, rule.scopes, 'promotion');
}
