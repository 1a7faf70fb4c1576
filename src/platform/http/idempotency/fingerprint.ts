// What names one idempotent operation: who asks (the caller), where (method and concrete path),
// under which key, and a fingerprint of what was asked, so a reused key with another body is
// recognised.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../auth/principal.js';

export interface Scope {
  caller: string;
  method: string;
  path: string;
  key: string;
}

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace, numbers and strings
 * as JSON.stringify writes them. For JSON input this is RFC 8785 (JCS), so `{"a":1,"b":2}` and
 * `{ "b": 2, "a": 1 }` are the same request.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((name) => record[name] !== undefined)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonicalJson(record[name])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * SHA-256 of the canonical request: the body and, for completeness, the query string (a POST
 * with another query is another request, even though none of ours take one).
 */
export function requestFingerprint(body: unknown, query: unknown = {}): Buffer {
  return createHash('sha256')
    .update(canonicalJson({ body: body ?? null, query: query ?? {} }))
    .digest();
}

/** Keys are per caller: two clients choosing the same key never see each other's responses. */
export function callerOf(principal: Principal | null): string {
  if (principal === null) throw new Error('An idempotent route ran without a caller; it must not be public.');
  return principal.kind === 'user' ? `user:${principal.userId}` : `api_key:${principal.apiKeyId}`;
}

/**
 * The route pattern with its parameters filled in, not the pattern alone: a key is the name of
 * one operation on one resource, so the same key sent to two stores' `/v1/stores/{id}/tables`
 * is two operations and must not collide (with the pattern, the second store would get the first
 * store's table replayed, or a 422). Built from the matched route rather than the raw URL, so a
 * trailing slash or the query string does not make a new key.
 */
export function concretePath(request: FastifyRequest): string {
  const pattern = request.routeOptions.url ?? request.url.split('?')[0]!;
  const params = (request.params ?? {}) as Record<string, unknown>;
  return pattern
    .replace(/:([A-Za-z0-9_]+)(\([^/]*\))?/g, (_match, name: string) => encodeURIComponent(String(params[name] ?? '')))
    .replace(/\*$/, () => String(params['*'] ?? ''));
}
