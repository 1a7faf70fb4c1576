// Who may do what with reviews, stated once. Routes declare the coarse gate (`config.access`);
// services check the same rules against the review's store, so the two never disagree.
import type { Access } from '../../platform/auth/access.js';
import { mayActAt, type Principal, type StaffRole } from '../../platform/auth/principal.js';

type Rule = { roles: readonly StaffRole[]; scopes: readonly string[] };

export const RULES = {
  /** The store answers and hides replies on its reviews: its floor staff and up. */
  storeVoice: { roles: ['owner', 'manager', 'staff'], scopes: ['reviews:write'] },
  /** Removing and restoring content, the moderation queue: the organization's managers and owners. */
  moderate: { roles: ['owner', 'manager'], scopes: ['reviews:moderate'] },
} as const satisfies Record<string, Rule>;

export const access = (rule: Rule): Access => rule;

export interface StorePlace {
  organization_id: string;
  store_id: string;
}

const place = (row: StorePlace) => ({ organizationId: row.organization_id, storeId: row.store_id });

/** Staff of the store speak for it: their replies are the restaurant's answer. */
export const speaksForStore = (principal: Principal | null, row: StorePlace): boolean =>
  mayActAt(principal, place(row), RULES.storeVoice.roles, RULES.storeVoice.scopes);

/**
 * Moderators of the organization: managers and owners, of the organization or (managers) of that
 * store. They see held and removed content and act on it.
 */
export const moderates = (principal: Principal | null, row: StorePlace): boolean =>
  mayActAt(principal, place(row), RULES.moderate.roles, RULES.moderate.scopes);

export const userIdOf = (principal: Principal | null): string | null =>
  principal?.kind === 'user' ? principal.userId : null;
