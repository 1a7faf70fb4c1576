// Who may do what with orders, stated once. Routes declare the coarse gate; services check the
// same rules against the order's organization and store, so the two never disagree. Who may see
// an order (its customer, the partner key that placed it, the store's people) lives here only:
// the routes, the live streams, tips and payments (through ordering's index) all ask this file.
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

/** The store a rule is checked at. */
export interface StoreScope {
  organizationId: string;
  storeId: string;
}

/** What an order says about whose it is. */
export interface OrderParties {
  organization_id: string;
  store_id: string;
  customer_id: string | null;
  /** 'user:<id>' or 'api_key:<id>' (placerOf). */
  placed_by: string;
}

export const storeOf = (order: { organization_id: string; store_id: string }): StoreScope => ({
  organizationId: order.organization_id,
  storeId: order.store_id,
});

/** 'user:<id>' or 'api_key:<id>': who placed an order, and the scope of its Idempotency-Key. */
export function placerOf(principal: Principal): string {
  return principal.kind === 'user' ? `user:${principal.userId}` : `api_key:${principal.apiKeyId}`;
}

export function assertOrderingRule(principal: Principal | null, rule: Rule, store: StoreScope, what: string): void {
  assertMayActAt(principal, store, rule.roles, rule.scopes, what);
}

/** Does the caller hold one of the rule's roles at the store (or, as an API key, its scopes)? */
export function holdsRuleAt(principal: Principal | null, rule: Rule, store: StoreScope): boolean {
  return mayActAt(principal, store, rule.roles, rule.scopes);
}

/** The order's own side: its customer, or the partner key that placed it (who pays for it). */
export function isOrderParty(
  principal: Principal | null,
  order: Pick<OrderParties, 'customer_id' | 'placed_by'>,
): boolean {
  if (principal?.kind === 'user') return order.customer_id === principal.userId;
  if (principal?.kind === 'api_key') return order.placed_by === `api_key:${principal.apiKeyId}`;
  return false;
}

/** Who may see an order (GET /v1/orders/{id}, its event stream and subscription): its party or the store's people. */
export function mayViewOrder(principal: Principal | null, order: OrderParties): boolean {
  return isOrderParty(principal, order) || holdsRuleAt(principal, RULES.readStoreOrders, storeOf(order));
}
