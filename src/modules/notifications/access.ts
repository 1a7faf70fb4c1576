// Who may do what with notifications. Routes declare these rules (the coarse gate: a role
// somewhere); the services check the same rules against the organization in the path. Templates
// are brand-wide: a store-level grant does not cover them. API keys hold no notification scope.
// Guests manage their own preferences only (requireUser in preferences.ts).
import type { Access } from '../../platform/auth/access.js';
import { assertMayActAt, type Principal, type StaffRole } from '../../platform/auth/principal.js';

type Rule = { roles: readonly StaffRole[] };

export const RULES = {
  /** Reading the wording in force and previewing it. */
  readTemplates: { roles: ['owner', 'manager'] },
  /** Rewording a template (audited). */
  editTemplates: { roles: ['owner', 'manager'] },
} as const satisfies Record<string, Rule>;

export const access = (rule: Rule): Access => rule;

/** 404 for a caller with no relation to the organization (never reveal it), 403 otherwise. */
export function assertRule(principal: Principal | null, rule: Rule, organizationId: string): void {
  assertMayActAt(principal, { organizationId }, rule.roles, [], 'notification template');
}
