// Who may manage an organization's webhook endpoints: its owners and managers (issue 17). The
// routes declare the rule (the coarse gate: the role somewhere); the service checks it again
// against the organization in the path, so a manager of one brand never reaches another's
// endpoints (404 there: existence is never revealed). A store-level grant does not cover them:
// an endpoint receives the whole brand's events.
//
// An API key needs `webhooks:write`, never implied by another scope: an endpoint is a standing
// copy of the brand's order data to a URL of the caller's choosing, so a key gets that only when
// an owner grants it on purpose.
import type { Access } from '../../platform/auth/access.js';
import { assertMayActAt, type Principal, type StaffRole } from '../../platform/auth/principal.js';

type Rule = { roles: readonly StaffRole[]; scopes: readonly string[] };

export const RULES = {
  /** Reading, creating, changing, deleting, testing and replaying endpoints, and reading attempts. */
  manageEndpoints: { roles: ['owner', 'manager'], scopes: ['webhooks:write'] },
} as const satisfies Record<string, Rule>;

export const access = (rule: Rule): Access => rule;

/** 404 for a caller with no relation to the organization (never reveal it), 403 otherwise. */
export function assertRule(
  principal: Principal | null,
  rule: Rule,
  organizationId: string,
  what = 'webhook endpoint',
): void {
  assertMayActAt(principal, { organizationId }, rule.roles, rule.scopes, what);
}
