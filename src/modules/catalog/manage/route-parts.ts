// What every route of catalog management shares: the typed app they register on, the security
// and tag of their OpenAPI entries, and ETags, which are version columns ("<version>"): If-Match
// on a stale one is a 412.
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

export type ManagementApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export const SIGNED = { security: [{ bearer: [] }] };
export { NO_CONTENT } from '../../../platform/http/schema.js';
export const TAGS = ['catalog'];

export const etagOf = (version: number) => `"${version}"`;
