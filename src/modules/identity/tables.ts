// The identity tables' and rows' shapes, and the typed view of them every identity repo uses.
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { StaffRole } from '../../platform/auth/principal.js';
import type { PlatformTables } from '../../platform/db/index.js';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

/** What an account token proves when it is used (account-tokens.ts). */
export type AccountTokenPurpose = 'email_verification' | 'password_reset';

// A type alias, not an interface: Kysely's withTables needs an indexable record type.
type IdentityTables = {
  users: {
    id: string;
    email: string;
    name: string;
    password_hash: string | null;
    is_platform_admin: Generated<boolean>;
    /** Set when a verification (or password reset) token proved the person reads mail at `email`. */
    email_verified_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
    created_at: CreatedAt;
    updated_at: ColumnType<Date, Date | undefined, Date>;
  };
  memberships: {
    id: string;
    user_id: string;
    organization_id: string;
    store_id: string | null;
    role: StaffRole;
    created_at: CreatedAt;
  };
  refresh_token_families: {
    id: string;
    user_id: string;
    created_at: CreatedAt;
    expires_at: Date;
    revoked_at: Date | null;
    revoked_reason: string | null;
  };
  refresh_tokens: {
    id: string;
    family_id: string;
    token_hash: Buffer;
    created_at: CreatedAt;
    rotated_at: Date | null;
  };
  staff_invitations: {
    id: string;
    organization_id: string;
    user_id: string;
    token_hash: Buffer;
    invited_by: string | null;
    created_at: CreatedAt;
    expires_at: Date;
    accepted_at: Date | null;
  };
  account_tokens: {
    id: string;
    user_id: string;
    purpose: AccountTokenPurpose;
    token_hash: Buffer;
    created_at: CreatedAt;
    expires_at: Date;
    ended_at: Date | null;
    ended_reason: 'used' | 'superseded' | 'password_changed' | 'account_erased' | null;
  };
  api_keys: {
    id: string;
    organization_id: string;
    name: string;
    prefix: string;
    secret_hash: Buffer;
    scopes: string[];
    created_by: string | null;
    created_at: CreatedAt;
    last_used_at: Date | null;
    revoked_at: Date | null;
  };
};

export type Executor = Kysely<PlatformTables>;
export const t = (ex: Executor) => ex.withTables<IdentityTables>();

export type UserRow = IdentityTables['users'] & { created_at: Date; is_platform_admin: boolean };

export interface MemberRow {
  id: string;
  user_id: string;
  email: string;
  name: string;
  role: StaffRole;
  store_id: string | null;
  created_at: Date;
  invited: boolean;
}

export interface ApiKeyRow {
  id: string;
  organization_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export const API_KEY_COLUMNS = [
  'id',
  'organization_id',
  'name',
  'prefix',
  'scopes',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const;
