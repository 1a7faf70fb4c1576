// Conditional GETs (RFC 9110 §13.1.2): If-None-Match against the current ETag, and the 304 that
// answers a match. One reading of the header for every cached resource (stores, menus).
import type { FastifyReply } from 'fastify';

const TAG = /^(W\/)?"([^"]*)"$/;

/** The entity tags a header lists (If-Match, If-None-Match); malformed members are skipped. */
export function entityTags(header: string): Array<{ weak: boolean; value: string }> {
  return header
    .split(',')
    .map((part) => TAG.exec(part.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ weak: match[1] !== undefined, value: match[2]! }));
}

/**
 * The versions an If-Match header accepts: null when there is no header or it is "*" (the
 * resource exists, so "*" always matches), else the versions named by its strong tags, each
 * `"<version>"` or `"<version>-<digest>"` (the digest is what a clock changes, not an edit). An
 * empty list when none parse: nothing can match, which is a 412.
 */
export function ifMatchVersions(header: string | undefined): number[] | null {
  if (header === undefined || header.trim() === '*') return null;
  return entityTags(header)
    .filter((tag) => !tag.weak)
    .map((tag) => /^(\d{1,9})(-[A-Za-z0-9_-]+)?$/.exec(tag.value)?.[1])
    .filter((version): version is string => version !== undefined)
    .map(Number);
}

/** If-None-Match uses the weak comparison (W/"x" matches "x"); "*" matches any current representation. */
export function isNotModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const current = TAG.exec(etag)?.[2];
  return entityTags(ifNoneMatch).some((tag) => tag.value === current);
}

/** 304 with no body at all: the client's copy, named by its ETag, is current. */
export function sendNotModified(reply: FastifyReply): FastifyReply {
  // Typed as the base reply: a route's 304 schema is documentation, there is nothing to serialize.
  return reply.code(304).send();
}
