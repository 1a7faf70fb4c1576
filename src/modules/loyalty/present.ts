// Rows to API representations: the program's public terms with its rewards, a reward as managed,
// a ledger entry as the member sees it, and ETags.
import type { ActivityEntryOut } from './member-schema.js';
import type { Program, Reward } from './model.js';
import type { ProgramOut, PublicRewardOut, RewardOut } from './schema.js';
import type { EntryKind } from './model.js';

/** RFC 3339 UTC with second precision: 2026-11-21T12:00:00Z. */
export function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
const instant = (date: Date | null) => (date === null ? null : rfc3339(date));

/** The UTC calendar date of an instant: 2026-11-21. */
export const utcDate = (date: Date): string => date.toISOString().slice(0, 10);

export function presentPublicReward(reward: Reward): PublicRewardOut {
  return {
    id: reward.id,
    name: reward.name,
    description: reward.description,
    points: reward.points,
    effect: reward.effect,
  };
}

export function presentProgram(program: Program, rewards: Reward[], updatedAt: Date): ProgramOut {
  return {
    organization_id: program.organization_id,
    name: program.name,
    accrual: program.accrual,
    lock_days: program.lock_days,
    expiry_months: program.expiry_months,
    tier_measure: program.tier_measure,
    tier_window_days: program.tier_window_days,
    tiers: program.tiers,
    active: program.active,
    join_at_sign_up: program.join_at_sign_up,
    rewards: rewards.filter((reward) => reward.active).map(presentPublicReward),
    version: program.version,
    updated_at: rfc3339(updatedAt),
  };
}

export interface ManagedReward extends Reward {
  created_at: Date;
  updated_at: Date;
}

export function presentReward(reward: ManagedReward): RewardOut {
  return {
    id: reward.id,
    organization_id: reward.organization_id,
    name: reward.name,
    description: reward.description,
    points: reward.points,
    effect: reward.effect,
    cost: reward.cost,
    active: reward.active,
    created_at: rfc3339(reward.created_at),
    updated_at: rfc3339(reward.updated_at),
  };
}

export interface EntryRow {
  id: string;
  kind: EntryKind;
  points: number;
  order_id: string | null;
  reward_id: string | null;
  reason: string | null;
  created_at: Date;
  /** From the entry's lot (credits only). */
  expires_at: Date | null;
  available_at: Date | null;
}

export function presentEntry(row: EntryRow): ActivityEntryOut {
  return {
    id: row.id,
    kind: row.kind,
    points: row.points,
    order_id: row.order_id,
    reward_id: row.reward_id,
    reason: row.reason,
    created_at: rfc3339(row.created_at),
    expires_at: instant(row.expires_at),
    available_at: instant(row.available_at),
  };
}

export const etagOf = (version: number | string) => `"${version}"`;
const TAG = /^(W\/)?"([0-9]{1,20})"$/;

/** null: no If-Match (or "*"); else the tags its strong entity-tags name (none parse: nothing matches). */
export function ifMatchTags(header: string | undefined): string[] | null {
  if (header === undefined || header.trim() === '*') return null;
  return header
    .split(',')
    .map((part) => TAG.exec(part.trim()))
    .filter((match): match is RegExpExecArray => match !== null && match[1] === undefined)
    .map((match) => match[2]!);
}
