// What an audit entry may keep of a change: the fields that changed, with secrets and personal
// data replaced by "[redacted]" (decided by field name, at any depth). An owner reading the log
// learns that a webhook secret or a staff member's email changed, never the value.

export const REDACTED = '[redacted]';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Fields = Record<string, unknown>;

export interface Changes {
  before: Record<string, Json> | null;
  after: Record<string, Json> | null;
}

/** Words that make a field a secret wherever they appear in its name (`webhook_secret`, `apiKey`). */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'tokens',
  'key',
  'keys',
  'apikey',
  'credential',
  'credentials',
  'hash',
  'signature',
  'otp',
  'cvc',
  'cvv',
  'iban',
]);
/** Words that make a field personal data: how to reach or find a person. */
const PERSONAL_WORDS = new Set(['email', 'emails', 'phone', 'phones', 'address', 'addresses', 'instructions']);
/** `<word>_name` names a person, where a plain `name` (an item's, a store's) does not. */
const PERSON_NAME_WORDS = new Set([
  'first',
  'last',
  'full',
  'given',
  'family',
  'middle',
  'display',
  'customer',
  'contact',
  'courier',
  'person',
  'recipient',
]);

/** `webhookSecret`, `webhook-secret`, `WEBHOOK_SECRET` → ['webhook', 'secret']. */
function words(field: string): string[] {
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** True for a field whose value never belongs in the log; `personal` adds names for this target only. */
export function isSensitiveField(field: string, personal: readonly string[] = []): boolean {
  if (personal.includes(field)) return true;
  const parts = words(field);
  if (parts.some((word) => SECRET_WORDS.has(word) || PERSONAL_WORDS.has(word))) return true;
  const joined = parts.join('');
  if (joined.includes('password') || joined.includes('apikey')) return true;
  const name = parts.indexOf('name');
  return name > 0 && PERSON_NAME_WORDS.has(parts[name - 1]!);
}

/** A JSON-safe copy (dates as RFC 3339, undefined dropped) with sensitive fields redacted at any depth. */
export function redact(value: unknown, personal: readonly string[] = []): Json {
  return toJson(value, (field) => isSensitiveField(field, personal));
}

function toJson(value: unknown, hidden: (field: string) => boolean): Json {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((item) => toJson(item, hidden));
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [field, inner] of Object.entries(value as Fields)) {
      if (inner === undefined) continue;
      out[field] = inner !== null && hidden(field) ? REDACTED : toJson(inner, hidden);
    }
    return out;
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value as string);
}

const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The changed fields of `before` → `after`, redacted. A creation has `before: null` and keeps
 * every field of `after`; a removal the reverse. Values are compared before redaction, so a
 * changed secret shows as changed (both sides "[redacted]").
 */
export function diffChanges(
  before: Fields | null | undefined,
  after: Fields | null | undefined,
  personal: readonly string[] = [],
): Changes {
  const plainBefore = before ? (toJson(before, () => false) as Record<string, Json>) : null;
  const plainAfter = after ? (toJson(after, () => false) as Record<string, Json>) : null;
  if (plainBefore === null || plainAfter === null) {
    return {
      before: before ? (redact(before, personal) as Record<string, Json>) : null,
      after: after ? (redact(after, personal) as Record<string, Json>) : null,
    };
  }
  const changedBefore: Fields = {};
  const changedAfter: Fields = {};
  for (const field of new Set([...Object.keys(plainBefore), ...Object.keys(plainAfter)])) {
    if (same(plainBefore[field], plainAfter[field])) continue;
    // A field the caller did not know on one side (not loaded) is left out there, not shown as null.
    if (field in plainBefore) changedBefore[field] = before?.[field] ?? null;
    if (field in plainAfter) changedAfter[field] = after?.[field] ?? null;
  }
  return {
    before: redact(changedBefore, personal) as Record<string, Json>,
    after: redact(changedAfter, personal) as Record<string, Json>,
  };
}
