// Loyalty's tables as Kysely sees them (migrations/0017_loyalty.sql is the truth).
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';
import type { Accrual, EntryKind, RewardEffect, Tier } from './model.js';

// A type, not an interface: withTables<T> needs an index-signature-compatible record.
export type LoyaltyTables = {
  loyalty_programs: {
    organization_id: string;
    name: string;
    active: boolean;
    /** jsonb: written as JSON text (pg would send a JS array as a PostgreSQL array). */
    accrual: ColumnType<Accrual, string, string>;
    lock_days: number;
    expiry_months: number | null;
    tier_measure: 'points' | 'orders';
    tier_window_days: number;
    tiers: ColumnType<Tier[], string, string>;
    join_at_sign_up: boolean;
    version: Generated<number>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  loyalty_rewards: {
    id: string;
    organization_id: string;
    name: string;
    description: string | null;
    points: number;
    effect: ColumnType<RewardEffect, string, string>;
    cost: number;
    active: boolean;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
    deleted_at: Date | null;
  };
  loyalty_members: {
    id: string;
    organization_id: string;
    customer_id: string;
    status: 'active' | 'left';
    consent: 'join' | 'sign_up' | 'demo';
    joined_at: Date;
    left_at: Date | null;
    balance: Generated<number>;
    pending: Generated<number>;
    held: Generated<number>;
    debt: Generated<number>;
    tier: string;
    tier_since: Date;
    tier_evaluated_at: Date | null;
    version: Generated<number>;
  };
  loyalty_entries: {
    id: string;
    organization_id: string;
    member_id: string;
    kind: EntryKind;
    points: number;
    owed: number | null;
    order_id: string | null;
    refund_id: string | null;
    refund_amount: number | null;
    reward_id: string | null;
    reason: string | null;
    actor_id: string | null;
    created_at: Date;
  };
  loyalty_lots: {
    entry_id: string;
    member_id: string;
    points: number;
    remaining: number;
    available_at: Date;
    vested: boolean;
    expires_at: Date | null;
    order_id: string | null;
    created_at: Date;
  };
  loyalty_allocations: {
    entry_id: string;
    lot_id: string;
    points: number;
  };
  loyalty_reward_holds: {
    order_id: string;
    organization_id: string;
    member_id: string;
    reward_id: string;
    points: number;
    amount: number;
    status: 'held' | 'spent' | 'released' | 'returned';
    held_at: Date;
    settled_at: Date | null;
    reason: string | null;
  };
  loyalty_tier_changes: {
    id: string;
    member_id: string;
    from_tier: string | null;
    to_tier: string;
    qualifying: number;
    reason: 'joined' | 'upgrade' | 'downgrade';
    changed_at: Date;
  };
};

export type Executor = Kysely<PlatformTables>;
export const loyaltyTables = (ex: Executor) => ex.withTables<LoyaltyTables>();

type Plain<T> = { [K in keyof T]: T[K] extends ColumnType<infer U, unknown, unknown> ? U : T[K] };
export type MemberRow = Plain<LoyaltyTables['loyalty_members']>;
export type LotRow = LoyaltyTables['loyalty_lots'];
export type ProgramRow = Plain<LoyaltyTables['loyalty_programs']>;
export type RewardRow = Plain<LoyaltyTables['loyalty_rewards']>;
