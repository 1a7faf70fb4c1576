// The Idempotency-Key header and its problems, written into an opted-in route's schema so the
// OpenAPI document cannot drift from the behaviour.
import type { FastifySchema } from 'fastify';
import { problems } from '../schema.js';

export type IdempotencyMode = 'optional' | 'required';

export const HEADER = 'idempotency-key';
/** 1–255 printable ASCII characters (HTTP already strips surrounding whitespace). */
export const KEY = /^[\x20-\x7E]{1,255}$/;

const keyHeaderSchema = (mode: IdempotencyMode) => ({
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: KEY.source,
  description:
    (mode === 'required' ? 'Required. ' : '') +
    'A unique value per operation (a UUID is a good choice), reused only to retry that same operation. ' +
    'A retry with the same key and body gets the first response replayed with `Idempotent-Replayed: true`; ' +
    'while the first is still running it gets 409 IDEMPOTENCY_IN_PROGRESS; with another body, 422 IDEMPOTENCY_KEY_REUSED. ' +
    'Keys are per caller and per path, and kept at least 24 hours.',
});

/**
 * Documents the header and the idempotency problems. The header's presence and shape are checked
 * in preValidation (with the dedicated codes), before the schema would report them.
 */
export function documented(schema: FastifySchema, mode: IdempotencyMode): FastifySchema {
  const headers = (schema.headers ?? { type: 'object', properties: {} }) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  const required = [...(headers.required ?? []), ...(mode === 'required' ? [HEADER] : [])];
  const response = { ...((schema.response ?? {}) as Record<string, { description?: string }>) };
  const add = (status: number, text: string) => {
    const existing = response[status];
    response[status] = existing
      ? { ...existing, description: `${existing.description ?? 'Problem'}; or ${text}` }
      : { ...problems(status)[status], description: text };
  };
  add(409, 'IDEMPOTENCY_IN_PROGRESS: a request with this Idempotency-Key is still running; retry shortly');
  add(422, 'IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used with another request body');
  const status400 = response[400];
  if (status400)
    response[400] = {
      ...status400,
      description: `${status400.description ?? 'Problem'}; IDEMPOTENCY_KEY_REQUIRED, INVALID_IDEMPOTENCY_KEY`,
    };
  return {
    ...schema,
    headers: {
      ...headers,
      properties: { ...headers.properties, [HEADER]: keyHeaderSchema(mode) },
      ...(required.length > 0 ? { required } : {}),
    },
    response,
  };
}
