// Rows to API representations: a promotion with its usage from the ledger and its code count, a
// code, the store's banner entry, and the CSV export of codes.
import type { Channel } from './model.js';
import type { CodeRow } from './codes-repo.js';
import type { PromotionRow, Usage } from './promotions-repo.js';
import type { PromotionCodeOut } from './codes-schema.js';
import type { PromotionOut, StorePromotionOut } from './schema.js';

const ALL_CHANNELS: Channel[] = ['pickup', 'delivery', 'dine_in'];

/** RFC 3339 UTC with second precision: 2026-11-21T12:00:00Z. */
export function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

const instant = (date: Date | null) => (date === null ? null : rfc3339(date));

export function presentPromotion(row: PromotionRow, usage: Usage | undefined, codesCount: number): PromotionOut {
  return {
    id: row.id,
    organization_id: row.organization_id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    advertised: row.advertised,
    active: row.active,
    priority: row.priority,
    combinable: row.combinable,
    starts_at: instant(row.starts_at),
    ends_at: instant(row.ends_at),
    conditions: row.conditions,
    effect: row.effect,
    max_discount: row.max_discount,
    usage_limit: row.usage_limit,
    budget: row.budget,
    per_customer_limit: row.per_customer_limit,
    usage: usage ?? { uses: 0, discount_spent: 0 },
    codes_count: codesCount,
    version: row.version,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}

export function presentCode(row: CodeRow): PromotionCodeOut {
  return {
    id: row.id,
    promotion_id: row.promotion_id,
    code: row.code,
    usage_limit: row.usage_limit,
    uses: row.uses,
    created_at: rfc3339(row.created_at),
  };
}

/**
 * A banner entry. The code is shown only when the promotion has exactly one code that is shared
 * (not single-use): a batch's codes are handed out one by one, never advertised.
 */
export function presentStorePromotion(
  row: PromotionRow,
  soleCode: { code: string; usage_limit: number | null } | undefined,
): StorePromotionOut {
  const shared = soleCode !== undefined && (soleCode.usage_limit === null || soleCode.usage_limit > 1);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    code: row.kind === 'code' && row.advertised && shared ? soleCode.code : null,
    effect_type: row.effect.type,
    channels: row.conditions.channels ?? ALL_CHANNELS,
    ends_at: instant(row.ends_at),
  };
}

export const CSV_COLUMNS = ['code', 'usage_limit', 'uses', 'created_at'] as const;

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Lines of the CSV export (header first), CRLF-terminated as RFC 4180 says. */
export function csvLines(rows: CodeRow[], withHeader: boolean): string {
  const lines = rows.map((row) =>
    [row.code, row.usage_limit === null ? '' : String(row.usage_limit), String(row.uses), rfc3339(row.created_at)]
      .map(csvField)
      .join(','),
  );
  if (withHeader) lines.unshift(CSV_COLUMNS.join(','));
  return lines.map((line) => `${line}\r\n`).join('');
}
