// GET /.well-known/jwks.json: the public keys of the access-token key set (RFC 7517), so another
// service can verify Brigade's access tokens, and pick up a new key before it signs anything
// (see "Rotating the token signing key" in the README).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AccessTokenIssuer } from './tokens.js';

const PublicJwk = Type.Object(
  {
    kty: Type.Union([Type.Literal('OKP'), Type.Literal('EC')], { description: 'Key type' }),
    crv: Type.Union([Type.Literal('Ed25519'), Type.Literal('P-256')]),
    x: Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
    y: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
    kid: Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'The `kid` in token headers' }),
    alg: Type.Union([Type.Literal('EdDSA'), Type.Literal('ES256')]),
    use: Type.Literal('sig'),
  },
  { additionalProperties: false },
);

const JwkSet = Type.Object(
  { keys: Type.Array(PublicJwk, { maxItems: 32, description: 'The signing key first, then the verify-only keys' }) },
  { additionalProperties: false },
);

/** Verifiers may cache the set this long; publish a new key at least this long before it signs. */
export const JWKS_MAX_AGE_SECONDS = 300;

export function registerJwks(app: FastifyInstance, tokens: Pick<AccessTokenIssuer, 'jwks'>): void {
  app.get(
    '/.well-known/jwks.json',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getJwks',
        summary: 'Public keys that verify access tokens (JWK Set)',
        tags: ['platform'],
        response: { 200: JwkSet },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
      return tokens.jwks();
    },
  );
}
