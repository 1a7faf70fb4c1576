// Who may do what with orders. Routes declare the coarse gate; services check the same rules
// against the order's organization and store, so the two never disagree.
import type { Access } from '../../platform/auth/access.js';
import { assertMayActAt, mayActAt, type Principal, type StaffRole } from '../../platform/auth/principal.js';

type Rule = { roles: readonly StaffRole[]; scopes: readonly string[] };

export const RULES = {
  /** A store's orders, its kitchen feed and its ordering settings: the store's people. */
  readStoreOrders: { roles: ['owner', 'manager', 'staff', 'courier'], scopes: ['orders:read'] },
  /** Moving orders through the kitchen: floor staff and up. */
  workOrders: { roles: ['owner', 'manager', 'staff'], scopes: ['orders:write'] },
  /** Out for delivery and delivered: couriers too. */
  deliverOrders: { roles: ['owner', 'manager', 'staff', 'courier'], scopes: ['orders:write'] },
  /** Prep time, capacity, auto-accept: managers and up. */
  manageStoreOrdering: { roles: ['owner', 'manager'], scopes: ['orders:write'] },
} as const satisfies Record<string, Rule>;

export const access = (rule: Rule): Access => rule;

export function assertOrderingRule(
  principal: Principal | null,
  rule: Rule,
  place: { organizationId: string; storeId: string },
  what: string,
): void {
  assertMayActAt(principal, place, rule.roles, rule.scopes, what);
}

export function mayFollowRule(
  principal: Principal | null,
  rule: Rule,
  place: { organizationId: string; storeId: string },
): boolean {
  return mayActAt(principal, place, rule.roles, rule.scopes);
}
