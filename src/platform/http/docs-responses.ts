// Responses that are true of every operation, added to the OpenAPI document in one place rather
// than on each route (ADR 0021):
// - 500: any operation can fail unexpectedly; the answer is a problem without internals.
// - 401: any operation that reads credentials (access other than `public`) answers it for missing,
//   invalid or expired ones; it is documented with the bearer scheme as its `security`. Public
//   operations read no credentials and say so with an empty requirement (`security: [{}]`).
// - The rate-limit headers on every 2xx and 4xx response of a limited operation (those listing
//   429, see rate-limit.ts), and Retry-After on the 429 itself: rate-limit-policy.ts writes them.
// - Access-Control-Allow-Origin on every response: @fastify/cors sends it whenever the request's
//   Origin is one CORS_ORIGINS allows (server.ts).
// Only the document changes: validation and serialization of the routes are untouched.
import type { FastifySchema } from 'fastify';
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { problems } from './schema.js';

const seconds = (description: string, minimum: number) => ({
  description,
  schema: { type: 'integer' as const, format: 'int32', minimum, maximum: 2_147_483_647 },
});

/** components.headers: what writeRateLimitHeaders and RateLimitedError send. */
export const RATE_LIMIT_HEADERS = {
  RateLimit: {
    description: 'IETF draft: the policy, requests remaining (r) and seconds until the quota is back (t)',
    schema: {
      type: 'string' as const,
      maxLength: 128,
      pattern: '^"[a-z_]+";r=\\d+;t=\\d+$',
      examples: ['"default";r=42;t=17'],
    },
  },
  'RateLimit-Policy': {
    description: 'IETF draft: the policy, its quota (q) and window in seconds (w)',
    schema: {
      type: 'string' as const,
      maxLength: 128,
      pattern: '^"[a-z_]+";q=\\d+;w=\\d+$',
      examples: ['"default";q=100;w=60'],
    },
  },
  'X-RateLimit-Limit': seconds('Requests allowed per window (legacy header)', 0),
  'X-RateLimit-Remaining': seconds('Requests left in the window (legacy header)', 0),
  'X-RateLimit-Reset': seconds('Seconds until the quota is back (legacy header)', 0),
  'Retry-After': seconds('Seconds to wait before retrying; never earlier than the reset', 1),
  'Access-Control-Allow-Origin': {
    description: "The request's Origin, when CORS_ORIGINS allows it (absent otherwise)",
    schema: { type: 'string' as const, maxLength: 2048, pattern: '^(\\*|null|https?://\\S+)$' },
  },
};

const LIMIT_HEADER_NAMES = [
  'RateLimit',
  'RateLimit-Policy',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];
const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });

const transform: SwaggerTransform = ({ schema, url, route }) => {
  if (schema === undefined || schema === null || (schema as { hide?: boolean }).hide) return { schema, url };
  const isPublic = route.config?.access === 'public';
  const isOptional = route.config?.access === 'optional';
  const declared = schema as FastifySchema & { security?: unknown; response?: Record<string, unknown> };
  const response = declared.response ?? {};
  const added = problems(...(isPublic ? [] : [401]), 500);
  const security = isPublic ? [{}] : isOptional ? [{}, { bearer: [] }] : [{ bearer: [] }];
  return {
    url,
    schema: {
      ...declared,
      security: declared.security ?? security,
      response: { ...added, ...response },
    } as FastifySchema,
  };
};

interface Operation {
  responses?: Record<string, { headers?: Record<string, unknown> }>;
}

const transformObject: SwaggerTransformObject = (documentObject) => {
  if (!('openapiObject' in documentObject)) return documentObject.swaggerObject;
  const document = documentObject.openapiObject;
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item ?? {}) as Operation[]) {
      const responses = operation?.responses;
      if (typeof responses !== 'object' || responses === null) continue;
      const limited = '429' in responses;
      for (const [status, answer] of Object.entries(responses)) {
        const names = ['Access-Control-Allow-Origin'];
        if (limited && /^[24]/.test(status)) names.push(...LIMIT_HEADER_NAMES);
        if (limited && status === '429') names.push('Retry-After');
        answer.headers = { ...answer.headers, ...Object.fromEntries(names.map((name) => [name, ref(name)])) };
      }
    }
  }
  return document;
};

/** The swagger plugin's options that add them. */
export const documentCommonResponses = { transform, transformObject };
