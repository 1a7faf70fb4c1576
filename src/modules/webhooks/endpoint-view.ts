// Rows to API representations (an endpoint as its managers see it, an attempt), ETags, and what
// an audit entry keeps of an endpoint. The sealed secrets never leave the service: a row read
// for presenting does not even select them.
import { entityTags } from '../../platform/http/conditional.js';
import type { AttemptOut, EndpointOut } from './schema.js';
import type { EndpointState } from './tables.js';

/** The columns an endpoint is presented from (no sealed secret among them). */
export const ENDPOINT_COLUMNS = [
  'id',
  'organization_id',
  'url',
  'description',
  'event_types',
  'rate_limit_per_second',
  'ordered',
  'state',
  'disabled_reason',
  'disabled_at',
  'secret_hint',
  'created_at',
  'updated_at',
  'version',
] as const;

export interface EndpointRow {
  id: string;
  organization_id: string;
  url: string;
  description: string | null;
  event_types: string[];
  rate_limit_per_second: number | null;
  ordered: boolean;
  state: EndpointState;
  disabled_reason: string | null;
  disabled_at: Date | null;
  secret_hint: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export interface AttemptRow {
  id: string;
  message_id: string;
  attempted_at: Date;
  succeeded: boolean;
  status_code: number | null;
  duration_ms: number;
  response_excerpt: string | null;
  error: string | null;
}

/** RFC 3339 UTC with second precision: 2026-11-21T12:00:00Z. */
export function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
const instant = (date: Date | null) => (date === null ? null : rfc3339(date));

export function presentEndpoint(row: EndpointRow): EndpointOut {
  return {
    id: row.id,
    organization_id: row.organization_id,
    url: row.url,
    description: row.description,
    event_types: row.event_types,
    rate_limit_per_second: row.rate_limit_per_second,
    ordered: row.ordered,
    state: row.state,
    disabled_reason: row.disabled_reason,
    disabled_at: instant(row.disabled_at),
    secret_hint: row.secret_hint,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
    version: row.version,
  };
}

export function presentAttempt(row: AttemptRow): AttemptOut {
  return {
    id: row.id,
    message_id: row.message_id,
    // Milliseconds kept: attempts of one message can be seconds apart (retry immediately, then 5 s).
    attempted_at: row.attempted_at.toISOString(),
    succeeded: row.succeeded,
    status_code: row.status_code,
    duration_ms: row.duration_ms,
    response_excerpt: row.response_excerpt,
    error: row.error,
  };
}

/**
 * What the audit log keeps of an endpoint: its settings and state. The hint is named a secret
 * (redact.ts redacts it by name), so the log tells a rotation happened, never which secret.
 */
export function audited(row: EndpointRow) {
  const { created_at: _c, updated_at: _u, organization_id: _o, ...fields } = row;
  return fields;
}

export const etagOf = (version: number) => `"${version}"`;

/** null: no If-Match (or "*"); else the versions its strong entity-tags name (none parse: nothing matches). */
export function ifMatchVersions(header: string | undefined): string[] | null {
  if (header === undefined || header.trim() === '*') return null;
  return entityTags(header)
    .filter((tag) => !tag.weak)
    .map((tag) => tag.value);
}
