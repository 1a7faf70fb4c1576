// Who may do what with payments. Routes declare the coarse gate; services check the same rules
// against the payment's organization and store.
import type { Access } from '../../platform/auth/access.js';
import { assertMayActAt, mayActAt, type Principal, type StaffRole } from '../../platform/auth/principal.js';

type Rule = { roles: readonly StaffRole[]; scopes: readonly string[] };

export const RULES = {
  /** A store's payments and refunds: the people who run it (couriers collect cash, they do not see card payments). */
  readPayments: { roles: ['owner', 'manager', 'staff'], scopes: ['payments:read'] },
  /** Giving money back: managers and up. */
  refund: { roles: ['owner', 'manager'], scopes: ['payments:write'] },
  /** Which provider a store uses and when it captures. */
  manageSettings: { roles: ['owner', 'manager'], scopes: ['payments:write'] },
  /** Provider credentials of the organization: owners only, never an API key. */
  manageCredentials: { roles: ['owner'], scopes: [] },
} as const satisfies Record<string, Rule>;

export const access = (rule: Rule): Access => rule;

export function assertPaymentsRule(
  principal: Principal | null,
  rule: Rule,
  place: { organizationId: string; storeId?: string | null },
  what: string,
): void {
  assertMayActAt(principal, place, rule.roles, rule.scopes, what);
}

export function mayPaymentsRule(
  principal: Principal | null,
  rule: Rule,
  place: { organizationId: string; storeId?: string | null },
): boolean {
  return mayActAt(principal, place, rule.roles, rule.scopes);
}

// Who pays for an order (its customer, or the partner key that placed it) is ordering's fact:
// isOrderParty, from ordering's index.
