// Conditional requests (RFC 9110 §13) for tenancy resources. An ETag is "<version>" or
// "<version>-<digest>": the version column says which edit the client saw; the digest covers
// what the clock changes in a store (open now or not), so a cached "open" is never revalidated
// after closing time. If-Match compares versions only: the clock moving on is no lost update.
import { createHash } from 'node:crypto';
import { PreconditionFailedError } from '../../platform/http/errors.js';

export function etagOf(version: number, body?: unknown): string {
  if (body === undefined) return `"${version}"`;
  const digest = createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 22);
  return `"${version}-${digest}"`;
}

/** The version an If-Match header lets a write proceed from (null: unconditional), or 412. */
export function expectedVersion(ifMatch: number[] | null, current: number): number | null {
  if (ifMatch === null) return null;
  if (!ifMatch.includes(current)) throw new PreconditionFailedError();
  return current;
}
