// SQL of a person's own data: what their export reads (their account, roles, the brands they are
// a customer of, their login sessions) and what their erasure wipes. Identity's tables only; the
// orders are ordering's (reached through the port in personal-data.ts).
import { sql } from 'kysely';
import type { StaffRole } from '../../platform/auth/principal.js';
import { accountsRepo } from './accounts-repo.js';
import { peopleSealing, type StoredPerson } from './people-sealing.js';
import type { Executor } from './repo.js';

export interface AccountRow {
  id: string;
  email: string;
  name: string;
  phone: string | null;
  password_hash: string | null;
  is_platform_admin: boolean;
  created_at: Date;
  updated_at: Date;
  erased_at: Date | null;
}

/** Shown instead of an erased person's name (staff screens, their old orders). */
export const ERASED_NAME = 'Deleted customer';
/** A unique address no mail can reach (RFC 2606 reserves .invalid), so the row keeps a valid email. */
export const erasedEmail = (userId: string) => `erased-${userId}@erased.invalid`;

export const personalDataRepo = {
  async account(ex: Executor, userId: string, options: { forUpdate?: boolean } = {}) {
    const lock = options.forUpdate ? sql`FOR UPDATE` : sql``;
    const { rows } = await sql<Omit<AccountRow, 'email' | 'name'> & StoredPerson>`
      SELECT id, personal_sealed, email, name, phone, password_hash, is_platform_admin, created_at, updated_at, erased_at
      FROM users WHERE id = ${userId} ${lock}
    `.execute(ex);
    const row = rows[0];
    if (!row) return undefined;
    const { personal_sealed: _sealed, ...rest } = row;
    return { ...rest, ...(await peopleSealing().open(ex, row)) } as AccountRow;
  },

  async memberships(ex: Executor, userId: string) {
    const { rows } = await sql<{
      id: string;
      role: StaffRole;
      organization_id: string;
      store_id: string | null;
      created_at: Date;
    }>`
      SELECT id, role, organization_id, store_id, created_at FROM memberships
      WHERE user_id = ${userId} ORDER BY created_at, id
    `.execute(ex);
    return rows;
  },

  async customerOf(ex: Executor, userId: string) {
    const { rows } = await sql<{ organization_id: string; first_seen_at: Date; last_seen_at: Date }>`
      SELECT organization_id, first_seen_at, last_seen_at FROM organization_customers
      WHERE user_id = ${userId} ORDER BY first_seen_at, organization_id
    `.execute(ex);
    return rows;
  },

  async sessions(ex: Executor, userId: string) {
    const { rows } = await sql<{
      id: string;
      created_at: Date;
      expires_at: Date;
      revoked_at: Date | null;
      revoked_reason: string | null;
    }>`
      SELECT id, created_at, expires_at, revoked_at, revoked_reason FROM refresh_token_families
      WHERE user_id = ${userId} ORDER BY created_at, id
    `.execute(ex);
    return rows;
  },

  /**
   * Organizations where this person is an owner and no one else is, with every owner
   * membership of the organizations they own locked: two owners erasing themselves at once
   * cannot both leave.
   */
  async soleOwnerships(ex: Executor, userId: string): Promise<string[]> {
    await sql`
      SELECT id FROM memberships
      WHERE role = 'owner'
        AND organization_id IN (SELECT organization_id FROM memberships WHERE user_id = ${userId} AND role = 'owner')
      ORDER BY id FOR UPDATE
    `.execute(ex);
    const { rows } = await sql<{ organization_id: string }>`
      SELECT DISTINCT m.organization_id FROM memberships m
      WHERE m.user_id = ${userId} AND m.role = 'owner'
        AND NOT EXISTS (
          SELECT 1 FROM memberships o
          WHERE o.organization_id = m.organization_id AND o.role = 'owner' AND o.user_id <> ${userId}
        )
      ORDER BY m.organization_id
    `.execute(ex);
    return rows.map((row) => row.organization_id);
  },

  /** The personal fields wiped, the password gone, the row kept for the books. */
  async wipeAccount(ex: Executor, userId: string, at: Date): Promise<void> {
    await accountsRepo.writePersonalFields(ex, userId, { name: ERASED_NAME, email: erasedEmail(userId), phone: null });
    await sql`
      UPDATE users SET search_tokens = '{}', password_hash = NULL, is_platform_admin = false,
        erased_at = ${at}, updated_at = ${at}
      WHERE id = ${userId}
    `.execute(ex);
  },

  /** Roles, brand relations and invitations go; every login session ends. */
  async dropAccess(ex: Executor, userId: string, at: Date) {
    const { rows: memberships } = await sql<{
      id: string;
      role: StaffRole;
      organization_id: string;
      store_id: string | null;
    }>`DELETE FROM memberships WHERE user_id = ${userId} RETURNING id, role, organization_id, store_id`.execute(ex);
    await sql`DELETE FROM organization_customers WHERE user_id = ${userId}`.execute(ex);
    await sql`DELETE FROM staff_invitations WHERE user_id = ${userId}`.execute(ex);
    await sql`
      UPDATE refresh_token_families SET revoked_at = ${at}, revoked_reason = 'account_erased'
      WHERE user_id = ${userId} AND revoked_at IS NULL
    `.execute(ex);
    return memberships;
  },
};
